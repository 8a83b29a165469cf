import { html, LitElement, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import type {
  ChangeInfo,
  LiveConflict,
  LiveDataSnapshot,
} from '../../client/live-data/live-data-types.js';
import type { RealtimeError } from '../../client/realtime-error.js';
import type { Clock } from '../../client/types.js';
import { LiveDataController } from '../../controllers/live-data-controller.js';
import { PresenceController } from '../../controllers/presence-controller.js';
import {
  CrmFormChangeEvent,
  CrmFormConflictEvent,
  CrmFormErrorEvent,
  CrmFormSaveEvent,
  CrmFormSavedEvent,
  type FormChangeSource,
} from '../../events/collaborative-form-events.js';
import type {
  CrmConflictCancelEvent,
  CrmConflictResolveEvent,
} from '../../events/conflict-events.js';
import { entityLabel as entityLabelOf } from '../../domain/entity-label.js';
import { localeOf, messageContext, withDefaults, type MessageContext } from '../../i18n.js';
import type { FieldConflict, Fields } from '../../protocol/index.js';
import { fieldValue } from '../../protocol/own-field.js';
import { sameJson } from '../../util/same-json.js';
import { styles } from './crm-collaborative-form.styles.js';
import { FieldMarks, installFieldMarks } from './field-marks.js';
import { FieldLocks } from './field-locks.js';
import { FieldSync } from './field-sync.js';
import { fieldPresence, type FieldPresence } from './field-presence.js';
import { layoutTabs, tabsTemplate, type FieldTabs } from './field-tabs.js';
import { fieldViews } from './field-views.js';
import { FieldWatcher } from './field-watcher.js';
import { dialogConflicts, resolutionOf } from './form-conflicts.js';
import { fieldOf, labelOf, type FieldBinding } from './form-fields.js';
import {
  defaultCollaborativeFormMessages,
  type CollaborativeFormMessages,
} from './form-messages.js';
import { formStatus, statusText, type FormStatus, type FormStatusKind } from './form-status.js';
import { realClock } from '../../util/clock.js';
import { warnOnceFor } from '../../util/warn.js';

export type SaveMode = 'submit' | 'change';

/** How long a field stays highlighted after someone else's change arrived in it. */
const HIGHLIGHT_MS = 1600;

const warnOnce = warnOnceFor('<crm-collaborative-form>');

const reducedMotion = () =>
  globalThis.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false;

/**
 * Makes the page's own form collaborative: wrap it, name the entity, and its fields show the live
 * record, save through the live-data path (optimistic, rolled back when refused, queued offline),
 * show who else edits which field, and open `<crm-conflict-dialog>` when two people saved the same
 * field.
 *
 * ```html
 * <crm-collaborative-form entity-type="customer" entity-id="42">
 *   <form method="post" action="/customers/42">
 *     <label for="email">Email</label> <input id="email" name="email" type="email">
 *     <button>Save</button>
 *   </form>
 * </crm-collaborative-form>
 * ```
 *
 * Fields are the named controls inside the element (its light DOM; the page keeps its markup and
 * styles): inputs of every type but password, file, hidden and buttons, selects (multiple too),
 * textareas and form-associated custom elements (`static formAssociated = true`, with `value`);
 * `name` is the entity's field name. Controls added later are picked up; controls inside
 * `[data-crm-ignore]` are left alone. A field the user is in, or has changed, is never
 * overwritten; remote changes to the others apply at once, with a brief highlight (none under
 * reduced motion). Fields the server's permissions make read-only for this user are locked
 * (`readonly`, or `disabled` where a control has none) and their labels say why to screen readers.
 *
 * Who edits what: the person's name on a tab at the field's top edge (shadow DOM, decorative) and
 * a coloured ring on the field itself (light DOM: a `data-crm-editing` attribute and
 * `--crm-editor-color` on the field, styled by a small sheet the element adopts into the
 * document), plus an accessible description on the field ("Ben Carter is editing this field")
 * through `aria-describedby` to a hidden text inside the element.
 *
 * Saving: on the form's submit (`save-mode="submit"`, the default) or shortly after each change
 * (`save-mode="change"`, after `save-delay` ms), only the fields the user changed. Without a
 * provider (or without an entity) the element does not intercept anything: the form submits the
 * way it always did. With one, it takes the submit (offline, saves wait in the durable outbox).
 *
 * @tagname crm-collaborative-form
 * @summary A plain HTML form made live: who edits which field, live values, optimistic saves, conflicts.
 *
 * @slot - The page's form (or bare fields).
 * @csspart overlay - The layer over the fields that holds the tabs.
 * @csspart tab - A tab on a field; also `tab-editor`, `tab-more`, `tab-saving`, `tab-queued`, `tab-held`, `tab-conflict`, `tab-error`.
 * @csspart status-bar - The line under the form with the status and its button.
 * @csspart status - The status text (a polite live region).
 * @csspart button - Every button; also `resolve`, `restore`, `dismiss`.
 * @csspart error - The message of a refused save (`role="alert"`).
 * @csspart dialog - The `<crm-conflict-dialog>`; its parts are exported as `dialog-<part>`.
 *
 * @cssprop [--crm-editor-color] - Set by the element on a field someone edits: their colour.
 * @cssprop [--crm-collaborative-form-held-color=var(--crm-color-warning)] - Ring and tab of a field changed under the user's cursor.
 * @cssprop [--crm-collaborative-form-error-color=var(--crm-color-danger)] - Ring and tab of a refused field.
 * @cssprop [--crm-collaborative-form-error-text-color=var(--crm-color-danger-text)] - The CRM backend's message under a refused field.
 * @cssprop [--crm-collaborative-form-saving-color=var(--crm-color-border)] - Ring and tab of a field being saved.
 * @cssprop [--crm-collaborative-form-highlight=var(--crm-color-warning-subtle)] - Flash of a field changed remotely.
 * @cssprop [--crm-collaborative-form-highlight-duration=1.6s] - How long the flash fades.
 * @cssprop [--crm-collaborative-form-tab-font-size=var(--crm-font-size-2xs)] - Text size of the tabs.
 * @cssprop [--crm-collaborative-form-tab-z-index=2] - Stacking of the tabs over the fields.
 * @cssprop [--crm-collaborative-form-status-margin=var(--crm-space-s)] - Space above the status line.
 *
 * @fires {CrmFormSaveEvent} crm-form-save - About to save the changed fields; cancelable.
 * @fires {CrmFormSavedEvent} crm-form-saved - The server confirmed a save.
 * @fires {CrmFormConflictEvent} crm-form-conflict - A save conflicts; cancelable (then the page resolves it).
 * @fires {CrmFormErrorEvent} crm-form-error - The entity could not be read, or a save was refused (rolled back; or, when the CRM's backend refused values, kept with its messages under the fields).
 * @fires {CrmFormChangeEvent} crm-form-change - The data shown changed (loaded, remote, own save).
 */
export class CrmCollaborativeForm extends LitElement {
  static override styles = styles;

  /** The id of the `<form>` to take; default: the first form inside. */
  @property({ attribute: 'form-id' }) formId = '';

  /** The entity's type, e.g. `customer`. */
  @property({ attribute: 'entity-type' }) entityType = '';

  /** The entity's id, e.g. `42`. */
  @property({ attribute: 'entity-id' }) entityId = '';

  /** `submit`: save when the form is submitted; `change`: save shortly after each change. */
  @property({ attribute: 'save-mode' }) saveMode: SaveMode = 'submit';

  /** `save-mode="change"`: wait this long after the last change before saving (ms). */
  @property({ type: Number, attribute: 'save-delay' }) saveDelay = 400;

  /**
   * A quiet status line, for small inline forms (a row of a list): shown only while something
   * needs the user (a conflict, saves waiting offline, a refused save, a record that cannot be
   * read); otherwise it is visually hidden but still announced, and each field's tab shows its
   * save.
   */
  @property({ type: Boolean, reflect: true }) compact = false;

  /**
   * What the form edits, for the conflict dialog, e.g. "Northwind Logistics". Unset, the record
   * names itself by the rule the activity feed and notifications use (a customer's company, else
   * its contact; other records their name, title or subject).
   */
  @property({ attribute: 'entity-label' }) entityLabel = '';

  /** Display names of fields; by default each field's `<label>` (or legend, or `aria-label`). */
  @property({ attribute: false }) fieldLabels: Record<string, string> = {};

  /** Replacements for the built-in English texts (see `CollaborativeFormMessages`). */
  @property({ attribute: false }) messages: Partial<CollaborativeFormMessages> | undefined =
    undefined;

  /** Where time comes from (the highlight, the autosave delay); for tests and stories. */
  @property({ attribute: false }) clock: Clock = realClock;

  @state() private dialogOpen = false;
  @state() private refused: { error: RealtimeError; fields: Fields } | undefined = undefined;
  @state() private announcement = '';
  @query('.overlay') private overlay!: HTMLElement | null;

  private readonly live = new LiveDataController(this, () => this.target(), {
    onConflict: (conflict) => this.conflictArrived(conflict),
  });
  private readonly presence = new PresenceController(this, () => this.room());
  private readonly sync = new FieldSync();
  private readonly locks = new FieldLocks();
  private readonly marks = new FieldMarks(this, { ...this.timers() });
  private readonly watcher = new FieldWatcher(this, {
    form: () => this.form(),
    isOwnNode: (node) => this.marks.isOwnNode(node),
    changed: (fields) => this.fieldsChanged(fields),
    warn: (message) => warnOnce(`field:${message}`, message),
    resized: () => this.layout(),
  });
  private focused: FieldBinding | undefined;
  /** A `form-id` form outside the element, whose events it also listens to. */
  private outsideForm: HTMLFormElement | undefined;
  private applied: LiveDataSnapshot | undefined;
  private loadedKey: string | undefined;
  private reportedLoadError: string | undefined;
  private editingKey = '';
  private activity = '';
  private savedOnce = false;
  private resetting = false;
  private autosave: unknown;
  /** The conflict shown (or cancelled), and the values the dialog shows as "yours". */
  private conflict: { of: LiveConflict; shown: FieldConflict[] } | undefined;
  /** Conflicts the page took over (`crm-form-conflict` prevented). */
  private readonly handledByPage = new WeakSet<LiveConflict>();
  private editors: FieldPresence = { byField: new Map(), joined: [] };
  private m: CollaborativeFormMessages = defaultCollaborativeFormMessages;
  private c: MessageContext = messageContext('en');
  private tabGroups: FieldTabs[] = [];

  // ---- public API -----------------------------------------------------------------------------

  /** Every field as the form shows the record: confirmed, plus the user's unconfirmed saves. */
  get data(): Readonly<Fields> {
    return this.live.data;
  }

  /** What the status line says, as a keyword (see `FormStatusKind`). */
  get status(): FormStatusKind {
    return this.currentStatus().kind;
  }

  /** Names of the fields the form took, in document order. */
  get fieldNames(): string[] {
    return [...this.sync.fields.keys()];
  }

  /** Fields the user changed and has not saved. */
  get dirtyFields(): string[] {
    return this.sync.dirtyNames();
  }

  /**
   * Save the changed fields now (what a submit does). Resolves with the outcome, or `undefined`
   * when nothing was sent (nothing changed, not connected, a conflict to resolve first, or a
   * `crm-form-save` listener said no).
   */
  async save(): Promise<ChangeInfo | undefined> {
    this.clock.clearTimeout(this.autosave);
    if (!this.isLive()) return undefined;
    const open = this.live.conflicts[0];
    if (open) {
      this.showConflict(open);
      return undefined;
    }
    const fields = this.sync.changed(this.saveMode === 'change');
    if (Object.keys(fields).length === 0) {
      this.requestUpdate();
      return undefined;
    }
    if (!this.fire(new CrmFormSaveEvent(this.entityType, this.entityId, fields))) {
      return undefined;
    }
    this.sync.sent(fields);
    this.refused = undefined;
    this.requestUpdate();
    const outcome = await this.live.update(fields);
    this.settled(outcome);
    return outcome;
  }

  /** Open the conflict dialog for the open conflict, if there is one. */
  resolveConflict(): void {
    const open = this.live.conflicts[0];
    if (open) this.showConflict(open);
  }

  // ---- lifecycle ------------------------------------------------------------------------------

  override connectedCallback(): void {
    super.connectedCallback();
    installFieldMarks(this);
    this.listen(this, true);
    this.watcher.start();
    // Scroll events do not bubble, but a capturing listener on the document hears every one:
    // a field in a scrolling container moves without the element moving.
    document.addEventListener('scroll', this.onScroll, { capture: true, passive: true });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.listen(this, false);
    document.removeEventListener('scroll', this.onScroll, { capture: true });
    this.listenToForm(undefined);
    this.watcher.stop();
    this.marks.clear();
    this.locks.clear();
    this.clock.clearTimeout(this.autosave);
    this.focused = undefined;
    this.activity = '';
    this.editingKey = '';
    this.applied = undefined;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    this.m = withDefaults(defaultCollaborativeFormMessages, this.messages);
    this.c = messageContext(localeOf(this));
    if (changed.has('formId') && this.hasUpdated) this.watcher.rescan();
    if (changed.has('saveMode') && !['submit', 'change'].includes(this.saveMode)) {
      warnOnce('save-mode', `save-mode must be "submit" or "change"; using "submit".`);
    }
    // An update still pending when the element left must not touch the page's fields again.
    if (!this.isConnected) {
      this.tabGroups = [];
      return;
    }
    this.applySnapshot();
    // Fields the server says this user may not change: locked, and their labels say why.
    this.locks.apply(
      this.sync.fields,
      this.live.snapshot?.status === 'ready' ? this.live.snapshot.readOnly : [],
      this.m.readOnlyField(this.c),
    );
    this.followEditing();
    this.editors = fieldPresence({
      people: this.presence.people,
      self: this.presence.self?.user.id ?? this.live.client?.user?.id,
      fields: this.sync.fields,
      focused: this.focused?.name,
      previous: this.editors,
    });
    const joined = this.editors.joined[0];
    if (joined && this.focused) {
      this.announce(this.m.joinedField(joined, this.label(this.focused.name), this.c));
    }
    this.tabGroups = this.updateMarks();
  }

  protected override updated(): void {
    this.layout();
  }

  // ---- field events ---------------------------------------------------------------------------

  /** The field and form events, on the element and on a `form-id` form outside it. */
  private listen(target: EventTarget, on: boolean): void {
    const method = on ? target.addEventListener : target.removeEventListener;
    method.call(target, 'focusin', this.onFocusIn as EventListener);
    method.call(target, 'focusout', this.onFocusOut as EventListener);
    method.call(target, 'input', this.onInput);
    method.call(target, 'change', this.onChange);
    method.call(target, 'submit', this.onSubmit as EventListener, { capture: true });
    method.call(target, 'reset', this.onReset, { capture: true });
  }

  private listenToForm(form: HTMLFormElement | undefined): void {
    const outside = form && !this.contains(form) ? form : undefined;
    if (outside === this.outsideForm) return;
    if (this.outsideForm) this.listen(this.outsideForm, false);
    this.outsideForm = outside;
    if (outside) this.listen(outside, true);
  }

  private onFocusIn = (event: FocusEvent): void => {
    const field = fieldOf(this.sync.fields, event.target);
    if (!field) return;
    this.focused = field;
    this.setActivity(`editing:${field.name}`);
    this.requestUpdate();
  };

  private onFocusOut = (event: FocusEvent): void => {
    const field = fieldOf(this.sync.fields, event.target);
    if (!field || field !== this.focused) return;
    if (fieldOf(this.sync.fields, event.relatedTarget) === field) return;
    this.focused = undefined;
    // Moving to another field sets "editing" again in the same task: say "viewing" only if not.
    queueMicrotask(() => {
      if (!this.focused) this.setActivity('viewing');
    });
    this.requestUpdate();
  };

  private onInput = (event: Event): void => {
    const field = fieldOf(this.sync.fields, event.target);
    if (field && this.sync.touched(field.name)) this.requestUpdate();
  };

  private onChange = (event: Event): void => {
    const field = fieldOf(this.sync.fields, event.target);
    if (!field) return;
    if (this.sync.touched(field.name)) this.requestUpdate();
    if (this.saveMode === 'change' && this.isLive()) {
      this.clock.clearTimeout(this.autosave);
      this.autosave = this.clock.setTimeout(() => void this.save(), Math.max(0, this.saveDelay));
    }
  };

  private onSubmit = (event: SubmitEvent): void => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || form !== this.form()) return;
    // Not connected (no provider, no entity, or it cannot be read): the page's submit goes on.
    if (!this.isLive()) return;
    event.preventDefault();
    void this.save();
  };

  private onReset = (event: Event): void => {
    if (event.target !== this.form()) return;
    // The reset runs after this event: then show the live record again, not the HTML defaults.
    globalThis.setTimeout(() => {
      this.sync.reset();
      this.applied = undefined;
      this.resetting = true;
      this.requestUpdate();
    }, 0);
  };

  // ---- data -----------------------------------------------------------------------------------

  private target() {
    return { entityType: this.entityType, entityId: this.entityId };
  }

  private room(): string | undefined {
    const type = this.entityType.trim();
    const id = this.entityId.trim();
    return type && id ? `${type}:${id}` : undefined;
  }

  /** A live entity is followed: the form saves through it (else it is a plain form). */
  private isLive(): boolean {
    const status = this.live.status;
    return status === 'ready' || status === 'loading';
  }

  /** The `<form>` whose submit the element takes. */
  private form(): HTMLFormElement | undefined {
    if (this.formId) {
      const root = this.getRootNode() as Document | ShadowRoot;
      const found = root.getElementById?.(this.formId);
      if (found instanceof HTMLFormElement) return found;
      warnOnce(`form-id:${this.formId}`, `found no <form id="${this.formId}">.`);
    }
    for (const form of this.querySelectorAll('form')) {
      if (form.parentElement?.closest('crm-collaborative-form') === this) return form;
    }
    return undefined;
  }

  private fieldsChanged(fields: ReadonlyMap<string, FieldBinding>): void {
    this.listenToForm(this.form());
    if (this.focused && !fields.has(this.focused.name)) this.focused = undefined;
    const ready = this.live.status === 'ready' ? this.live.data : undefined;
    this.sync.setFields(fields, ready);
    this.requestUpdate();
  }

  /** Bring the fields in line with a new snapshot, and tell the page what changed. */
  private applySnapshot(): void {
    const snapshot = this.live.snapshot;
    if (snapshot === this.applied) return;
    const previous = this.applied;
    this.applied = snapshot;
    if (!snapshot) return;
    const key = `${snapshot.entityType}:${snapshot.entityId}`;
    if (snapshot.status === 'error') {
      if (this.reportedLoadError !== key && snapshot.error) {
        this.reportedLoadError = key;
        this.fire(new CrmFormErrorEvent(this.entityType, this.entityId, 'load', snapshot.error));
      }
      return;
    }
    if (snapshot.status !== 'ready') return;
    const first = this.loadedKey !== key;
    // Another record than the one shown: none of its values may stay on screen.
    const switched = first && this.loadedKey !== undefined;
    if (first) {
      // Another record: what was said about the previous one no longer holds.
      this.loadedKey = key;
      this.savedOnce = false;
      this.sync.reset();
      if (this.conflict && this.conflict.of.entityId !== snapshot.entityId) {
        this.conflict = undefined;
        this.dialogOpen = false;
      }
      this.refused = undefined;
    }
    // After a reset, every field shows the record again, also the one the user is in.
    const { written } = this.sync.apply(
      snapshot.data,
      this.resetting || switched ? undefined : this.focused,
      switched,
    );
    this.resetting = false;
    const before = first ? {} : (previous?.data ?? {});
    const changed = Object.keys({ ...before, ...snapshot.data }).filter(
      (f) => !sameJson(fieldValue(before, f), fieldValue(snapshot.data, f)),
    );
    if (changed.length === 0 && !first) return;
    const remote =
      !first &&
      snapshot.version !== previous?.version &&
      snapshot.entity?.updatedBy?.id !== this.live.client?.user?.id;
    const source: FormChangeSource = first ? 'load' : remote ? 'remote' : 'local';
    if (source === 'remote' && written.length > 0) {
      if (!reducedMotion()) {
        for (const name of written) this.marks.highlight(this.sync.fields.get(name)!, HIGHLIGHT_MS);
      }
      const author = snapshot.entity?.updatedBy?.name ?? '';
      this.announce(
        this.m.remoteChanged(
          author,
          written.map((f) => this.label(f)),
          this.c,
        ),
      );
    }
    this.fire(
      new CrmFormChangeEvent(this.entityType, this.entityId, snapshot.data, changed, source),
    );
  }

  /** Tell live data which fields the user is in or changed: remote changes to them wait. */
  private followEditing(): void {
    const fields = new Set(this.sync.dirtyNames());
    if (this.focused) fields.add(this.focused.name);
    const key = [...fields].sort().join('\n');
    if (key === this.editingKey) return;
    this.editingKey = key;
    this.live.setEditing(fields);
  }

  private setActivity(activity: string): void {
    if (activity === this.activity) return;
    this.activity = activity;
    const field = activity.startsWith('editing:') ? activity.slice(8) : undefined;
    this.presence.setActivity(field ? { kind: 'editing', field } : { kind: 'viewing' });
  }

  /** A save (or a resolution) was answered. */
  private settled(outcome: ChangeInfo): void {
    if (outcome.state === 'confirmed') {
      this.savedOnce = true;
      this.fire(
        new CrmFormSavedEvent(
          this.entityType,
          this.entityId,
          outcome.fields,
          outcome.version,
          outcome,
        ),
      );
    } else if (outcome.state === 'rejected' && outcome.error?.fields && this.keepRefused(outcome)) {
      // The CRM's backend refused values: its messages are under the fields.
    } else if (outcome.state === 'rejected' && outcome.error) {
      // Roll back on screen, also in the field the user is still in (submitted with Enter).
      const data = this.live.data;
      for (const [name, value] of Object.entries(outcome.fields)) {
        if (sameJson(this.sync.read(name), value) || !this.sync.isDirty(name)) {
          this.sync.force(name, fieldValue(data, name) ?? null);
        }
      }
      this.sync.setError(Object.keys(outcome.fields), true);
      this.refused = { error: outcome.error, fields: { ...outcome.fields } };
      this.fire(
        new CrmFormErrorEvent(
          this.entityType,
          this.entityId,
          'save',
          outcome.error,
          outcome.fields,
        ),
      );
    }
    this.requestUpdate();
  }

  /**
   * Values the CRM's backend refused with a message per field stay in their fields (the user's
   * own, to correct and save again), each field marked invalid with the message under it.
   */
  private keepRefused(outcome: ChangeInfo): boolean {
    const errors = outcome.error?.fields ?? {};
    const named = Object.keys(errors).filter((name) => this.sync.fields.has(name));
    if (named.length === 0) return false;
    for (const [name, value] of Object.entries(outcome.fields)) {
      // Unless the user typed something else meanwhile, the field shows what they sent, as their
      // unsaved change over the record's value (so the next snapshot does not overwrite it).
      if (this.sync.isDirty(name)) continue;
      this.sync.force(name, fieldValue(this.live.data, name) ?? null);
      this.sync.restore({ [name]: value });
    }
    this.sync.setFieldErrors(errors);
    this.fire(
      new CrmFormErrorEvent(this.entityType, this.entityId, 'save', outcome.error!, outcome.fields),
    );
    return true;
  }

  // ---- conflicts ------------------------------------------------------------------------------

  private conflictArrived(conflict: LiveConflict): void {
    const event = new CrmFormConflictEvent(this.entityType, this.entityId, conflict);
    if (!this.fire(event)) {
      this.handledByPage.add(conflict);
      this.requestUpdate();
      return;
    }
    if (!this.dialogOpen) this.showConflict(conflict);
  }

  private showConflict(conflict: LiveConflict): void {
    const current: Fields = {};
    for (const c of conflict.conflicts) {
      const value = this.sync.read(c.field);
      if (value !== undefined) current[c.field] = value;
    }
    this.conflict = { of: conflict, shown: dialogConflicts(conflict, current) };
    this.dialogOpen = true;
  }

  private onResolve = (event: CrmConflictResolveEvent): void => {
    const open = this.conflict;
    if (!open) return;
    this.conflict = undefined;
    this.dialogOpen = false;
    const conflicted = new Set(open.shown.map((c) => c.field));
    const pending = this.sync.changed();
    for (const name of Object.keys(pending)) if (conflicted.has(name)) delete pending[name];
    const { save, theirs } = resolutionOf(open.of, event.choices, open.shown, pending);
    this.sync.sent(save);
    // "Theirs" shows at once, also in a field the focus returns to.
    for (const [name, value] of Object.entries(theirs)) this.sync.force(name, value);
    if (Object.keys(save).length === 0) {
      open.of.discard();
    } else {
      void open.of.resolve(save).then((outcome) => this.settled(outcome));
    }
    this.nextConflictLater();
  };

  private onCancel = (_event: CrmConflictCancelEvent): void => {
    // The user's values stay in the form; the status line offers to resolve later.
    this.dialogOpen = false;
  };

  /** After a resolution, the next open conflict of this entity (say, replayed offline edits). */
  private nextConflictLater(): void {
    void this.updateComplete.then(() => {
      const next = this.live.conflicts.find((c) => !this.handledByPage.has(c));
      if (next && !this.dialogOpen && this.isConnected) this.showConflict(next);
    });
  }

  // ---- presentation ---------------------------------------------------------------------------

  private label(field: string): string {
    const given = this.fieldLabels ? fieldValue(this.fieldLabels, field) : undefined;
    if (typeof given === 'string' && given.trim()) return given;
    const binding = this.sync.fields.get(field);
    return (binding && labelOf(binding)) || this.m.fieldLabel(field, this.c, this.entityType);
  }

  /** The record's name for the conflict dialog: the page's `entity-label`, else the shared rule. */
  private recordLabel(): string | undefined {
    if (this.entityLabel.trim()) return this.entityLabel;
    return entityLabelOf({ type: this.entityType.trim(), fields: this.live.data });
  }

  private currentStatus(): FormStatus {
    return formStatus({
      live: this.live.status,
      loadError: this.live.error?.code,
      changes: this.live.changes,
      openConflicts: this.live.conflicts.length,
      dirty: this.sync.dirtyNames().length,
      savedOnce: this.savedOnce,
      refused: this.refused !== undefined,
      invalid: this.fieldNames.filter((name) => this.sync.errorMessage(name) !== undefined).length,
    });
  }

  private announce(text: string): void {
    // The same words twice in a row would not be read again: make them differ invisibly.
    this.announcement = text === this.announcement ? `${text}\u00a0` : text;
  }

  private updateMarks(): FieldTabs[] {
    const { states, groups } = this.fieldViews();
    this.marks.update(this.sync.fields, states);
    this.watcher.observeAnchors(groups.map((g) => g.anchor));
    return groups;
  }

  private fieldViews() {
    return fieldViews({
      fields: this.sync.fields,
      editors: this.editors.byField,
      held: this.live.held,
      author: this.live.entity?.updatedBy?.name ?? '',
      changes: this.live.changes,
      conflicted: new Set(this.live.conflicts.flatMap((c) => c.conflicts.map((f) => f.field))),
      hasError: (name) => this.sync.hasError(name),
      errorMessage: (name) => this.sync.errorMessage(name),
      m: this.m,
      c: this.c,
    });
  }

  private scrollFrame = false;

  /** Tabs follow their fields as they scroll, once per frame, and only while there are any. */
  private onScroll = (): void => {
    if (this.scrollFrame || this.tabGroups.length === 0) return;
    this.scrollFrame = true;
    requestAnimationFrame(() => {
      this.scrollFrame = false;
      this.layout();
    });
  };

  private layout(): void {
    const overlay = this.overlay;
    if (!overlay || this.tabGroups.length === 0) return;
    layoutTabs(overlay, this.tabGroups, getComputedStyle(this).direction === 'rtl');
  }

  /** Dispatch one of the element's events (declared with `@fires` in the header). */
  private fire(event: Event): boolean {
    return this.dispatchEvent(event);
  }

  private timers() {
    return {
      setTimeout: (fn: () => void, ms: number) => this.clock.setTimeout(fn, ms),
      clearTimeout: (handle: unknown) => this.clock.clearTimeout(handle),
    };
  }

  private restore = (): void => {
    const refused = this.refused;
    if (!refused) return;
    this.refused = undefined;
    this.sync.restore(refused.fields);
    this.sync.setError(Object.keys(refused.fields), false);
  };

  private dismiss = (): void => {
    if (this.refused) this.sync.setError(Object.keys(this.refused.fields), false);
    this.refused = undefined;
  };

  protected override render(): TemplateResult {
    const m = this.m;
    const c = this.c;
    const status = this.currentStatus();
    const text = statusText(status, this.live.error?.code, m, c);
    const refused = this.refused;
    const open = this.conflict;
    return html`<div part="overlay" class="overlay" aria-hidden="true">
        ${tabsTemplate(this.tabGroups)}
      </div>
      <slot></slot>
      <div part="status-bar" class="status-bar" data-kind=${status.kind}>
        <span part="status" class="status" role="status"
          ><span class="dot" aria-hidden="true"></span><span>${text}</span></span
        >
        ${
          status.kind === 'conflict' && !this.dialogOpen
            ? html`<button
                part="button resolve"
                class="resolve"
                type="button"
                @click=${() => this.resolveConflict()}
              >
                ${m.resolve(c)}
              </button>`
            : nothing
        }
      </div>
      ${
        refused
          ? html`<div part="error" class="error" role="alert">
              <p class="error-text">
                ${m.saveFailed(
                  Object.keys(refused.fields).map((f) => this.label(f)),
                  refused.error.code,
                  c,
                )}
              </p>
              <div class="error-actions">
                <button part="button restore" type="button" @click=${this.restore}>
                  ${m.restore(c)}
                </button>
                <button part="button dismiss" type="button" @click=${this.dismiss}>
                  ${m.dismiss(c)}
                </button>
              </div>
            </div>`
          : nothing
      }
      <div class="visually-hidden" aria-live="polite">${this.announcement}</div>
      ${
        open
          ? html`<crm-conflict-dialog
              part="dialog"
              exportparts=${DIALOG_PARTS}
              .conflicts=${open.shown}
              .fieldLabels=${Object.fromEntries(open.shown.map((f) => [f.field, this.label(f.field)]))}
              .clock=${this.clock}
              entity-label=${this.recordLabel() || nothing}
              ?open=${this.dialogOpen}
              @crm-conflict-resolve=${this.onResolve}
              @crm-conflict-cancel=${this.onCancel}
            ></crm-conflict-dialog>`
          : nothing
      }`;
  }
}

const DIALOG_PARTS = [
  'dialog',
  'header',
  'title',
  'description',
  'body',
  'field',
  'option',
  'actions',
  'button',
]
  .map((p) => `${p}:dialog-${p}`)
  .join(', ');
