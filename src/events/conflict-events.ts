/**
 * Events fired by `<crm-conflict-dialog>`. Both are requests the page may veto: the dialog acts
 * (closes) only when `dispatchEvent` returns true.
 */

/** Which version of one conflicted field to keep. */
export type ConflictChoice = 'mine' | 'theirs';

/**
 * The outcome as a whole: every field kept as mine, every field taken as theirs, or a mix chosen
 * field by field.
 */
export type ConflictResolution = 'mine' | 'theirs' | 'merged';

/** Where a cancel request came from. */
export type ConflictCancelSource = 'escape' | 'cancel-button';

/** What a resolution carries. */
export interface ConflictResolveDetail {
  /** `mine` or `theirs` when every field took that side, `merged` for a mix. */
  readonly resolution: ConflictResolution;
  /** The side chosen for each conflicted field. */
  readonly choices: Readonly<Record<string, ConflictChoice>>;
  /**
   * The data to save: the remote data, with the chosen local values applied to the conflicted
   * fields and the user's own non-conflicted changes on top. A field whose chosen value is
   * `undefined` (deleted on that side) is left out.
   */
  readonly merged: Readonly<Record<string, unknown>>;
}

/**
 * The user chose how to resolve a conflict. Cancelable: call `preventDefault()` to keep the
 * dialog open (say, while the save is refused). Bubbles and is composed, for the page.
 */
export class CrmConflictResolveEvent extends Event implements ConflictResolveDetail {
  static readonly eventName = 'crm-conflict-resolve';

  readonly resolution: ConflictResolution;
  readonly choices: Readonly<Record<string, ConflictChoice>>;
  readonly merged: Readonly<Record<string, unknown>>;

  constructor(detail: ConflictResolveDetail) {
    super(CrmConflictResolveEvent.eventName, { bubbles: true, composed: true, cancelable: true });
    this.resolution = detail.resolution;
    this.choices = detail.choices;
    this.merged = detail.merged;
  }
}

/**
 * The user asked to leave the dialog without resolving (Escape or the Cancel button). The page
 * decides what that means, e.g. keep editing and resolve later. Cancelable: `preventDefault()`
 * keeps the dialog open. Bubbles and is composed.
 */
export class CrmConflictCancelEvent extends Event {
  static readonly eventName = 'crm-conflict-cancel';

  constructor(
    /** `escape` for the Escape key (or another close request of the platform), or the button. */
    readonly source: ConflictCancelSource,
  ) {
    super(CrmConflictCancelEvent.eventName, { bubbles: true, composed: true, cancelable: true });
  }
}

/** The element's events by name, for the event maps below: `addEventListener` types them. */
interface ConflictDialogEvents {
  'crm-conflict-resolve': CrmConflictResolveEvent;
  'crm-conflict-cancel': CrmConflictCancelEvent;
}

declare global {
  interface HTMLElementEventMap extends ConflictDialogEvents {}
  /** They bubble to the document, where a page may handle every dialog at once. */
  interface DocumentEventMap extends ConflictDialogEvents {}
  /** And past the document to the window. */
  interface WindowEventMap extends ConflictDialogEvents {}
  /** And through the shadow root of a component that holds the element (they are composed). */
  interface ShadowRootEventMap extends ConflictDialogEvents {}
}
