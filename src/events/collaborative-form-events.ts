/**
 * Events fired by `<crm-collaborative-form>`. `crm-form-save` and `crm-form-conflict` are requests
 * the page may veto (the form acts only when `dispatchEvent` returns true); the others are facts.
 * All bubble and are composed, for the page.
 */
import type { ChangeInfo, LiveConflict } from '../client/live-data/live-data-types.js';
import type { RealtimeError } from '../client/realtime-error.js';
import type { Fields } from '../protocol/index.js';
import { CrmEntityPageEvent } from './page-event.js';

/** Which entity an event is about. */
export interface FormEntity {
  readonly entityType: string;
  readonly entityId: string;
}

/**
 * The form is about to save these fields (the ones the user changed). Cancelable: call
 * `preventDefault()` to keep them unsaved (the fields stay as the user left them), say, after a
 * validation of the page's own.
 */
export class CrmFormSaveEvent extends CrmEntityPageEvent implements FormEntity {
  static readonly eventName = 'crm-form-save';

  constructor(
    entityType: string,
    entityId: string,
    /** The fields to save, by name, as JSON values (see the element's doc for each input type). */
    readonly fields: Readonly<Fields>,
  ) {
    super(CrmFormSaveEvent.eventName, entityType, entityId, { cancelable: true });
  }
}

/** The server confirmed a save of this form (also a resolved conflict, or an offline replay). */
export class CrmFormSavedEvent extends CrmEntityPageEvent implements FormEntity {
  static readonly eventName = 'crm-form-saved';

  constructor(
    entityType: string,
    entityId: string,
    /** The fields saved. */
    readonly fields: Readonly<Fields>,
    /** The entity's version after the save. */
    readonly version: number | undefined,
    /** The change as the live-data layer reports it (state `confirmed`). */
    readonly change: ChangeInfo,
  ) {
    super(CrmFormSavedEvent.eventName, entityType, entityId);
  }
}

/**
 * Someone saved the same fields since the user's version: the form is about to open its
 * `<crm-conflict-dialog>`. Cancelable: call `preventDefault()` to handle it yourself with
 * `conflict.resolve(fields)` or `conflict.discard()`; until then the form shows "Conflict".
 */
export class CrmFormConflictEvent extends CrmEntityPageEvent implements FormEntity {
  static readonly eventName = 'crm-form-conflict';

  constructor(
    entityType: string,
    entityId: string,
    readonly conflict: LiveConflict,
  ) {
    super(CrmFormConflictEvent.eventName, entityType, entityId, { cancelable: true });
  }
}

/** What failed: reading the entity, or saving a change. */
export type FormErrorPhase = 'load' | 'save';

/**
 * The entity could not be read (`load`: `not_found`, `forbidden`), or the server refused a save
 * (`save`: its values were rolled back, or kept with the CRM backend's messages, and the form
 * shows the error; `crm-form-refused` says more, such as a save replayed after a reload). Also
 * (`save`, `forbidden`, `error.fields` naming them) for changed fields the record says are now
 * read-only for the user, which a save leaves out and keeps in their fields.
 */
export class CrmFormErrorEvent extends CrmEntityPageEvent implements FormEntity {
  static readonly eventName = 'crm-form-error';

  constructor(
    entityType: string,
    entityId: string,
    readonly phase: FormErrorPhase,
    readonly error: RealtimeError,
    /** `save`: the fields that were not saved. */
    readonly fields: Readonly<Fields> = {},
  ) {
    super(CrmFormErrorEvent.eventName, entityType, entityId);
  }
}

/**
 * A save of the form's record was refused for good, and the form says so: by the server
 * (`forbidden`, `not_found` …: the stored values show again and "Restore my edits" offers the
 * user's back), by the CRM's backend (`invalid`, a message per field in `error.fields`: the
 * values stay in their fields, marked), or in fields made read-only for the user meanwhile
 * (`forbidden` with `error.fields` naming them: the other fields were saved, `change.refused`
 * holds these values, which stay in their fields, marked). Also for a save the user made before the page was
 * reloaded (or in a tab since closed), kept in the outbox and refused when it was sent
 * (`replayed`): the one way the page hears of it. `crm-form-error` (phase `save`) fires too.
 */
export class CrmFormRefusedEvent extends CrmEntityPageEvent implements FormEntity {
  static readonly eventName = 'crm-form-refused';

  constructor(
    entityType: string,
    entityId: string,
    /** The refused values of the form's fields, by name: what the form offers back. */
    readonly fields: Readonly<Fields>,
    readonly error: RealtimeError,
    /**
     * The change as the live-data layer reports it (state `rejected`, or `confirmed` with
     * `refused` when only fields now read-only were refused; `createdAt`: when made).
     */
    readonly change: ChangeInfo,
    /**
     * Not a save this form made and waited for: one replayed from the outbox (made before a
     * reload, or in a tab since closed), or another widget's save of the same record.
     */
    readonly replayed: boolean,
  ) {
    super(CrmFormRefusedEvent.eventName, entityType, entityId);
  }
}

/**
 * The CRM deleted the form's record (a merged duplicate, an erasure request): the form no longer
 * saves, and its fields (the page's own controls) keep what they show, for the user to copy.
 * Fired once per record. A page may navigate away, or offer the record's replacement.
 */
export class CrmFormDeletedEvent extends CrmEntityPageEvent implements FormEntity {
  static readonly eventName = 'crm-form-deleted';

  constructor(entityType: string, entityId: string) {
    super(CrmFormDeletedEvent.eventName, entityType, entityId);
  }
}

/** Why the form's data changed. */
export type FormChangeSource = 'load' | 'remote' | 'local';

/**
 * The data the form shows changed: first loaded, changed by someone else, or by this user's
 * save (optimistic, confirmed, rolled back, resolved). For page parts that show the same record
 * outside the form, such as a heading.
 */
export class CrmFormChangeEvent extends CrmEntityPageEvent implements FormEntity {
  static readonly eventName = 'crm-form-change';

  constructor(
    entityType: string,
    entityId: string,
    /** Every field as the form shows it now (confirmed, plus the user's unconfirmed saves). */
    readonly data: Readonly<Fields>,
    /** The fields whose value changed. */
    readonly changed: readonly string[],
    readonly source: FormChangeSource,
  ) {
    super(CrmFormChangeEvent.eventName, entityType, entityId);
  }
}

/** The element's events by name, for the event maps below: `addEventListener` types them. */
interface FormEvents {
  'crm-form-save': CrmFormSaveEvent;
  'crm-form-saved': CrmFormSavedEvent;
  'crm-form-conflict': CrmFormConflictEvent;
  'crm-form-error': CrmFormErrorEvent;
  'crm-form-refused': CrmFormRefusedEvent;
  'crm-form-change': CrmFormChangeEvent;
  'crm-form-deleted': CrmFormDeletedEvent;
}

declare global {
  interface HTMLElementEventMap extends FormEvents {}
  /** They bubble to the document, where a page may follow every form at once. */
  interface DocumentEventMap extends FormEvents {}
  /** And past the document to the window. */
  interface WindowEventMap extends FormEvents {}
  /** And through the shadow root of a component that holds the element (they are composed). */
  interface ShadowRootEventMap extends FormEvents {}
}
