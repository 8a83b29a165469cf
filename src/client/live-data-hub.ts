/**
 * Live data behind `client.liveData()`: one shared `LiveEntity` per entity, and one ordered queue
 * of changes sent one at a time. A change made while the connection is not open (or caught by a
 * drop before its answer) goes to the durable outbox and is replayed, in order and with its
 * mutation id, when the connection opens again.
 *
 * Conflicts: a change is sent with the version the user's view of its fields came from. When the
 * server says a field changed since, and the current value is exactly what the user saw or what
 * this client itself wrote just before (two quick saves of one field, or an outbox replaying in
 * order), nothing was overlooked: the change is re-sent on the current version with a new id.
 * Otherwise it is `conflicted` and handed to `onConflict`; later changes of that entity wait
 * behind it, so they cannot overtake the user's decision.
 */
import * as z from 'zod/mini';
import {
  EntityChange,
  EntityId,
  EntityType,
  Fields,
  entityRoom,
  type EntityAckFrame,
  type EntityConflictFrame,
  type FieldConflict,
  type ServerFrame,
  type UserProfile,
} from '../protocol/index.js';
import { LiveData } from './live-data.js';
import type { ChangeInfo, LiveConflict, LiveDataOptions } from './live-data-types.js';
import { LiveEntity, type LiveEntityHost } from './live-entity.js';
import { Mutation } from './mutation.js';
import { defaultOutboxStore, Outbox, type OutboxRecord, type OutboxStore } from './outbox.js';
import type { RequestInput } from './realtime-client.js';
import { RealtimeError } from './realtime-error.js';
import { sameJson } from './same-json.js';
import type {
  Clock,
  ConnectionStatus,
  ResumeInfo,
  RoomHandle,
  RoomMessage,
  Unsubscribe,
} from './types.js';

type JsonValue = Fields[string];

/** What live data needs from `RealtimeClient` (its public API). */
export interface LiveDataClient {
  readonly status: ConnectionStatus;
  readonly user: UserProfile | undefined;
  onStatus(listener: (status: ConnectionStatus) => void): Unsubscribe;
  joinRoom(room: string): RoomHandle;
  on(event: string, handler: (message: RoomMessage) => void): Unsubscribe;
  onResume(listener: (info: ResumeInfo) => void): Unsubscribe;
  lastSeq(room: string): number | undefined;
  request(frame: RequestInput): Promise<ServerFrame>;
}

export interface LiveDataHubOptions {
  clock: Clock;
  logger: Pick<Console, 'warn'>;
  /** Where the outbox lives. Default: IndexedDB when present, else memory (with a warning). */
  store?: OutboxStore;
  /** Wait before re-sending after `timeout`, `internal` or `rate_limited`. Default 5000 ms. */
  retryDelay?: number;
}

/** Settled changes kept per entity for `changes`. */
const MAX_HISTORY = 20;
/** Automatic re-sends of one change after stale-only conflicts. */
const MAX_REBASES = 3;
/** The change may still apply later: keep it (same mutation id) and send it again. */
const TRANSIENT = new Set(['disconnected', 'not_connected', 'closed', 'timeout', 'internal']);
const RETRY_LATER = new Set(['timeout', 'internal', 'rate_limited']);

/** What this client wrote to an entity in this session: versions it made, values it set. */
interface OwnWrites {
  versions: Set<number>;
  values: Map<string, JsonValue>;
}

export class LiveDataHub implements LiveEntityHost {
  readonly outbox: Outbox;
  private readonly entities = new Map<string, LiveEntity>();
  private readonly handles = new Map<string, Set<LiveData>>();
  /** Unsettled changes (and open conflicts) in the order they are sent. */
  private readonly queue: Mutation[] = [];
  private readonly history = new Map<string, Mutation[]>();
  private readonly own = new Map<string, OwnWrites>();
  private nextSerial = 0;
  private loaded = false;
  private pumping = false;
  private pumpAgain = false;
  private retryTimer: unknown;
  private readonly volatile: boolean;
  private warnedVolatile = false;
  private warnedPayload = false;

  constructor(
    private readonly client: LiveDataClient,
    private readonly options: LiveDataHubOptions,
  ) {
    const chosen = options.store ? { store: options.store, fallback: false } : defaultOutboxStore();
    this.volatile = chosen.fallback;
    this.outbox = new Outbox(chosen.store, {
      userId: () => client.user?.id,
      logger: options.logger,
      adopt: (records) => this.adopt(records),
    });
    client.on('entity.change', (message) => this.remoteChange(message));
    client.onResume((info) => this.entities.get(info.room)?.resumed(info));
    client.onStatus((status) => {
      if (status.state !== 'open') return this.wentOffline();
      // `open` is announced just before the client learns who the user is: wait for that.
      queueMicrotask(() => {
        this.outbox.userChanged();
        this.pump();
      });
    });
  }

