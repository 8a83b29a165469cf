/**
 * Live data behind `client.liveData()`: one shared `LiveEntity` per entity with the handles that
 * show it, one line of changes sent one at a time (`ChangeQueue`, `ChangeSender`), conflicts
 * (`LiveConflicts`) and the offline outbox. A change made while the connection is not open goes
 * to the outbox and is replayed, in order and with its mutation id, when the connection opens.
 */
import type { Fields, Entity, ServerFrame } from '../../protocol/index.js';
import { entityRoom } from '../../protocol/rooms.js';
import { safeCheck } from '../../protocol/checks/combinators.js';
import {
  entityChange,
  entityId as validId,
  entityType as validType,
} from '../../protocol/checks/entities.js';
import { checkFields } from '../../protocol/checks/fields.js';
import { ChangeQueue } from './change-queue.js';
import { ChangeSender } from './change-sender.js';
import { LiveConflicts } from './live-conflicts.js';
import { LiveData, type LiveDataSource } from './live-data.js';
import type { ChangeInfo, LiveConflict, LiveDataOptions } from './live-data-types.js';
import { LiveEntity, type LiveEntityHost } from './live-entity.js';
import { Mutation } from './mutation.js';
import { defaultOutboxStore, Outbox, type OutboxRecord, type OutboxStore } from './outbox.js';
import { RealtimeError } from '../realtime-error.js';
import type { CapabilityClient, Clock, RequestInput, RoomHandle, RoomMessage } from '../types.js';
import { LOG_PREFIX } from '../../util/warn.js';

/** What live data needs from `RealtimeClient`: the port every capability gets. */
export type LiveDataClient = CapabilityClient;

export interface LiveDataHubOptions {
  clock: Clock;
  logger: Pick<Console, 'warn'>;
  /** Where the outbox lives. Default: IndexedDB when present, else memory (with a warning). */
  store?: OutboxStore;
  /** Wait before re-sending after `timeout`, `internal` or `rate_limited`. Default 5000 ms. */
  retryDelay?: number;
}

