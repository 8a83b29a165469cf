/**
 * A live view of one entity, for one widget, without Lit: `client.liveData({ entityType,
 * entityId })`. It shows the confirmed entity with the user's own unconfirmed changes on top,
 * applies remote changes live except to the fields the user is editing, and saves optimistically.
 *
 * ```ts
 * const customer = client.liveData({
 *   entityType: 'customer', entityId: '42',
 *   onUpdate: (s) => render(s.data),
 *   onConflict: (c) => c.resolve({ ...c.mine }), // or open <crm-conflict-dialog>
 * });
 * customer.setEditing(['email']);                // remote changes to email wait
 * const outcome = await customer.update({ email: 'ada@example.com' });
 * outcome.state; // 'confirmed' | 'rejected' | 'conflicted' | 'rolled-back'
 * customer.release();
 * ```
 *
 * Besides field updates, a function-style API for code that edits a copy of the whole record:
 * `optimisticUpdate(fn)` applies (and saves) `fn(data)` and returns the data before it,
 * `rollback(previous)` withdraws the changes made since, `sync()` re-reads.
 */
import { fieldValue, hasField, type Entity, type Fields } from '../../protocol/index.js';
import type {
  ChangeInfo,
  LiveConflict,
  LiveDataOptions,
  LiveDataSnapshot,
  LiveDataStatus,
  LiveUpdateOptions,
} from './live-data-types.js';
import type { EntityWatcher, LiveEntity } from './live-entity.js';
import type { Change } from './change.js';
import { deliverNow, Notifier } from '../store/notifier.js';
import { RealtimeError } from '../realtime-error.js';
import { sameJson } from '../../util/same-json.js';
import type { Unsubscribe } from '../types.js';

/**
 * What a handle needs from the owner of its entity's changes (`Changes` is it): declared here, so
 * the handle imports neither `Changes` nor the hub that makes it.
 */
export interface LiveDataSource {
  /** The serial the next change will get (for `optimisticUpdate` marks). */
  readonly serial: number;
  /** Changes whose values show on top of the confirmed entity, in order. */
  overlay(key: string): Change[];
  changes(key: string): readonly ChangeInfo[];
  conflicts(key: string): readonly LiveConflict[];
  submit(
    owner: LiveData,
    fields: Fields,
    baseVersion: number | undefined,
    seen: Fields,
  ): Promise<ChangeInfo>;
  withdraw(key: string, which: (m: Change) => boolean): void;
}

type JsonValue = Fields[string];

/** A remote change held back from a field being edited: what the user still sees, and since when. */
interface Held {
  value: JsonValue | undefined;
  /** The confirmed version the user's view of the field comes from. */
  baseVersion: number;
}

export class LiveData implements EntityWatcher {
  readonly entityType: string;
  readonly entityId: string;
  /** The entity's room, `<type>:<id>`. */
  readonly room: string;
  private readonly held = new Map<string, Held>();
  private editingFields = new Set<string>();
  private readonly notifier = new Notifier(deliverNow, () => this.snapshot());
  private cached: LiveDataSnapshot | undefined;
  private releasedFlag = false;
  /** Data objects handed out by `optimisticUpdate`, with the change serial at that moment. */
  private readonly marks = new WeakMap<object, number>();

  /** @internal Made by `client.liveData()`. */
  constructor(
    private readonly changeLine: LiveDataSource,
    private readonly shared: LiveEntity,
    private readonly options: LiveDataOptions,
    /** Lets go of the handle where it was opened (the entity's watchers, the open handles). */
    private readonly detach: (handle: LiveData) => void,
  ) {
    this.entityType = options.entityType;
    this.entityId = options.entityId;
    this.room = shared.key;
  }

  get status(): LiveDataStatus {
    return this.shared.status;
  }

  get error(): RealtimeError | undefined {
    return this.shared.error;
  }

  /** The entity as the server confirmed it. */
  get entity(): Entity | undefined {
    return this.shared.entity;
  }