  /** The serial the next change will get (for `optimisticUpdate` marks). */
  get serial(): number {
    return this.nextSerial;
  }

  open(options: LiveDataOptions): LiveData {
    const { entityType, entityId } = options;
    if (!z.safeParse(EntityType, entityType).success || !z.safeParse(EntityId, entityId).success) {
      throw new TypeError(
        `invalid entity ${JSON.stringify(entityType)} ${JSON.stringify(entityId)}: the type is ` +
          'lower-case letters, digits, _ and -; the id letters, digits, _, - and .',
      );
    }
    const key = entityRoom(entityType, entityId);
    let entity = this.entities.get(key);
    if (!entity) {
      entity = new LiveEntity(this, entityType, entityId);
      this.entities.set(key, entity);
    }
    const handle = new LiveData(this, entity, options);
    entity.watchers.add(handle);
    let handles = this.handles.get(key);
    if (!handles) this.handles.set(key, (handles = new Set()));
    handles.add(handle);
    // Conflicts nobody took yet (say, replayed from the outbox before this widget opened).
    if (handle.handlesConflicts) {
      for (const m of this.queue) {
        if (m.key === key && m.openConflict && !m.conflictOffered) this.offer(m);
      }
    }
    return handle;
  }

  /** @internal A handle was released. */
  detach(handle: LiveData): void {
    const key = handle.room;
    const entity = this.entities.get(key);
    entity?.watchers.delete(handle);
    for (const m of this.queue) if (m.owner === handle) m.owner = undefined;
    const handles = this.handles.get(key);
    handles?.delete(handle);
    if (handles && handles.size > 0) return;
    this.handles.delete(key);
    entity?.dispose();
    this.entities.delete(key);
    if (!this.queue.some((m) => m.key === key)) {
      this.history.delete(key);
      this.own.delete(key);
    }
  }

  // ------------------------------------------------------------------------------------------
  // what handles show

  /** @internal Changes whose values show on top of the confirmed entity, in order. */
  overlay(key: string): Mutation[] {
    return this.queue.filter((m) => m.key === key && m.overlays);
  }

  /** @internal Recent and unsettled changes of an entity, oldest first. */
  changes(key: string): readonly ChangeInfo[] {
    const all = [...(this.history.get(key) ?? []), ...this.queue.filter((m) => m.key === key)];
    return Object.freeze(all.sort((a, b) => a.serial - b.serial).map((m) => m.info()));
  }

  /** @internal Conflicts of an entity waiting for a decision. */
  openConflicts(key: string): readonly LiveConflict[] {
    return Object.freeze(
      this.queue.filter((m) => m.key === key && m.openConflict).map((m) => this.conflictOf(m)),
    );
  }

  // ------------------------------------------------------------------------------------------
  // LiveEntityHost

  request(frame: RequestInput): Promise<ServerFrame> {
    return this.client.request(frame);
  }

  joinRoom(room: string): RoomHandle {
    return this.client.joinRoom(room);
  }

  isOpen(): boolean {
    return this.client.status.state === 'open';
  }

  lastSeq(room: string): number | undefined {
    return this.client.lastSeq(room);
  }

  notify(key: string): void {
    for (const handle of this.handles.get(key) ?? []) handle.invalidate();
  }

  // ------------------------------------------------------------------------------------------
  // making and withdrawing changes

  /** @internal A handle saves fields (see `LiveData.update`). */
  submit(
    owner: LiveData,
    fields: Fields,
    baseVersion: number | undefined,
    seen: Fields,
  ): Promise<ChangeInfo> {
    const valid = z.safeParse(Fields, fields);
    const m = new Mutation({
      entityType: owner.entityType,
      entityId: owner.entityId,
      fields: valid.success ? (JSON.parse(JSON.stringify(valid.data)) as Fields) : {},
      baseVersion,
      seen,
      createdAt: this.options.clock.now(),
      userId: this.client.user?.id,
      serial: this.nextSerial++,
      owner,
    });
    if (!valid.success || Object.keys(fields).length === 0) {
      m.error = new RealtimeError(
        'bad_frame',
        valid.success
          ? 'an update needs at least one field'
          : `invalid fields: ${z.prettifyError(valid.error)}`,
      );
      m.finish('rejected');
      this.remember(m);
      this.notify(m.key);
      return m.settled;
    }
    this.queue.push(m);
    if (!this.isOpen()) this.persist(m);
    this.notify(m.key);
    this.pump();
    return m.settled;
  }

