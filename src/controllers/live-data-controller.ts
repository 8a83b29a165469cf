/**
 * Binds a Lit host to one live entity: holds `client.liveData()` while
 * the host is in the document, follows the entity when the getter's answer changes, re-renders on
 * every change, and releases when the host leaves.
 *
 * ```ts
 * class CustomerName extends LitElement {
 *   @property({ attribute: 'entity-id' }) entityId = '';
 *   private readonly live = new LiveDataController(this, () => ({
 *     entityType: 'customer',
 *     entityId: this.entityId,
 *   }), { onConflict: (c) => c.resolve({ ...c.mine }) });
 *   render() {
 *     return html`<input .value=${String(this.live.data.name ?? '')}
 *       @focus=${() => this.live.setEditing(['name'])}
 *       @change=${(e: Event) => this.live.update({ name: (e.target as HTMLInputElement).value })}>`;
 *   }
 * }
 * ```
 */
import { LIVE_DATA } from '../client/live-data/live-data-capability.js';
import type { RealtimeClient } from '../client/realtime-client.js';
import type { LiveData } from '../client/live-data/live-data.js';
import type {
  ChangeInfo,
  LiveConflict,
  LiveDataSnapshot,
  LiveDataStatus,
  LiveUpdateOptions,
} from '../client/live-data/live-data-types.js';
import { RealtimeError } from '../client/realtime-error.js';
import { readOnlyRefusal } from '../client/live-data/change.js';
import type { Unsubscribe } from '../client/types.js';
import type { Entity, Fields } from '../protocol/index.js';
import { ClientController, type ControllerHost } from './client-controller.js';

/** Which entity to follow; `undefined` (or an empty id) follows none. */
export interface LiveDataTarget {
  entityType: string;
  entityId: string;
}

export interface LiveDataControllerOptions {
  /** Conflicts of this host's changes (and of queued ones when no other widget takes them). */
  onConflict?: (conflict: LiveConflict) => void;
  /** Called after every change of what the controller shows. */
  onUpdate?: (snapshot: LiveDataSnapshot) => void;
}

/** `unavailable` without a provider, a client or a target; else the handle's status. */
export type LiveDataControllerStatus = LiveDataStatus | 'unavailable';

const EMPTY: Readonly<Fields> = Object.freeze({});

export class LiveDataController extends ClientController {
  /** The latest snapshot; `undefined` while nothing is followed. */
  snapshot: LiveDataSnapshot | undefined = undefined;

  private handle: LiveData | undefined;
  private boundKey: string | undefined;
  private editingFields: string[] = [];

  constructor(
    host: ControllerHost,
    private readonly target: () => LiveDataTarget | undefined,
    private readonly options: LiveDataControllerOptions = {},
  ) {
    super(host);
  }

  /** The fields as the user sees them: confirmed, plus their own unconfirmed changes. */
  get data(): Readonly<Fields> {
    return this.snapshot?.data ?? EMPTY;
  }

  /** The entity as the server confirmed it. */
  get entity(): Entity | undefined {
    return this.snapshot?.entity;
  }

  get version(): number | undefined {
    return this.snapshot?.version;
  }

  get changes(): readonly ChangeInfo[] {
    return this.snapshot?.changes ?? [];
  }

  /** Conflicts waiting for a decision (also when no `onConflict` was given). */
  get conflicts(): readonly LiveConflict[] {
    return this.snapshot?.conflicts ?? [];
  }

  get status(): LiveDataControllerStatus {
    return this.snapshot?.status ?? 'unavailable';
  }

  get error(): RealtimeError | undefined {
    return this.snapshot?.error;
  }

  /** Fields being edited whose remote change is held back (show "changed by someone" there). */
  get held(): readonly string[] {
    return this.snapshot?.held ?? [];
  }

  /** Some change is not confirmed yet (sending, queued offline, or conflicted). */
  get saving(): boolean {
    return this.changes.some((c) => c.state === 'pending');
  }

  /**
   * Save fields (see `LiveData.update`; `options.seen`: what the user saw before the record
   * loaded). Rejects only when no entity is followed.
   */
  update(fields: Fields, options?: LiveUpdateOptions): Promise<ChangeInfo> {
    return this.handle ? this.handle.update(fields, options) : Promise.reject(this.unavailable());
  }

  /** Saves the fields `fn(data)` changes, like `update`, and returns the data before, for `rollback`. */
  optimisticUpdate(fn: (data: Fields) => Fields): Readonly<Fields> {
    if (!this.handle) throw this.unavailable();
    return this.handle.optimisticUpdate(fn);
  }

  /** Withdraw the unconfirmed changes made since `previous` (see `LiveData.rollback`). */
  rollback(previous: Readonly<Fields>): void {
    this.handle?.rollback(previous);
  }

  /** Read the entity again. */
  sync(): Promise<Entity> {
    return this.handle ? this.handle.sync() : Promise.reject(this.unavailable());
  }

  /** The fields being edited; remote changes to them are held back. Kept across re-binds. */
  setEditing(fields: Iterable<string>): void {
    this.editingFields = [...fields];
    this.handle?.setEditing(this.editingFields);
  }

  /** Follow the target getter: re-acquire before the host renders when it changed. */
  hostUpdate(): void {
    if (this.client && this.targetKey() !== this.boundKey) this.rebind();
  }

  protected override bind(client: RealtimeClient): Unsubscribe | void {
    const target = this.normalizedTarget();
    this.boundKey = target && `${target.entityType}:${target.entityId}`;
    this.snapshot = undefined;
    if (!target) return;
    const handle = this.tryOpen(this.boundKey!, () =>
      client.use(LIVE_DATA).open({
        ...target,
        onConflict: this.options.onConflict && ((c) => this.options.onConflict?.(c)),
      }),
    );
    if (!handle) return;
    this.handle = handle;
    handle.setEditing(this.editingFields);
    return this.follow(
      handle,
      (snapshot) => (this.snapshot = snapshot),
      () => {
        if (this.handle === handle) this.handle = undefined;
        this.snapshot = undefined;
        this.boundKey = undefined;
      },
      (snapshot) => this.options.onUpdate?.(snapshot),
    );
  }

  private normalizedTarget(): LiveDataTarget | undefined {
    const target = this.target();
    const entityType = target?.entityType?.trim();
    const entityId = target?.entityId?.trim();
    return entityType && entityId ? { entityType, entityId } : undefined;
  }

  private targetKey(): string | undefined {
    const target = this.normalizedTarget();
    return target && `${target.entityType}:${target.entityId}`;
  }

  /**
   * The server's refusal of a save of `fields`, fields the record says are read-only for the
   * user (its `readOnly`): the same code, message and `fields`, for a page that does not send
   * them because it knows they would be refused.
   */
  readOnlyRefusal(fields: readonly string[]): RealtimeError {
    return readOnlyRefusal(this.targetKey() ?? '', fields);
  }

  private unavailable(): RealtimeError {
    return new RealtimeError(
      'not_connected',
      `<${this.hostTag}> follows no entity (no provider, no client, or no entity id)`,
    );
  }
}
