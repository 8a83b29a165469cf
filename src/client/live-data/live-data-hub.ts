/**
 * Live data behind `client.liveData()`: routes what arrives to whom it concerns. It keeps one
 * shared `LiveEntity` per entity, held by the handles that show it (the sharing rule of
 * shared-stores.ts), and hands every save, answer, conflict and outbox replay to `Changes`, the
 * one owner of a change's life (changes.ts).
 */
import type { Entity, ServerFrame } from '../../protocol/index.js';
import { entityRoom } from '../../protocol/rooms.js';
import { safeCheck } from '../../protocol/checks/combinators.js';
import {
  entityChange,
  entityDeleted,
  entityId as validId,
  entityType as validType,
} from '../../protocol/checks/entities.js';
import { Changes, type ChangesOptions, type ChangeViews } from './changes.js';
import { LiveData } from './live-data.js';
import type { LiveDataOptions } from './live-data-types.js';
import { LiveEntity, type LiveEntityHost } from './live-entity.js';
import type { Outbox } from './outbox.js';
import { SharedStores } from '../store/shared-stores.js';
import type { RealtimeError } from '../realtime-error.js';
import type { CapabilityClient, Clock, RequestInput, RoomHandle, RoomMessage } from '../types.js';
import { LOG_PREFIX } from '../../util/warn.js';

/** What live data needs from `RealtimeClient`: the port every capability gets. */
export type LiveDataClient = CapabilityClient;

export type LiveDataHubOptions = ChangesOptions;

export class LiveDataHub implements LiveEntityHost, ChangeViews {
  private readonly entities = new SharedStores<string, LiveEntity>((entity) => entity.dispose());
  private readonly handles = new Map<string, Set<LiveData>>();
  private readonly line: Changes;
  private warnedPayload = false;

  constructor(
    private readonly client: LiveDataClient,
    private readonly options: LiveDataHubOptions,
  ) {
    this.line = new Changes(client, this, options);
    client.on('entity.change', (message) => this.remoteChange(message));
    client.on('entity.deleted', ({ room, payload }) => {
      const parsed = safeCheck(entityDeleted, payload);
      if (parsed.success && entityRoom(parsed.data.type, parsed.data.id) === room) {
        this.entities.get(room)?.markDeleted();
      }
    });
    client.onResume((info) => this.entities.get(info.room)?.resumed(info));
    // The user's field rules changed on the open connection: what is shown of those types was
    // redacted by the old ones, so it is read again (a field shown again appears without a
    // reconnect).
    client.onFrame((frame) => {
      if (frame.type !== 'entity.rules-changed') return;
      const types = new Set(frame.types);
      for (const key of this.entities.keys()) {
        const entity = this.entities.get(key);
        if (entity && types.has(entity.type)) entity.reread();
      }
    });
    // A refused join of an entity's room means the entity cannot be shown: say so.
    client.onError((error) => {
      if (error.room !== undefined) this.entities.get(error.room)?.refused(error);
    });
    client.onStatus((status) => {
      // Closed by the page (not refused): another client may take over what this one holds.
      if (status.state === 'closed' && !status.refusal) this.line.closed();
      if (status.state !== 'open') {
        for (const key of this.entities.keys()) this.entities.get(key)?.connectionLost();
        return this.line.connectionLost();
      }
      // `open` is announced just before the client learns who the user is: wait for that.
      queueMicrotask(() => this.line.connectionOpened());
    });
    // Made after the connection opened (the first element that shows live data loaded late):
    // what waits in the outbox goes now, as it would have on `open`.
    if (client.status.state === 'open') queueMicrotask(() => this.line.connectionOpened());
  }

  /** Changes waiting to be sent (offline edits): `client.outbox`. */
  get outbox(): Outbox {
    return this.line.outbox;
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
    const entity = this.entities.hold(key, () => new LiveEntity(this, entityType, entityId));
    const handle: LiveData = new LiveData(this.line, entity, options, (released) =>
      this.detach(released),
    );
    entity.watchers.add(handle);
    let handles = this.handles.get(key);
    if (!handles) this.handles.set(key, (handles = new Set()));
    handles.add(handle);
    // Conflicts nobody took yet (say, replayed from the outbox before this widget opened).
    this.line.opened(key, handle);
    return handle;
  }

  // ------------------------------------------------------------------------------------------
  // what a handle's release asks (what it shows and saves, it asks `Changes`)

  private detach(handle: LiveData): void {
    const key = handle.room;
    const entity = this.entities.get(key);
    entity?.watchers.delete(handle);
    const handles = this.handles.get(key);
    handles?.delete(handle);
    if (handles?.size === 0) this.handles.delete(key);
    this.line.released(handle, key, this.entities.release(key));
  }

  // ------------------------------------------------------------------------------------------
  // LiveEntityHost and ChangeViews: what the shared entities and the changes ask

  request(frame: RequestInput): Promise<ServerFrame> {
    return this.client.request(frame);
  }

  joinRoom(room: string, onRefused?: (refusal: RealtimeError | undefined) => void): RoomHandle {
    return this.client.joinRoom(room, onRefused);
  }

  isOpen(): boolean {
    return this.client.status.state === 'open';
  }

  get clock(): Clock {
    return this.options.clock;
  }

  get random(): (() => number) | undefined {
    return this.options.random;
  }

  lastSeq(room: string): number | undefined {
    return this.client.lastSeq(room);
  }

  notify(key: string): void {
    for (const handle of this.handles.get(key) ?? []) handle.invalidate();
  }

  entity(key: string): Entity | undefined {
    return this.entities.get(key)?.entity;
  }

  deleted(key: string): void {
    this.line.deleted(key);
  }

  learned(key: string, entity: Entity, own: readonly string[]): void {
    this.entities.get(key)?.learned(entity, own);
  }

  outdated(key: string, version: number): void {
    this.entities.get(key)?.outdated(version);
  }

  takers(key: string): Iterable<LiveData> {
    return this.handles.get(key) ?? [];
  }

  // ------------------------------------------------------------------------------------------
  // room events

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
    // A change already seen (the server may announce one again, when a retried save's first
    // publish may have been lost) must not count again: taken as someone else's new write, it
    // would forget what this client wrote to those fields since, and a later conflict with its
    // own value would look real.
    const entity = this.entities.get(key);
    const known = entity?.entity?.version;
    if (known !== undefined && change.entity.version <= known) return;
    const own = this.line.observed(key, change);
    entity?.changed(change, own);
  }
}