  /** @internal Withdraw unsettled changes of an entity (`rollback`). */
  withdraw(key: string, which: (m: Mutation) => boolean): void {
    const victims = this.queue.filter((m) => m.key === key && m.overlays && which(m));
    for (const m of victims) {
      m.finish('rolled-back');
      this.settleOut(m);
    }
    if (victims.length === 0) return;
    this.conflictsChanged();
    this.notify(key);
    this.pump();
  }

  // ------------------------------------------------------------------------------------------
  // sending, one change at a time

  private pump(): void {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    if (!this.loaded) return;
    this.pumping = true;
    void this.drain().finally(() => {
      this.pumping = false;
      if (!this.pumpAgain) return;
      this.pumpAgain = false;
      this.pump();
    });
  }

  private async drain(): Promise<void> {
    for (;;) {
      if (!this.isOpen()) return;
      const m = this.nextToSend();
      if (!m) return;
      if (!(await this.send(m))) return;
    }
  }

  /** The first pending change not waiting behind an open conflict of its entity. */
  private nextToSend(): Mutation | undefined {
    const blocked = new Set<string>();
    const user = this.client.user?.id;
    for (const m of this.queue) {
      if (m.openConflict) blocked.add(m.key);
      if (m.state !== 'pending' || m.inFlight || blocked.has(m.key)) continue;
      // Someone else's offline edits on a shared computer wait for them.
      if (m.userId !== undefined && user !== undefined && m.userId !== user) continue;
      return m;
    }
    return undefined;
  }

  /** Send one change; false when sending should stop until the connection is back. */
  private async send(m: Mutation): Promise<boolean> {
    let frame: ServerFrame;
    m.inFlight = true;
    try {
      if (m.record) await m.record.stored; // the store keeps order: never send ahead of it
      const baseVersion = await this.baseFor(m);
      if (m.state !== 'pending') return true; // withdrawn meanwhile
      m.userId ??= this.client.user?.id;
      frame = await this.client.request({
        type: 'entity.update',
        mutationId: m.mutationId,
        entityType: m.entityType,
        entityId: m.entityId,
        baseVersion,
        fields: m.fields,
      });
    } catch (error) {
      return this.failed(m, error);
    } finally {
      m.inFlight = false;
    }
    if (frame.type === 'entity.ack') this.acked(m, frame);
    else if (frame.type === 'entity.conflict') this.conflicted(m, frame);
    else this.failed(m, new RealtimeError('bad_frame', `unexpected ${frame.type} answer`));
    return true;
  }

  /**
   * The version to send: the change's own base, moved up over every version right after it that
   * this client made itself (queued edits replaying in order): nothing of anyone else's is skipped.
   */
  private async baseFor(m: Mutation): Promise<number> {
    let base = m.baseVersion;
    if (base === undefined) {
      // Made before the entity was ever read: based on whatever is current.
      base = this.entities.get(m.key)?.entity?.version ?? (await this.readVersion(m));
      m.baseVersion = base;
      m.touch();
      if (m.record) this.outbox.replace(m.record, { baseVersion: base });
    }
    const own = this.own.get(m.key)?.versions;
    if (own) while (own.has(base + 1)) base += 1;
    return base;
  }

  private async readVersion(m: Mutation): Promise<number> {
    const frame = await this.client.request({
      type: 'entity.get',
      entityType: m.entityType,
      entityId: m.entityId,
    });
    if (frame.type !== 'entity.snapshot') {
      throw new RealtimeError('bad_frame', `unexpected ${frame.type} answer to entity.get`);
    }
    return frame.entity.version;
  }

  private acked(m: Mutation, frame: EntityAckFrame): void {
    const own = this.ownFor(m.key);
    for (const [field, value] of Object.entries(m.fields)) own.values.set(field, value);
    if (!frame.duplicate) own.versions.add(frame.entity.version);
    this.entities.get(m.key)?.learned(frame.entity, Object.keys(m.fields));
    if (m.state === 'pending') {
      m.version = frame.entity.version;
      m.duplicate = frame.duplicate;
      m.finish('confirmed');
    }
    this.settleOut(m);
    this.notify(m.key);
  }

