/**
 * What the form's save session needs of the world around it, as interfaces: the live entity, the
 * page's fields, the element. Kept apart from the session so the conflict flow can take the same
 * ports without importing the session that owns it.
 */
import type {
  ChangeInfo,
  LiveConflict,
  LiveDataSnapshot,
  LiveUpdateOptions,
} from '../../client/live-data/live-data-types.js';
import type { RealtimeError } from '../../client/realtime-error.js';
import type { LiveDataControllerStatus } from '../../controllers/live-data-controller.js';
import type { FormEntity } from '../../events/collaborative-form-events.js';
import type { Fields } from '../../protocol/index.js';
import type { ApplyResult } from './field-sync.js';
import type { JsonValue } from './field-values.js';
import type { FieldBinding } from './form-fields.js';

/** The live entity as the session reads and saves it (the element's `LiveDataController`). */
export interface SessionLive {
  readonly snapshot: LiveDataSnapshot | undefined;
  /** Confirmed data plus this user's unconfirmed saves. */
  readonly data: Readonly<Fields>;
  readonly status: LiveDataControllerStatus;
  /** The client refused the entity type or id (warned once): there is nothing to load. */
  readonly refused: boolean;
  readonly error: RealtimeError | undefined;
  readonly changes: readonly ChangeInfo[];
  readonly conflicts: readonly LiveConflict[];
  update(fields: Fields, options?: LiveUpdateOptions): Promise<ChangeInfo>;
  /** Fields the user is in or changed: remote changes to them wait. */
  setEditing(fields: Iterable<string>): void;
  /** The server's refusal of a save of these fields, read-only for the user. */
  readOnlyRefusal(fields: readonly string[]): RealtimeError;
}

/** The page's fields as the session keeps them in step (the element's `FieldSync`). */
export interface SessionFields {
  readonly fields: ReadonlyMap<string, FieldBinding>;
  setFields(fields: ReadonlyMap<string, FieldBinding>, data: Readonly<Fields> | undefined): void;
  reset(): void;
  apply(
    data: Readonly<Fields>,
    focused: FieldBinding | undefined,
    everyField?: boolean,
  ): ApplyResult;
  force(name: string, value: JsonValue | undefined): boolean;
  read(name: string): JsonValue | undefined;
  /** What the field was last given (the record's value, or what the page rendered before it). */
  givenValue(name: string): JsonValue | undefined;
  changed(valid?: boolean): Fields;
  sent(fields: Readonly<Fields>): void;
  setError(names: Iterable<string>, error: boolean): void;
  setFieldErrors(errors: Readonly<Record<string, string>>): void;
  errorMessage(name: string): string | undefined;
  restore(fields: Readonly<Fields>): void;
  isDirty(name: string): boolean;
  dirtyNames(): string[];
}

/** What the session needs of the element around it. */
export interface SessionHost {
  /** The entity as the page named it; the events carry it. */
  entity(): FormEntity;
  /** This user's id: a snapshot whose last change is theirs is their own save, not a remote one. */
  selfId(): string | undefined;
  /** Dispatch one of the element's events; false when a listener vetoed a cancelable one. */
  fire(event: Event): boolean;
  /** What the element shows changed (the status, the error, the dialog). */
  changed(): void;
  /** Someone else's change was written into these fields (highlight them, announce it). */
  remoteWritten(author: string, fields: readonly string[]): void;
  /** The message under a changed field now read-only for the user (`readOnlyNotSaved`). */
  readOnlyNotSaved(): string;
  /** Resolves after the element rendered what `changed()` asked for: true while it is on the page. */
  rendered(): Promise<boolean>;
}

/** A refused save whose message the form shows, with the values the user can restore. */
export interface Refusal {
  readonly error: RealtimeError;
  readonly fields: Fields;
}
