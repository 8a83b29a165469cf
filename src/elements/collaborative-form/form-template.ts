/**
 * What `<crm-collaborative-form>` renders around the page's form: the overlay that holds the
 * fields' tabs, the status line (a polite live region) with "Resolve" or, outside the region,
 * when a save is tried again (a countdown read out on every tick would drown the page), the refused save's message
 * with "Restore" and "Dismiss", the hidden announcements, and the conflict dialog.
 */
import { html, nothing, type TemplateResult } from 'lit';
import type { Clock } from '../../util/clock.js';
import type {
  CrmConflictCancelEvent,
  CrmConflictResolveEvent,
} from '../../events/conflict-events.js';
import type { MessageContext } from '../../i18n.js';
import type { ConflictDialogMessages } from '../conflict-dialog/conflict-messages.js';
import { tabsTemplate, type FieldTabs } from './field-tabs.js';
import type { CollaborativeFormMessages } from './form-messages.js';
import type { ShownConflict } from './form-conflict-flow.js';
import type { Refusal } from './form-session.js';
import type { FormStatus } from './form-status.js';

export interface FormView {
  readonly tabs: readonly FieldTabs[];
  readonly status: FormStatus;
  readonly statusText: string;
  /**
   * The status line is a live region: from the first record shown on, so a page with several
   * forms does not have each of them say "Up to date" as it loads, and later changes are read.
   */
  readonly statusSpoken: boolean;
  /** `retrying`: when the next try is, shown beside the status and not announced (it counts down). */
  readonly nextTry?: string;
  readonly refused: Refusal | undefined;
  readonly conflict: ShownConflict | undefined;
  readonly dialogOpen: boolean;
  /** The control of the conflict's first field: the focus goes there when the dialog closes. */
  readonly conflictControl: HTMLElement | undefined;
  readonly announcement: string;
  readonly recordLabel: string | undefined;
  readonly clock: Clock;
  readonly label: (field: string) => string;
  readonly m: CollaborativeFormMessages;
  readonly c: MessageContext;
  /** The page's words for the conflict dialog (the form's `conflictMessages`). */
  readonly dialogMessages: Partial<ConflictDialogMessages> | undefined;
}

export interface FormViewActions {
  readonly resolveLater: () => void;
  readonly restore: () => void;
  readonly dismiss: () => void;
  readonly resolve: (event: CrmConflictResolveEvent) => void;
  readonly cancel: (event: CrmConflictCancelEvent) => void;
}

/** The dialog's parts, exported as `dialog-<part>` so the page styles them through the form. */
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

export function formTemplate(view: FormView, on: FormViewActions): TemplateResult {
  const { m, c, status } = view;
  return html`<div part="overlay" class="overlay" aria-hidden="true">
      ${tabsTemplate(view.tabs)}
    </div>
    <slot></slot>
    <div part="status-bar" class="status-bar" data-kind=${status.kind}>
      <span part="status" class="status" role=${view.statusSpoken ? 'status' : nothing}
        ><span class="dot" aria-hidden="true"></span
        ><span dir="auto">${view.statusText}</span></span
      >
      ${
        view.nextTry
          ? html`<span part="next-try" class="next-try" dir="auto">${view.nextTry}</span>`
          : nothing
      }
      ${
        status.kind === 'conflict' && !view.dialogOpen
          ? html`<button
              part="button resolve"
              class="resolve"
              type="button"
              @click=${on.resolveLater}
            >
              ${m.resolve(c)}
            </button>`
          : nothing
      }
    </div>
    ${view.refused ? refusedTemplate(view, view.refused, on) : nothing}
    <div class="visually-hidden" aria-live="polite">${view.announcement}</div>
    ${view.conflict ? dialogTemplate(view, view.conflict, on) : nothing}`;
}

function refusedTemplate(view: FormView, refused: Refusal, on: FormViewActions): TemplateResult {
  const { m, c } = view;
  return html`<div part="error" class="error" role="alert">
    <p class="error-text">
      ${m.saveFailed(Object.keys(refused.fields).map(view.label), refused.error.code, c)}
    </p>
    <div class="error-actions">
      <button part="button restore" type="button" @click=${on.restore}>${m.restore(c)}</button>
      <button part="button dismiss" type="button" @click=${on.dismiss}>${m.dismiss(c)}</button>
    </div>
  </div>`;
}

function dialogTemplate(view: FormView, open: ShownConflict, on: FormViewActions): TemplateResult {
  return html`<crm-conflict-dialog
    part="dialog"
    exportparts=${DIALOG_PARTS}
    .conflicts=${open.shown}
    .fieldLabels=${Object.fromEntries(open.shown.map((f) => [f.field, view.label(f.field)]))}
    .clock=${view.clock}
    .messages=${view.dialogMessages}
    entity-label=${view.recordLabel || nothing}
    ?open=${view.dialogOpen}
    .fallbackFocus=${view.conflictControl}
    @crm-conflict-resolve=${on.resolve}
    @crm-conflict-cancel=${on.cancel}
  ></crm-conflict-dialog>`;
}
