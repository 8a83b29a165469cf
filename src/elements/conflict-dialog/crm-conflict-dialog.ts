import { html, LitElement, type PropertyValues, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { Clock } from '../../client/types.js';
import {
  CrmConflictCancelEvent,
  CrmConflictResolveEvent,
  type ConflictCancelSource,
  type ConflictChoice,
} from '../../events/conflict-events.js';
import { localeOf, messageContext, withDefaults, type MessageContext } from '../../i18n.js';
import type { FieldConflict } from '../../protocol/entities.js';
import { fieldValue } from '../../protocol/own-field.js';
import { defaultConflictMessages, type ConflictDialogMessages } from './conflict-messages.js';
import { styles } from './crm-conflict-dialog.styles.js';
import {
  actionsTemplate,
  authorTemplate,
  fieldTemplate,
  type ConflictAuthor,
} from './templates.js';
import { isolate } from '../shared/bidi.js';
import { ValueFormatter } from '../shared/format-value.js';
import { fromConflicts, mergeResolution, resolutionOf, type FieldValues } from './merge.js';
import { sameJson } from '../../util/same-json.js';
import { Modal } from './modal.js';
import { timeText } from '../shared/relative-time.js';
import { realClock } from '../../util/clock.js';
import { warnOnceFor } from '../../util/warn.js';
import { LanguageWatch } from '../shared/language-watch.js';

export type { ConflictAuthor } from './templates.js';

/** The relative time is refreshed this often while the dialog is open. */
const TICK_MS = 30_000;

const warnOnce = warnOnceFor('<crm-conflict-dialog>');

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A record property as given, or `{}` (with a warning) when it is not an object. */
function recordOf(name: string, value: unknown): FieldValues {
  if (value === undefined || value === null) return {};
  if (isRecord(value)) return value;
  warnOnce(`record:${name}`, `${name} must be an object of field values; ignoring it.`);
  return {};
}

/**
 * A modal that shows, field by field, a change the user made and a change someone else saved to
 * the same fields meanwhile, and lets the user keep theirs, take the other, or choose per field.
 *
 * Pure and property driven: it never touches the connection. Give it the two versions (and, where
 * known, the value each field had before) with `localData`, `remoteData`, `baseData` and
 * `conflictedFields`, or all at once with `.conflicts` from an `entity.conflict` answer; set `open`.
 * It opens as a native modal `<dialog>` (`showModal()`), so the rest of the page is inert and focus
 * stays inside; focus returns where it was on close. "Yours" is preselected on every field, so
 * Enter keeps the user's work. Values of any JSON type are shown readably, always as text, with the
 * words that changed marked.
 *
 * The resolution is a request: `crm-conflict-resolve` carries the merged data to save, and the
 * dialog closes only when no listener called `preventDefault()`. Escape and Cancel send
 * `crm-conflict-cancel`, likewise cancelable.
 *
 * @tagname crm-conflict-dialog
 * @summary Field-by-field resolution of an edit conflict: mine, theirs, or a mix.
 *
 * @csspart dialog - The native `<dialog>` (style its backdrop with `::part(dialog)::backdrop`).
 * @csspart header - Title, explanation and who changed it.
 * @csspart icon - The badge beside the title.
 * @csspart title - The title (`<h2>`).
 * @csspart description - The sentence under the title.
 * @csspart author - The line with the remote author and the time of their change.
 * @csspart avatar - The remote author's picture or initials, on the colour presence and the feed give them.
 * @csspart avatar-image - The picture.
 * @csspart time - The time of the remote change (`<time>`).
 * @csspart body - The scrolling list of fields.
 * @csspart field - One conflicted field (a `<fieldset>`).
 * @csspart field-label - Its `<legend>`.
 * @csspart base - The line with the value before both changes ("Was …").
 * @csspart options - The two cards of a field.
 * @csspart option - One card; also `option-mine`, `option-theirs`, and `option-selected` when chosen.
 * @csspart radio - The radio button of a card.
 * @csspart option-title - "Yours" / "Theirs".
 * @csspart option-hint - "Not saved yet" / "Saved by …".
 * @csspart value - A value, in a card or in the base line.
 * @csspart change - A changed part of a value (`<mark>`).
 * @csspart empty - The "— Empty" of an empty value.
 * @csspart list - A value that is a list.
 * @csspart record - A value that is an object (`<dl>`).
 * @csspart json - A deep value shown as JSON (`<pre>`).
 * @csspart actions - The row of buttons.
 * @csspart summary - "2 yours, 1 theirs", beside the primary button.
 * @csspart button - Every button; also `button-mine`, `button-theirs`, `button-cancel`, `button-primary`.
 *
 * @cssprop [--crm-conflict-dialog-width=46rem] - Largest inline size of the dialog.
 * @cssprop [--crm-conflict-dialog-max-height=calc(100dvh - 2rem)] - Largest block size; the list of fields scrolls.
 * @cssprop [--crm-conflict-dialog-background=var(--crm-color-surface-raised)] - Dialog background.
 * @cssprop [--crm-conflict-dialog-radius=var(--crm-radius-xl)] - Dialog corner radius.
 * @cssprop [--crm-conflict-dialog-shadow=var(--crm-shadow-l)] - Dialog shadow.
 * @cssprop [--crm-conflict-dialog-backdrop=var(--crm-color-backdrop)] - The page behind the dialog.
 * @cssprop [--crm-conflict-dialog-selected-color=var(--crm-color-accent)] - Border of the chosen card.
 * @cssprop [--crm-conflict-dialog-selected-background=var(--crm-color-accent-subtle)] - Background of the chosen card.
 * @cssprop [--crm-conflict-dialog-change-background=var(--crm-color-warning-subtle)] - Highlight of changed words.
 * @cssprop [--crm-conflict-dialog-icon-color=var(--crm-color-warning-text)] - The title badge.
 * @cssprop [--crm-conflict-dialog-duration=var(--crm-duration-medium)] - Opening animation (none under reduced motion).
 *
 * @fires {CrmConflictResolveEvent} crm-conflict-resolve - The user resolved the conflict; cancelable (the dialog then stays open).
 * @fires {CrmConflictCancelEvent} crm-conflict-cancel - The user asked to leave without resolving (Escape, Cancel); cancelable.
 */
export class CrmConflictDialog extends LitElement {
  /** A language or direction switched around the element renders it again in the new one. */
  private readonly languageWatch = new LanguageWatch(this);

  static override styles = styles;

  /** Shows the dialog (modal) while true. Set false to close it without an event. */
  @property({ type: Boolean, reflect: true }) open = false;

  /** The user's version: their values of the conflicted fields, and any other fields they changed. */
  @property({ attribute: false }) localData: Record<string, unknown> = {};

  /** The version saved meanwhile by someone else (what is stored now). */
  @property({ attribute: false }) remoteData: Record<string, unknown> = {};

  /** The value each field had before both changes, where known (shown as "Was …"). */
  @property({ attribute: false }) baseData: Record<string, unknown> = {};

  /**
   * The fields changed on both sides, in display order. When empty, the fields of `localData`
   * whose value differs from `remoteData`.
   */
  @property({ attribute: false }) conflictedFields: string[] = [];

  /** Who saved the other version. */
  @property({ attribute: false }) remoteAuthor: ConflictAuthor | undefined = undefined;

  /** When the other version was saved, in epoch milliseconds. */
  @property({ type: Number, attribute: 'remote-changed-at' }) remoteChangedAt: number | undefined =
    undefined;

  /** Display names of fields, e.g. `{ email: 'E-mail address' }`; others go through `messages.fieldLabel`. */
  @property({ attribute: false }) fieldLabels: Record<string, string> = {};

  /** What was edited, for the explanation, e.g. "Customer Acme Corp". */
  @property({ attribute: 'entity-label' }) entityLabel = '';

  /** Replacements for the built-in English texts (see `ConflictDialogMessages`). */
  @property({ attribute: false }) messages: Partial<ConflictDialogMessages> | undefined = undefined;

  /** Where "now" comes from for the relative time; for tests and stories. */
  @property({ attribute: false }) clock: Clock = realClock;

  /**
   * Where the focus goes when the dialog closes if the element that had it before the dialog
   * opened is gone meanwhile (say, the button that opened it, removed with the conflict); without
   * one, the focus would fall to the page's body.
   */
  @property({ attribute: false }) fallbackFocus: HTMLElement | undefined = undefined;

  @state() private choices: Record<string, ConflictChoice> = {};
  /** Avatar pictures that failed to load: the author's initials show instead. */
  @state() private brokenImages: ReadonlySet<string> = new Set();
  private readonly onImageError = (src: string): void => {
    this.brokenImages = new Set(this.brokenImages).add(src);
  };
  // What `@query('dialog')` would read, without the decorator's code in the kit (no other user).
  private get dialog(): HTMLDialogElement | null {
    return this.renderRoot?.querySelector('dialog') ?? null;
  }

  private lastConflicts: readonly FieldConflict[] = [];
  private tick: unknown;
  private readonly modal = new Modal(this, {
    dialog: () => this.dialog,
    requestClose: () => this.requestCancel('escape'),
    wanted: () => this.open,
    closed: () => {
      this.open = false;
      this.stopTicking();
    },
    warn: (message) => warnOnce('modal', message),
    fallbackFocus: () => this.fallbackFocus,
  });
  private m: ConflictDialogMessages = defaultConflictMessages;
  private c: MessageContext = messageContext('en');

  /**
   * The conflicts of an `entity.conflict` answer, all at once: sets `conflictedFields`,
   * `localData` (mine), `remoteData` (theirs), `baseData` (base), and the author and time of the
   * most recent remote change.
   */
  set conflicts(conflicts: readonly FieldConflict[]) {
    if (!Array.isArray(conflicts)) {
      warnOnce('conflicts', 'conflicts must be an array of field conflicts; ignoring it.');
      return;
    }
    const list = conflicts.filter((c) => isRecord(c) && typeof c.field === 'string');
    this.lastConflicts = list;
    Object.assign(this, fromConflicts(list));
  }
  get conflicts(): readonly FieldConflict[] {
    return this.lastConflicts;
  }

  /** The conflicted fields actually shown (see `conflictedFields`). */
  get fields(): string[] {
    const given = Array.isArray(this.conflictedFields) ? this.conflictedFields : [];
    if (!Array.isArray(this.conflictedFields)) {
      warnOnce('fields', 'conflictedFields must be an array of field names; ignoring it.');
    }
    const names = given.filter((f): f is string => typeof f === 'string' && f !== '');
    if (names.length > 0) return [...new Set(names)];
    const local = recordOf('localData', this.localData);
    const remote = recordOf('remoteData', this.remoteData);
    return Object.keys(local).filter((k) => !sameJson(local[k], fieldValue(remote, k)));
  }

  /** The data the current choices would save (what `crm-conflict-resolve` would carry). */
  get merged(): Record<string, unknown> {
    return this.mergeWith(this.currentChoices());
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.hasUpdated) void this.updateComplete.then(() => this.syncOpen());
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopTicking();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    this.m = withDefaults(defaultConflictMessages, this.messages, '<crm-conflict-dialog>');
    this.c = messageContext(localeOf(this));
    if (changed.has('open') && this.open && !changed.get('open')) this.choices = {};
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('open')) this.syncOpen();
    else if (changed.has('remoteChangedAt') && this.modal.isOpen) this.startTicking();
  }

  // ---- opening and closing ------------------------------------------------------------------

  private syncOpen(): void {
    if (this.open && !this.modal.isOpen) {
      if (this.modal.show()) this.startTicking();
    } else if (!this.open && this.modal.isOpen) {
      this.closeDialog();
    }
  }

  /** Close now and give the focus back; `open` follows. */
  private closeDialog(): void {
    this.open = false;
    this.stopTicking();
    this.modal.close();
  }

  /** Fire the cancel request; close when nobody refused it. True when closed. */
  private requestCancel(source: ConflictCancelSource): boolean {
    if (!this.dispatchEvent(new CrmConflictCancelEvent(source))) return false;
    this.closeDialog();
    return true;
  }

  private resolve(choices: Record<string, ConflictChoice>): void {
    const fields = this.fields;
    const event = new CrmConflictResolveEvent({
      resolution: resolutionOf(fields, choices),
      choices: { ...choices },
      merged: this.mergeWith(choices),
    });
    if (this.dispatchEvent(event)) this.closeDialog();
  }

  private chooseAll(side: ConflictChoice): void {
    const choices = Object.fromEntries(this.fields.map((f) => [f, side] as const));
    this.choices = choices;
    this.resolve(choices);
  }

  private onSubmit = (event: SubmitEvent): void => {
    event.preventDefault();
    this.resolve(this.currentChoices());
  };

  // ---- state helpers ------------------------------------------------------------------------

  private currentChoices(): Record<string, ConflictChoice> {
    // Own choices only: a field named `constructor` must not pick up Object's constructor.
    return Object.fromEntries(
      this.fields.map((f) => [f, fieldValue(this.choices, f) ?? 'mine'] as const),
    );
  }

  private mergeWith(choices: Record<string, ConflictChoice>): Record<string, unknown> {
    return mergeResolution({
      local: recordOf('localData', this.localData),
      remote: recordOf('remoteData', this.remoteData),
      base: recordOf('baseData', this.baseData),
      fields: this.fields,
      choices,
    });
  }

  private choose = (field: string, side: ConflictChoice): void => {
    this.choices = { ...this.choices, [field]: side };
  };

  private startTicking(): void {
    this.stopTicking();
    if (this.remoteChangedAt === undefined) return;
    this.tick = this.clock.setTimeout(() => {
      this.requestUpdate();
      this.startTicking();
    }, TICK_MS);
  }

  private stopTicking(): void {
    if (this.tick !== undefined) this.clock.clearTimeout(this.tick);
    this.tick = undefined;
  }

  private label(field: string): string {
    const labels = isRecord(this.fieldLabels) ? this.fieldLabels : {};
    const given = fieldValue(labels, field);
    return typeof given === 'string' && given.trim() ? given : this.m.fieldLabel(field, this.c);
  }

  // ---- rendering ----------------------------------------------------------------------------

  protected override render(): TemplateResult {
    const m = this.m;
    const c = this.c;
    const fields = this.fields;
    const count = fields.length;
    const choices = this.currentChoices();
    const mine = fields.filter((f) => choices[f] === 'mine').length;
    const author =
      isRecord(this.remoteAuthor) && typeof this.remoteAuthor.name === 'string'
        ? this.remoteAuthor
        : undefined;
    const when =
      this.remoteChangedAt !== undefined
        ? timeText(this.remoteChangedAt, this.clock.now(), c.locale)
        : undefined;
    const data = {
      local: recordOf('localData', this.localData),
      remote: recordOf('remoteData', this.remoteData),
      base: recordOf('baseData', this.baseData),
      format: new ValueFormatter({ locale: c.locale, yes: m.yes(c), no: m.no(c) }),
      authorName: author?.name ?? '',
      m,
      c,
      onChoose: this.choose,
    };
    return html`<dialog
      part="dialog"
      aria-labelledby="title"
      aria-describedby="description"
      @cancel=${this.modal.onCancel}
      @close=${this.modal.onClose}
      @keydown=${this.modal.onKeydown}
    >
      <form class="form" @submit=${this.onSubmit}>
        <header part="header" class="header">
          <span part="icon" class="icon" aria-hidden="true">${conflictIcon}</span>
          <div class="heading">
            <h2 part="title" id="title" class="title">${m.title(count, c)}</h2>
            <p part="description" id="description" class="description" dir="auto">
              ${m.description(
                { author: isolate(author?.name ?? ''), entity: isolate(this.entityLabel), count },
                c,
              )}
            </p>
            ${authorTemplate(author, when, m, c, this.brokenImages, this.onImageError)}
          </div>
        </header>
        <div part="body" class="body">
          ${fields.map((field, index) =>
            fieldTemplate({
              ...data,
              field,
              index,
              label: this.label(field),
              choice: choices[field]!,
            }),
          )}
        </div>
        ${actionsTemplate({
          count,
          mine,
          m,
          c,
          onAll: (side) => this.chooseAll(side),
          onCancel: () => this.requestCancel('cancel-button'),
        })}
      </form>
    </dialog>`;
  }
}

/** Two opposing arrows: two versions of the same thing. */
const conflictIcon = html`<svg viewBox="0 0 20 20" aria-hidden="true" focusable="false">
  <path
    fill="none"
    stroke="currentColor"
    stroke-width="1.6"
    stroke-linecap="round"
    stroke-linejoin="round"
    d="M3.5 7h13m0 0L13 3.5M16.5 7 13 10.5M16.5 13h-13m0 0L7 9.5M3.5 13 7 16.5"
  />
</svg>`;