  get version(): number | undefined {
    return this.shared.entity?.version;
  }

  /** The fields as the user sees them (see `LiveDataSnapshot.data`). */
  get data(): Readonly<Fields> {
    return this.snapshot().data;
  }

  get changes(): readonly ChangeInfo[] {
    return this.snapshot().changes;
  }

  get conflicts(): readonly LiveConflict[] {
    return this.snapshot().conflicts;
  }

  /** Fields named by `setEditing` (the `editing` option's fields come on top). */
  get editing(): readonly string[] {
    return [...this.editingFields];
  }

  get released(): boolean {
    return this.releasedFlag;
  }

  /** @internal Whether this handle takes conflicts. */
  get handlesConflicts(): boolean {
    return !this.releasedFlag && this.options.onConflict !== undefined;
  }

  snapshot(): LiveDataSnapshot {
    if (this.cached) return this.cached;
    const entity = this.shared.entity;
    const data: Fields = { ...entity?.fields };
    for (const [field, held] of this.held) {
      if (held.value === undefined) delete data[field];
      else data[field] = held.value;
    }
    for (const mutation of this.changeLine.overlay(this.room)) Object.assign(data, mutation.fields);
    this.cached = Object.freeze({
      entityType: this.entityType,
      entityId: this.entityId,
      status: this.shared.status,
      error: this.shared.error,
      deleted: this.shared.deleted,
      entity,
      version: entity?.version,
      data: Object.freeze(data),
      changes: this.changeLine.changes(this.room),
      conflicts: this.changeLine.conflicts(this.room),
      held: Object.freeze([...this.held.keys()]),
      readOnly: this.shared.readOnly,
    });
    return this.cached;
  }

  /** Called with the new snapshot on every change. */
  subscribe(listener: (snapshot: LiveDataSnapshot) => void): Unsubscribe {
    return this.notifier.subscribe(listener);
  }

  /**
   * Save fields: shown at once (pending), confirmed on ack, dropped on rejection, handed to
   * `onConflict` on conflict. Offline, the change waits in the outbox. Resolves with the outcome
   * (never rejects); a queued change resolves when it was replayed and answered.
   *
   * Made before the record loaded, a save is checked against it when it arrives only for the
   * fields whose `options.seen` value says what the user saw (see `LiveUpdateOptions`).
   */
  update(fields: Fields, options: LiveUpdateOptions = {}): Promise<ChangeInfo> {
    if (this.releasedFlag) {
      return Promise.reject(new RealtimeError('closed', 'this live-data handle was released'));
    }
    this.refreshHolds();
    const entity = this.shared.entity;
    let base = entity?.version;
    const seen: Fields = {};
    for (const field of Object.keys(fields)) {
      const held = this.held.get(field);
      if (held) {
        // The user saw the field as it was: a remote change since then is a conflict to show.
        base = base === undefined ? held.baseVersion : Math.min(base, held.baseVersion);
        if (held.value !== undefined) seen[field] = held.value;
        this.held.delete(field);
      } else if (entity && hasField(entity.fields, field)) {
        seen[field] = entity.fields[field]!;
      } else if (!entity && options.seen && hasField(options.seen, field)) {
        // Not loaded: the caller knows what the page showed the user.
        const value = options.seen[field];
        if (value !== undefined) seen[field] = JSON.parse(JSON.stringify(value)) as JsonValue;
      }
    }
    return this.changeLine.submit(this, fields, base, seen);
  }

  /**
   * An optimistic update written as a function: `fn` gets a copy of the data and returns the new
   * data; the fields that differ are saved like `update`. Returns the data before, for `rollback`.
   */
  optimisticUpdate(fn: (data: Fields) => Fields): Readonly<Fields> {
    const previous = this.data;
    const next = fn(JSON.parse(JSON.stringify(previous)) as Fields) ?? {};
    const changed: Fields = {};
    for (const [field, value] of Object.entries(next)) {
      if (!sameJson(fieldValue(previous, field), value)) changed[field] = value;
    }
    // A field the function removed is cleared (fields cannot be deleted, only set to null).
    for (const field of Object.keys(previous)) if (!hasField(next, field)) changed[field] = null;
    this.marks.set(previous, this.changeLine.serial);
    if (Object.keys(changed).length > 0) void this.update(changed);
    return previous;
  }

