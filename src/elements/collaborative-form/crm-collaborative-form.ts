import { LitElement, type PropertyValues, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { ChangeInfo } from '../../client/live-data/live-data-types.js';
import { LiveDataController } from '../../controllers/live-data-controller.js';
import { PresenceController } from '../../controllers/presence-controller.js';
import type {
  CrmConflictCancelEvent,
  CrmConflictResolveEvent,
} from '../../events/conflict-events.js';
import { CrmFormSaveEvent } from '../../events/collaborative-form-events.js';
import { entityLabel as entityLabelOf } from '../../domain/entity-label.js';
import { localeOf, messageContext, withDefaults, type MessageContext } from '../../i18n.js';
import type { Fields } from '../../protocol/index.js';
import { fieldValue } from '../../protocol/own-field.js';
import { realClock, type Clock } from '../../util/clock.js';
import { warnOnceFor } from '../../util/warn.js';
import type { ConflictDialogMessages } from '../conflict-dialog/conflict-messages.js';
import { styles } from './crm-collaborative-form.styles.js';
import { FieldMarks, installFieldMarks } from './field-marks.js';
import { FieldLocks } from './field-locks.js';
import { FieldSync } from './field-sync.js';
import { fieldPresence, type FieldPresence } from './field-presence.js';
import type { FieldTabs } from './field-tabs.js';
import { fieldViews } from './field-views.js';
import { FieldWatcher } from './field-watcher.js';
import { formOf, labelOf, type FieldBinding } from './form-fields.js';
import { FormInput } from './form-input.js';
import { FormLeaving } from './form-leaving.js';
import {
  defaultCollaborativeFormMessages,
  type CollaborativeFormMessages,
} from './form-messages.js';
import { FormSession } from './form-session.js';
import { statusText, type FormStatusKind } from './form-status.js';
import { formTemplate } from './form-template.js';
import { SubmitControls } from './submit-controls.js';
import { TabOverlay } from './tab-overlay.js';
import { LanguageWatch } from '../shared/language-watch.js';

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
 * A refused save is said (the status, an alert or the CRM backend's message under the field, read
 * out) and its values stay the user's to restore, also when it was queued before a reload and
 * refused when the next page sent it. A conflict left to resolve later keeps what the user types
 * into its fields meanwhile as theirs, in the outbox too: after a reload the dialog offers that.
 *
 * A record the CRM deleted: the form says so, saves nothing more and keeps what the user typed.
 * The page's submit buttons stay in place and focusable, but read and look inactive
 * (`aria-disabled="true"` and `data-crm-deleted`, dimmed by the kit's sheet), and a press says
 * again why nothing is saved; they are given back as they were once the form shows a live record
 * (another `entity-id`) or leaves. The element has the `deleted` attribute meanwhile.
 *
 * The page's constraints (`required`, `pattern`, `maxlength`, `type="email"` …) apply to what a
 * submit saves: while the form is live, the element turns the browser's check of the whole form
 * off (`noValidate`, given back when it leaves or takes another form) and checks the fields it
 * sends, reporting the first invalid one as the browser does (its message, the focus there). A
 * value the CRM stored that breaks them, in a field the user did not change, neither blocks the
 * save nor is pointed at. A `novalidate` form or a `formnovalidate` button skips the check, as
 * do `save()` and saves on change (which send only the fields that pass).
 *
 * @tagname crm-collaborative-form
 * @summary A plain HTML form made live: who edits which field, live values, optimistic saves, conflicts.
 *
 * @slot - The page's form (or bare fields).
 * @csspart overlay - The layer over the fields that holds the tabs.
 * @csspart tab - A tab on a field; also `tab-editor`, `tab-more`, `tab-saving`, `tab-queued` (waiting offline, or to be saved), `tab-held`, `tab-conflict`, `tab-error`.
 * @csspart status-bar - The line under the form with the status and its button.
 * @csspart status - The status text (a polite live region).
 * @csspart next-try - Beside the status, outside its live region: when a save the server refused for now is tried again.
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
 * @cssprop [--crm-collaborative-form-readonly-background=var(--crm-color-surface-sunken)] - Background of a text field the user may not change.
 * @cssprop [--crm-collaborative-form-readonly-color=var(--crm-color-text-muted)] - Text of a text field the user may not change.
 * @cssprop [--crm-collaborative-form-tab-font-size=var(--crm-font-size-2xs)] - Text size of the tabs.
 * @cssprop [--crm-collaborative-form-tab-z-index=2] - Stacking of the tabs over the fields.
 * @cssprop [--crm-collaborative-form-status-margin=var(--crm-space-s)] - Space above the status line.
 *
 * @fires {CrmFormSaveEvent} crm-form-save - About to save the changed fields; cancelable.
 * @fires {CrmFormSavedEvent} crm-form-saved - The server confirmed a save.
 * @fires {CrmFormConflictEvent} crm-form-conflict - A save conflicts; cancelable (then the page resolves it).
 * @fires {CrmFormErrorEvent} crm-form-error - The entity could not be read, or a save was refused (rolled back; or, when the CRM's backend refused values, kept with its messages under the fields).
 * @fires {CrmFormRefusedEvent} crm-form-refused - A save was refused, and the form says so: its values, the error, and `replayed` for one the form did not make (sent from the outbox after a reload).
 * @fires {CrmFormChangeEvent} crm-form-change - The data shown changed (loaded, remote, own save).
 * @fires {CrmFormDeletedEvent} crm-form-deleted - The CRM deleted the record: the form saves no more, its fields keep their values to copy.
 */
export class CrmCollaborativeForm extends LitElement {
  /** A language or direction switched around the element renders it again in the new one. */
  private readonly languageWatch = new LanguageWatch(this);

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
   * needs the user (a conflict, saves waiting offline or to be saved, a save the CRM did not
   * answer, a refused save, a record that cannot be read); otherwise it is visually hidden but still announced, and each field's tab shows its
   * save.
   */
  @property({ type: Boolean, reflect: true }) compact = false;

  /**
   * The page's framework binds the fields' values (React's `value=`, Vue's `v-model`, Angular's
   * forms): the record is written into them as typing would, with `input` and `change` events
   * (and `click` for checkboxes and radios), so the framework's state follows it.
   */
  @property({ type: Boolean }) controlled = false;

  /**
   * With `save-mode="submit"`, ask the browser to confirm closing or reloading the page while
   * changes are not saved (only then). `warn-before-unload="false"` turns it off, for a page that
   * asks in its own way. With `save-mode="change"` a change is saved when the page goes to the
   * background or is left, or the element leaves it; the browser asks only while a changed value
   * fails its validation (it is not saved until corrected).
   */
  @property({
    attribute: 'warn-before-unload',
    converter: (value) => value !== 'false',
  })
  warnBeforeUnload = true;

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

  /**
   * Replacements for the texts of the conflict dialog the form opens (see
   * `ConflictDialogMessages`): the dialog lives in the form's shadow root, out of the page's
   * reach, so a translated page hands its words over here.
   */
  @property({ attribute: false }) conflictMessages: Partial<ConflictDialogMessages> | undefined =
    undefined;

  /** Where time comes from (the highlight, the autosave delay); for tests and stories. */
  @property({ attribute: false }) clock: Clock = realClock;

  @state() private announcement = '';

  private readonly live = new LiveDataController(this, () => this.target(), {
    onConflict: (conflict) => this.session.conflicts.arrived(conflict),
  });
  private readonly presence = new PresenceController(this, () => this.room());
  private readonly sync = new FieldSync({
    controlled: () => this.controlled,
    cannotShow: (field, value) => {
      const shown = JSON.stringify(value);
      warnOnce(
        `cannot-show:${field}:${shown}`,
        `cannot show ${shown} in the field "${field}" (no option for it): it keeps that value ` +
          'and saves the field only when the user changes it.',
      );
    },
  });
  private readonly session = new FormSession(this.live, this.sync, {
    entity: () => this.target(),
    rendered: () => this.updateComplete.then(() => this.isConnected),
    selfId: () => this.live.client?.user?.id,
    fire: (event) => {
      if (event instanceof CrmFormSaveEvent) this.warnScripted(Object.keys(event.fields));
      return this.dispatchEvent(event);
    },
    changed: () => this.requestUpdate(),
    remoteWritten: (author, fields) => this.remoteWritten(author, fields),
    readOnlyNotSaved: () => this.m.readOnlyNotSaved(this.c),
  });
  private readonly locks = new FieldLocks();
  private readonly submits = new SubmitControls();
  private readonly marks = new FieldMarks(this, {
    setTimeout: (fn, ms) => this.clock.setTimeout(fn, ms),
    clearTimeout: (handle) => this.clock.clearTimeout(handle),
  });
  private readonly watcher = new FieldWatcher(this, {
    form: () => this.form(),
    isOwnNode: (node) => this.marks.isOwnNode(node),
    changed: (fields) => this.fieldsChanged(fields),
    warn: (message) => warnOnce(`field:${message}`, message),
    resized: () => this.tabs.layout(),
    // A submit button added to a deleted record's form is marked in the same turn, not at the
    // next unrelated update.
    mutated: () => this.submits.update(this.form(), this.deleted),
  });
  private readonly tabs = new TabOverlay(this, () =>
    this.renderRoot?.querySelector<HTMLElement>('.overlay'),
  );
  private readonly input = new FormInput(this, this.sync, {
    form: () => this.form(),
    isLive: () => this.session.isLive,
    saveDelay: () => (this.saveMode === 'change' ? this.saveDelay : undefined),
    clock: () => this.clock,
    save: () => void this.save(),
    refuse: () => this.refuseSubmit(),
    reset: () => this.session.reset(),
    setActivity: (activity) => this.presence.setActivity(activity),
    changed: () => this.requestUpdate(),
  });
  private readonly leaving = new FormLeaving({
    onChange: () => this.saveMode === 'change',
    unsaved: () => this.session.isLive && this.sync.dirtyNames().length > 0,
    invalid: () => this.sync.invalidDirtyNames().length > 0,
    save: () => void this.save(),
    connected: () => this.isConnected,
    keep: () => this.live.keepUntilLeft(),
  });
  private editors: FieldPresence = { byField: new Map(), joined: [] };
  /** Fields whose held-back remote change was announced, so each is announced once. */
  private heldAnnounced: ReadonlySet<string> = new Set();
  /** The CRM backend's messages under fields that were announced, so each is announced once. */
  private refusedAnnounced: ReadonlyMap<string, string> = new Map();
  /** The re-render that moves the countdown to a save's next try on (see `followRetry`). */
  private retryTick: unknown;
  /** When a save is tried again, in words (`nextTry`), while one waits to be. */
  private nextTry: string | undefined;
  /** What this update has to say, read out together at its end (see `announce`). */
  private toSay: string[] = [];
  private m: CollaborativeFormMessages = defaultCollaborativeFormMessages;
  private c: MessageContext = messageContext('en');

  // ---- public API -----------------------------------------------------------------------------

  /** Every field as the form shows the record: confirmed, plus the user's unconfirmed saves. */
  get data(): Readonly<Fields> {
    return this.live.data;
  }

  /** What the status line says, as a keyword (see `FormStatusKind`). */
  get status(): FormStatusKind {
    return this.session.status().kind;
  }

  /** Names of the fields the form took, in document order. */
  get fieldNames(): string[] {
    return [...this.sync.fields.keys()];
  }

  /**
   * The CRM deleted the record this form shows: it saves no more, and the page's submit buttons
   * are marked inactive. Also reflected as the `deleted` attribute, for page CSS such as
   * `crm-collaborative-form[deleted] .toolbar`.
   */
  get deleted(): boolean {
    return this.live.snapshot?.deleted === true;
  }

  /** Fields changed and not saved: by the user, or by a script since the record was shown. */
  get dirtyFields(): string[] {
    return this.sync.differing();
  }

  /**
   * Save the changed fields now (what a submit does). Resolves with the outcome, or `undefined`
   * when nothing was sent (nothing changed, not connected, or a `crm-form-save` listener said
   * no). While a conflict waits for the user's decision, its fields are left to the dialog, which
   * opens again (not for a conflict the page took over with `crm-form-conflict`: the page asks);
   * the others are stored at once and sent once it is resolved (the outcome then).
   */
  save(): Promise<ChangeInfo | undefined> {
    this.input.cancelAutosave();
    return this.session.save(this.saveMode === 'change');
  }

  /** Open the conflict dialog for the open conflict, if there is one. */
  resolveConflict(): void {
    this.session.conflicts.showOpen();
  }

  // ---- lifecycle ------------------------------------------------------------------------------

  override connectedCallback(): void {
    super.connectedCallback();
    installFieldMarks(this);
    this.input.connect();
    this.leaving.connect();
    this.watcher.start();
    this.tabs.connect();
  }

  override disconnectedCallback(): void {
    // While the record is still held: a change waiting to be saved on change goes once the
    // element is known to have left, not only moved.
    this.leaving.disconnect();
    super.disconnectedCallback();
    this.input.disconnect();
    this.tabs.disconnect();
    this.watcher.stop();
    this.marks.clear();
    this.locks.clear();
    this.submits.clear();
    this.sync.release();
    this.session.disconnected();
    this.followRetry(undefined);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    this.m = withDefaults(
      defaultCollaborativeFormMessages,
      this.messages,
      '<crm-collaborative-form>',
    );
    this.c = messageContext(localeOf(this));
    if (changed.has('formId') && this.hasUpdated) this.watcher.rescan();
    if (changed.has('saveMode') && !['submit', 'change'].includes(this.saveMode)) {
      warnOnce('save-mode', `save-mode must be "submit" or "change"; using "submit".`);
    }
    // An update still pending when the element left must not touch the page's fields again.
    if (!this.isConnected) {
      this.tabs.groups = [];
      return;
    }
    this.input.hold(this.session.isLive);
    // Before the snapshot is applied: an amend makes a new one (the conflict with the user's value).
    this.session.conflicts.keepTyped();
    const focused = this.input.focused;
    this.session.applySnapshot(focused);
    this.session.noticeRefusals();
    // A deleted record: the page's submit buttons look and read inactive (and say why when pressed).
    this.toggleAttribute('deleted', this.deleted);
    this.submits.update(this.form(), this.deleted);
    // Fields the server says this user may not change: locked, and their labels say why.
    this.locks.apply(
      this.sync.fields,
      this.live.snapshot?.status === 'ready' ? this.live.snapshot.readOnly : [],
      this.m.readOnlyField(this.c),
    );
    this.session.followEditing(focused?.name);
    this.editors = fieldPresence({
      people: this.presence.people,
      self: this.presence.self?.user.id ?? this.live.client?.user?.id,
      fields: this.sync.fields,
      focused: focused?.name,
      previous: this.editors,
    });
    const joined = this.editors.joined[0];
    if (joined && focused) {
      this.announce(this.m.joinedField(joined, this.label(focused.name), this.c));
    }
    this.announceHeld();
    this.announceRefusedValues();
    this.tabs.groups = this.updateMarks();
    this.nextTry = this.followRetry(this.session.status().retryAt);
    this.sayAll();
  }

  protected override updated(): void {
    this.tabs.layout();
    this.leaving.warn = this.warnBeforeUnload;
    this.leaving.update();
  }

  // ---- the entity and its form ----------------------------------------------------------------

  private target() {
    return { entityType: this.entityType, entityId: this.entityId };
  }

  private room(): string | undefined {
    const type = this.entityType.trim();
    const id = this.entityId.trim();
    return type && id ? `${type}:${id}` : undefined;
  }

  /** The `<form>` whose submit the element takes. */
  private form(): HTMLFormElement | undefined {
    return formOf(this, this.formId, (message) => warnOnce(`form-id:${this.formId}`, message));
  }

  private fieldsChanged(fields: ReadonlyMap<string, FieldBinding>): void {
    this.input.fieldsChanged(fields);
    this.session.setFields(fields);
    this.requestUpdate();
  }

  /**
   * A submit that cannot save, since the CRM deleted the record: said again, so a press of the
   * inactive Save is answered (the status line said it once, when it happened). True when so.
   */
  private refuseSubmit(): boolean {
    if (!this.deleted) return false;
    this.announce(this.m.loadFailed('not_found', this.c));
    this.requestUpdate();
    return true;
  }

  // ---- presentation ---------------------------------------------------------------------------

  /** Someone else's change arrived in fields the user is not in: flash them and say so. */
  private remoteWritten(author: string, fields: readonly string[]): void {
    if (!reducedMotion()) {
      for (const name of fields) this.marks.highlight(this.sync.fields.get(name)!, HIGHLIGHT_MS);
    }
    const labels = fields.map((f) => this.label(f));
    this.announce(this.m.remoteChanged(author, labels, this.c));
  }

  /**
   * Someone else's change to a field the user is editing is held back (the field keeps the
   * user's text): said once, as changes to the other fields are, since the field's description
   * alone is only read when the user moves to it again.
   */
  private announceHeld(): void {
    const held = new Set(this.live.held);
    const fresh = [...held].filter((field) => !this.heldAnnounced.has(field));
    this.heldAnnounced = held;
    if (fresh.length === 0) return;
    const author = this.live.entity?.updatedBy?.name ?? '';
    this.announce(
      this.m.remoteHeld(
        author,
        fresh.map((f) => this.label(f)),
        this.c,
      ),
    );
  }

  /**
   * The CRM backend's message under a field whose value it refused, said once as it appears: the
   * status line only says to check the marked fields, the field's description is read only when
   * the user moves to it, and a save replayed after a reload was refused with nobody at the field.
   */
  private announceRefusedValues(): void {
    const shown = new Map<string, string>();
    for (const name of this.sync.fields.keys()) {
      const message = this.sync.errorMessage(name);
      if (message !== undefined) shown.set(name, message);
    }
    for (const [name, message] of shown) {
      if (this.refusedAnnounced.get(name) === message) continue;
      this.announce(this.m.valueRefused(this.label(name), message, this.c));
    }
    this.refusedAnnounced = shown;
  }

  /**
   * A save carries values no user typed (a script set them, with no `input` or `change`): they
   * are saved, as a page's own scripts expect, but a framework that controls its fields (React's
   * `value`, Vue's `v-model`, Angular's `ngModel`) re-applies its state on every render, over
   * the record, and the save then writes that state for everyone. Said once per field, naming it.
   */
  private warnScripted(fields: readonly string[]): void {
    for (const field of this.sync.setByScript(fields)) {
      warnOnce(
        `scripted:${field}`,
        `saves "${field}", which changed with no input or change event (a script or a framework ` +
          'set it). If a framework controls this field (React value=, Vue v-model, Angular ' +
          'ngModel), it writes its own state over the record on each render: leave the fields ' +
          'inside <crm-collaborative-form> uncontrolled.',
      );
    }
  }

  private conflictControl(): HTMLElement | undefined {
    const field = this.session.conflicts.conflict?.shown[0]?.field;
    return field === undefined ? undefined : this.sync.fields.get(field)?.elements[0];
  }

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

  /** Says `text` at the end of this update, after what it already had to say. */
  private announce(text: string): void {
    this.toSay.push(text);
  }

  /** One announcement per update: two set apart would leave only the last to be read. */
  private sayAll(): void {
    if (this.toSay.length === 0) return;
    const text = this.toSay.join(' ');
    this.toSay = [];
    // The same words twice in a row would not be read again: make them differ invisibly.
    this.announcement = text === this.announcement ? `${text}\u00a0` : text;
  }

  private updateMarks(): FieldTabs[] {
    const { states, groups } = fieldViews({
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
    this.marks.update(this.sync.fields, states);
    this.watcher.observeAnchors(groups.map((g) => g.anchor));
    return groups;
  }

  /**
   * While a save waits to be tried again, the countdown beside the status moves on once a second
   * (one timer, on the form's clock); the status itself, a live region, stays as it is.
   */
  private followRetry(at: number | undefined): string | undefined {
    if (this.retryTick !== undefined) this.clock.clearTimeout(this.retryTick);
    this.retryTick = undefined;
    if (at === undefined || !this.isConnected) return undefined;
    const left = at - this.clock.now();
    if (left > 0) {
      this.retryTick = this.clock.setTimeout(
        () => {
          this.retryTick = undefined;
          this.requestUpdate();
        },
        left % 1000 || 1000,
      );
    }
    return this.m.nextTry(Math.max(0, Math.ceil(left / 1000)), this.c);
  }

  protected override render(): TemplateResult {
    const status = this.session.status();
    return formTemplate(
      {
        tabs: this.tabs.groups,
        status,
        statusText: statusText(status, this.live.error?.code, this.m, this.c),
        statusSpoken: this.session.hasLoaded,
        nextTry: this.nextTry,
        refused: this.session.refused,
        conflict: this.session.conflicts.conflict,
        dialogOpen: this.session.conflicts.dialogOpen,
        // When the dialog was opened by "Resolve…", that button is gone once it closes.
        conflictControl: this.conflictControl(),
        announcement: this.announcement,
        recordLabel: this.recordLabel(),
        clock: this.clock,
        label: (field) => this.label(field),
        m: this.m,
        c: this.c,
        dialogMessages: this.conflictMessages,
      },
      this.actions,
    );
  }

  private readonly actions = {
    resolveLater: () => this.resolveConflict(),
    restore: () => this.session.restore(),
    dismiss: () => this.session.dismiss(),
    resolve: (event: CrmConflictResolveEvent) => this.session.resolve(event.choices),
    cancel: (_event: CrmConflictCancelEvent) => this.session.conflicts.cancel(),
  };
}