  private conflicted(m: Mutation, frame: EntityConflictFrame): void {
    this.entities.get(m.key)?.learned(frame.current, []);
    if (m.state !== 'pending') return;
    if (m.rebases < MAX_REBASES && this.onlyStale(m, frame.conflicts)) {
      // Nothing the user did not see: send again on the current version, as a new change.
      m.rebases += 1;
      m.renew();
      m.baseVersion = frame.current.version;
      if (m.record) {
        this.outbox.replace(m.record, { mutationId: m.mutationId, baseVersion: m.baseVersion });
      }
      this.notify(m.key);
      return;
    }
    m.conflicts = frame.conflicts;
    m.current = frame.current;
    m.finish('conflicted');
    this.conflictsChanged();
    this.notify(m.key);
    this.offer(m);
  }

  /** Every clashing field now holds what the user saw, or what this client wrote itself. */
  private onlyStale(m: Mutation, conflicts: readonly FieldConflict[]): boolean {
    const own = this.own.get(m.key)?.values;
    return conflicts.every(
      (c) =>
        (Object.prototype.hasOwnProperty.call(m.seen, c.field) &&
          sameJson(m.seen[c.field], c.theirs)) ||
        (own?.has(c.field) === true && sameJson(own.get(c.field), c.theirs)),
    );
  }

  private failed(m: Mutation, error: unknown): boolean {
    const e = error instanceof RealtimeError ? error : new RealtimeError('internal', String(error));
    if (m.state !== 'pending') return true;
    if (TRANSIENT.has(e.code) || RETRY_LATER.has(e.code)) {
      // It may or may not have been applied: keep it with its id, and send it again later.
      this.persist(m);
      this.notify(m.key);
      if (RETRY_LATER.has(e.code)) this.retryLater();
      return false;
    }
    m.error = e;
    const queued = m.record !== undefined;
    m.finish('rejected');
    this.settleOut(m);
    if (queued) this.outbox.reportRejected(m.info());
    this.notify(m.key);
    return true;
  }

  private retryLater(): void {
    if (this.retryTimer !== undefined) return;
    this.retryTimer = this.options.clock.setTimeout(() => {
      this.retryTimer = undefined;
      this.pump();
    }, this.options.retryDelay ?? 5000);
  }

  // ------------------------------------------------------------------------------------------
  // conflicts

  private conflictOf(m: Mutation): LiveConflict {
    if (m.conflict) return m.conflict;
    const current = m.current!;
    const local: Fields = { ...current.fields };
    for (const o of this.queue) if (o.key === m.key && o.overlays) Object.assign(local, o.fields);
    m.conflict = Object.freeze({
      entityType: m.entityType,
      entityId: m.entityId,
      change: m.info(),
      conflicts: m.conflicts ?? [],
      current,
      mine: m.fields,
      local: Object.freeze(local),
      resolve: (fields: Fields) => this.resolve(m, fields),
      discard: () => this.discard(m),
    });
    return m.conflict;
  }

  /** Hand a conflict to its change's handle, else to any handle of the entity taking them. */
  private offer(m: Mutation): void {
    const owner = m.owner instanceof LiveData && m.owner.handlesConflicts ? m.owner : undefined;
    const target = owner ?? [...(this.handles.get(m.key) ?? [])].find((h) => h.handlesConflicts);
    if (!target) return;
    m.conflictOffered = true;
    try {
      target.offerConflict(this.conflictOf(m));
    } catch (error) {
      queueMicrotask(() => {
        throw error;
      });
    }
  }

  private resolve(m: Mutation, fields: Fields): Promise<ChangeInfo> {
    if (m.resolution) return m.resolution;
    if (!m.openConflict) return Promise.resolve(m.info());
    const current = m.current!;
    const valid = z.safeParse(Fields, fields);
    if (!valid.success) {
      const error = new RealtimeError(
        'bad_frame',
        `invalid fields: ${z.prettifyError(valid.error)}`,
      );
      return Promise.reject(error);
    }
    const seen: Fields = {};
    for (const field of Object.keys(fields)) {
      if (current.fields[field] !== undefined) seen[field] = current.fields[field]!;
    }
    // Based on the version the user decided against: a change made after it is a new conflict.
    const next = new Mutation({
      entityType: m.entityType,
      entityId: m.entityId,
      fields: JSON.parse(JSON.stringify(valid.data)) as Fields,
      baseVersion: current.version,
      seen,
      createdAt: this.options.clock.now(),
      userId: m.userId,
      serial: this.nextSerial++,
      owner: m.owner,
    });
    m.resolvedBy = next.mutationId;
    m.touch();
    const index = this.queue.indexOf(m);
    // The resolution takes the conflicting change's place: later changes stay behind it.
    if (index >= 0) this.queue.splice(index, 1, next);
    else this.queue.push(next);
    if (m.record) {
      next.record = m.record;
      m.record = undefined;
      this.outbox.replace(next.record, {
        mutationId: next.mutationId,
        baseVersion: next.baseVersion,
        fields: next.fields,
        seen: next.seen,
      });
    } else if (!this.isOpen()) {
      this.persist(next);
    }
    this.remember(m);
    m.resolution = next.settled;
    this.conflictsChanged();
    this.notify(m.key);
    this.pump();
    return next.settled;
  }