  /**
   * Withdraw this handle's unconfirmed changes made since `previous` (as returned by
   * `optimisticUpdate`; for another object, those touching fields where it differs from the
   * data). Queued changes leave the outbox. A change already sent cannot be unsent: if the server
   * applies it anyway, the confirmed value shows; save the old value to undo it.
   */
  rollback(previous: Readonly<Fields>): void {
    const serial = this.marks.get(previous);
    if (serial !== undefined) {
      this.changeLine.withdraw(this.room, (m) => m.owner === this && m.serial >= serial);
      return;
    }
    const data = this.data;
    const differing = new Set(
      [...Object.keys(data), ...Object.keys(previous)].filter(
        (f) => !sameJson(fieldValue(data, f), fieldValue(previous, f)),
      ),
    );
    this.changeLine.withdraw(
      this.room,
      (m) =>
        (m.owner === this || m.owner === undefined) &&
        Object.keys(m.fields).some((f) => differing.has(f)),
    );
  }

  /** Read the entity again from the server. Rejects with a `RealtimeError` when it cannot. */
  sync(): Promise<Entity> {
    return this.shared.load();
  }

  /**
   * The fields the user is editing. A remote change to one of them is held back (the field keeps
   * showing what the user started from) and becomes a conflict if they save it; when they stop
   * editing a field they did not save, the held change shows.
   */
  setEditing(fields: Iterable<string>): void {
    this.editingFields = new Set(fields);
    if (this.refreshHolds()) this.invalidate();
  }

  /** Let go of the entity (its room is left when no other handle holds it). */
  release(): void {
    if (this.releasedFlag) return;
    this.releasedFlag = true;
    this.detach(this);
  }

  // ------------------------------------------------------------------------------------------
  // @internal

  /** @internal The confirmed entity moved: hold remote changes to fields being edited. */
  confirmedChanged(previous: Entity | undefined, next: Entity, own: readonly string[]): void {
    const editing = this.currentEditing();
    for (const [field, held] of this.held) {
      if (!editing.has(field) || sameJson(fieldValue(next.fields, field), held.value)) {
        this.held.delete(field);
      }
    }
    if (!previous) return;
    for (const field of editing) {
      if (this.held.has(field) || own.includes(field)) continue;
      // Own fields only: a field named `constructor` that did not exist was absent, not Object.
      const before = fieldValue(previous.fields, field);
      if (!sameJson(before, fieldValue(next.fields, field))) {
        this.held.set(field, { value: before, baseVersion: previous.version });
      }
    }
  }

  /** @internal Something shown changed: drop the cached snapshot and tell the listeners. */
  invalidate(): void {
    this.cached = undefined;
    if (this.releasedFlag) return;
    this.notifier.changed();
    if (this.options.onUpdate) {
      try {
        this.options.onUpdate(this.snapshot());
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  /** @internal Hand a conflict to `onConflict`. */
  offerConflict(conflict: LiveConflict): void {
    this.options.onConflict?.(conflict);
  }

  private currentEditing(): Set<string> {
    const fields = new Set(this.editingFields);
    if (this.options.editing) for (const field of this.options.editing()) fields.add(field);
    return fields;
  }

  /** Release holds of fields no longer edited; true when one was released. */
  private refreshHolds(): boolean {
    if (this.held.size === 0) return false;
    const editing = this.currentEditing();
    let released = false;
    for (const field of [...this.held.keys()]) {
      if (!editing.has(field)) {
        this.held.delete(field);
        released = true;
      }
    }
    return released;
  }
}