export class LiveDataHub implements LiveEntityHost, LiveDataSource {
  readonly outbox: Outbox;
  private readonly entities = new Map<string, LiveEntity>();
  private readonly handles = new Map<string, Set<LiveData>>();
  private readonly queue: ChangeQueue;
  private readonly sender: ChangeSender;
  private readonly conflicts: LiveConflicts;
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
    this.queue = new ChangeQueue(this.outbox, () => this.warnIfVolatile());
    this.conflicts = new LiveConflicts(
      {
        clock: options.clock,
        takers: (key) => this.handles.get(key) ?? [],
        isOpen: () => this.isOpen(),
        notify: (key) => this.notify(key),
        pump: () => this.sender.pump(),
      },
      this.queue,
      this.outbox,
    );
    this.sender = new ChangeSender(
      {
        clock: options.clock,
        retryDelay: options.retryDelay ?? 5000,
        isOpen: () => this.isOpen(),
        userId: () => client.user?.id,
        request: (frame) => client.request(frame),
        version: (key) => this.entities.get(key)?.entity?.version,
        learned: (key, entity, own) => this.learned(key, entity, own),
        notify: (key) => this.notify(key),
        conflicted: (m) => this.conflicts.arrived(m),
      },
      this.queue,
      this.outbox,
    );
    client.on('entity.change', (message) => this.remoteChange(message));
    client.onResume((info) => this.entities.get(info.room)?.resumed(info));
    // A refused join of an entity's room means the entity cannot be shown: say so.
    client.onError((error) => {
      if (error.room !== undefined) this.entities.get(error.room)?.refused(error);
    });
    client.onStatus((status) => {
      if (status.state !== 'open') return this.wentOffline();
      // `open` is announced just before the client learns who the user is: wait for that.
      queueMicrotask(() => {
        this.outbox.userChanged();
        this.sender.pump();
      });
    });
    // Made after the connection opened (the first element that shows live data loaded late):
    // what waits in the outbox goes now, as it would have on `open`.
    if (client.status.state === 'open') {
      queueMicrotask(() => {
        this.outbox.userChanged();
        this.sender.pump();
      });
    }
  }

  /** The serial the next change will get (for `optimisticUpdate` marks). */
  get serial(): number {
    return this.queue.serial;
  }

  open(options: LiveDataOptions): LiveData {
    const { entityType, entityId } = options;
    if (!safeCheck(validType, entityType).success || !safeCheck(validId, entityId).success) {
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
    this.conflicts.opened(key, handle);
    return handle;
  }

  /** @internal A handle was released. */
  detach(handle: LiveData): void {
    const key = handle.room;
    const entity = this.entities.get(key);
    entity?.watchers.delete(handle);
    for (const m of this.queue.items) if (m.owner === handle) m.owner = undefined;
    const handles = this.handles.get(key);
    handles?.delete(handle);
    if (handles && handles.size > 0) return;
    this.handles.delete(key);
    entity?.dispose();
    this.entities.delete(key);
    this.queue.forget(key);
  }

  // ------------------------------------------------------------------------------------------
  // what handles show

  /** @internal Changes whose values show on top of the confirmed entity, in order. */
  overlay(key: string): Mutation[] {
    return this.queue.overlay(key);
  }

  /** @internal Recent and unsettled changes of an entity, oldest first. */
  changes(key: string): readonly ChangeInfo[] {
    return this.queue.changes(key);
  }

  /** @internal Conflicts of an entity waiting for a decision. */
  openConflicts(key: string): readonly LiveConflict[] {
    return this.conflicts.of(key);
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
    const valid = checkFields(fields);
    const m = new Mutation({
      entityType: owner.entityType,
      entityId: owner.entityId,
      fields: valid.success ? (JSON.parse(JSON.stringify(valid.data)) as Fields) : {},
      baseVersion,
      seen,
      createdAt: this.options.clock.now(),
      userId: this.client.user?.id,
      serial: this.queue.takeSerial(),
      owner,
    });
    if (!valid.success || Object.keys(fields).length === 0) {
      m.error = new RealtimeError(
        'bad_frame',
        valid.success ? 'an update needs at least one field' : valid.message,
      );
      m.finish('rejected');
      this.queue.remember(m);
      this.notify(m.key);
      return m.settled;
    }
    this.queue.push(m);
    if (!this.isOpen()) this.queue.persist(m);
    // Send first, then show: the frame leaves before the handles render the optimistic state.
    this.sender.pump();
    this.notify(m.key);
    return m.settled;
  }

  /** @internal Withdraw unsettled changes of an entity (`rollback`). */
  withdraw(key: string, which: (m: Mutation) => boolean): void {
    const victims = this.queue.overlay(key).filter(which);
    for (const m of victims) {
      m.finish('rolled-back');
      this.queue.settleOut(m);
    }
    if (victims.length === 0) return;
    this.conflicts.changed();
    this.notify(key);
    this.sender.pump();
  }

  // ------------------------------------------------------------------------------------------
  // the connection, the outbox, the room events

  private wentOffline(): void {
    const touched = new Set<string>();
    for (const m of this.queue.items) if (this.queue.persist(m)) touched.add(m.key);
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
    this.queue.prepend(adopted);
    this.sender.ready = true;
    for (const key of new Set(adopted.map((m) => m.key))) this.notify(key);
    this.sender.pump();
  }

  private learned(key: string, entity: Entity, own: readonly string[]): void {
    this.entities.get(key)?.learned(entity, own);
  }

  private remoteChange(message: RoomMessage): void {
    const parsed = safeCheck(entityChange, message.payload);
    if (!parsed.success) {
      if (!this.warnedPayload) {
        this.warnedPayload = true;
        this.options.logger.warn(
          `${LOG_PREFIX} ignored an invalid entity.change in ${message.room}:`,
          parsed.message,
        );
      }
      return;
    }
    const change = parsed.data;
    const key = entityRoom(change.entity.type, change.entity.id);
    if (key !== message.room) return;
    const own = this.queue.observed(key, change);
    this.entities.get(key)?.changed(change, own);
  }

  private warnIfVolatile(): void {
    if (!this.volatile || this.warnedVolatile) return;
    this.warnedVolatile = true;
    this.options.logger.warn(
      `${LOG_PREFIX} no IndexedDB here: offline edits are kept in memory and will not ` +
        'survive a closed tab (pass an `outbox` store to keep them).',
    );
  }
}