  private discard(m: Mutation): void {
    if (!m.openConflict) return;
    m.finish('rolled-back');
    this.settleOut(m);
    this.conflictsChanged();
    this.notify(m.key);
    this.pump();
  }

  private conflictsChanged(): void {
    this.outbox.setConflicts(
      this.queue.filter((m) => m.openConflict).map((m) => this.conflictOf(m)),
    );
  }

  // ------------------------------------------------------------------------------------------
  // the outbox and the connection

  /** Keep a change in the outbox: the connection is not open, or dropped before the answer. */
  private persist(m: Mutation): void {
    if (m.record || m.state !== 'pending') return;
    m.record = this.outbox.add({
      mutationId: m.mutationId,
      entityType: m.entityType,
      entityId: m.entityId,
      baseVersion: m.baseVersion,
      fields: m.fields,
      seen: m.seen,
      createdAt: m.createdAt,
      userId: m.userId,
    });
    m.touch();
    if (this.volatile && !this.warnedVolatile) {
      this.warnedVolatile = true;
      this.options.logger.warn(
        '[crm-realtime] no IndexedDB here: offline edits are kept in memory and will not ' +
          'survive a closed tab (pass an `outbox` store to keep them).',
      );
    }
  }

  private wentOffline(): void {
    const touched = new Set<string>();
    for (const m of this.queue) {
      if (m.state !== 'pending' || m.record) continue;
      this.persist(m);
      touched.add(m.key);
    }
    for (const key of touched) this.notify(key);
  }

  /** Entries a previous page left in the outbox: first in line, in their order. */
  private adopt(records: OutboxRecord[]): void {
    const adopted = records.map((record, i) => {
      const entry = record.entry;
      const m = new Mutation({
        mutationId: entry.mutationId,
        entityType: entry.entityType,
        entityId: entry.entityId,
        fields: entry.fields,
        baseVersion: entry.baseVersion,
        seen: entry.seen ?? {},
        createdAt: entry.createdAt,
        userId: entry.userId,
        serial: i - records.length,
      });
      m.record = record;
      return m;
    });
    this.queue.unshift(...adopted);
    this.loaded = true;
    for (const key of new Set(adopted.map((m) => m.key))) this.notify(key);
    this.pump();
  }

  private remoteChange(message: RoomMessage): void {
    const parsed = z.safeParse(EntityChange, message.payload);
    if (!parsed.success) {
      if (!this.warnedPayload) {
        this.warnedPayload = true;
        this.options.logger.warn(
          `[crm-realtime] ignored an invalid entity.change in ${message.room}:`,
          z.prettifyError(parsed.error),
        );
      }
      return;
    }
    const change = parsed.data;
    const key = entityRoom(change.entity.type, change.entity.id);
    if (key !== message.room) return;
    const id = change.mutationId;
    const own =
      id !== undefined &&
      (this.queue.some((m) => m.ids.has(id)) ||
        (this.history.get(key) ?? []).some((m) => m.ids.has(id)));
    if (own) {
      this.ownFor(key).versions.add(change.entity.version);
    } else {
      const values = this.own.get(key)?.values;
      for (const field of change.changed) values?.delete(field);
    }
    this.entities.get(key)?.changed(change, own);
  }

  private ownFor(key: string): OwnWrites {
    let own = this.own.get(key);
    if (!own) this.own.set(key, (own = { versions: new Set(), values: new Map() }));
    return own;
  }

  /** Out of the queue and the outbox, into the entity's recent history. */
  private settleOut(m: Mutation): void {
    const index = this.queue.indexOf(m);
    if (index >= 0) this.queue.splice(index, 1);
    if (m.record) {
      this.outbox.remove(m.record);
      m.record = undefined;
      m.touch();
    }
    this.remember(m);
  }

  private remember(m: Mutation): void {
    let list = this.history.get(m.key);
    if (!list) this.history.set(m.key, (list = []));
    if (!list.includes(m)) list.push(m);
    if (list.length > MAX_HISTORY) list.shift();
  }
}
