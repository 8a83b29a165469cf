/**
 * What every part of a running server shares. Built once by `createServer`.
 */
import type { IceServer } from '../protocol/index.js';
import type { Authenticator } from './auth.js';
import type { AuthThrottle } from './auth-throttle.js';
import type { AuthorizeHook } from './authorize.js';
import type { Bus } from './bus.js';
import type { AuthorizeCallback } from './permissions/callback.js';
import type { ServerClock } from './clock.js';
import type { ActivityService } from './activity/activity-service.js';
import type { EntityService } from './entities/entity-service.js';
import type { WriteThrough } from './entities/write-through.js';
import type { FrameDebug } from './frame-debug.js';
import type { NotificationService } from './notifications/notification-service.js';
import type { ServerLimits } from './config.js';
import type { Logger } from './log.js';
import type { ServerMetrics } from './metrics.js';
import type { Presence } from './presence.js';
import type { RoomRegistry } from './rooms.js';
import type { Storage } from './storage.js';
import type { WriteBatch } from './write-batch.js';

export interface ServerContext {
  readonly limits: ServerLimits;
  readonly heartbeatMs: number;
  /** Broadcasts bypass ws's per-message framing (see `Connection.writePrepared`). */
  readonly preframedWrites: boolean;
  /** Coalesces broadcast writes per socket and event-loop turn; undefined when disabled. */
  readonly writeBatch: WriteBatch | undefined;
  /** Payload bytes from which frames go compressed to peers that negotiated permessage-deflate. */
  readonly compressionThreshold: number;
  /** Logs frames of watched users and rooms; undefined when none is watched (the usual case). */
  readonly frameDebug: FrameDebug | undefined;
  readonly clock: ServerClock;
  readonly log: Logger;
  readonly metrics: ServerMetrics;
  readonly auth: Authenticator;
  /** Failed handshakes per client address; a session reports its failures here. */
  readonly authThrottle: AuthThrottle;
  readonly authorize: AuthorizeHook;
  readonly bus: Bus;
  readonly rooms: RoomRegistry;
  readonly presence: Presence;
  /** The store (the `storage` option, or an in-memory SQLite database). */
  readonly storage: Storage;
  /** Live data: reads, writes by the merge rules, and `onChange` for the activity log. */
  readonly entities: EntityService;
  /** Write-through to the CRM's backend, when configured: clients' saves and reads go through it. */
  readonly writeThrough: WriteThrough | undefined;
  /** The authorization callback (`CRM_AUTHORIZE_URL`), asked after the hook; see `permissions/`. */
  readonly authorizeCallback: AuthorizeCallback | undefined;
  /** Notifications: recipients, history, read state (see `notifications/`). */
  readonly notifications: NotificationService;
  /** The activity log: feeds and their live tail (see `activity/`). */
  readonly activity: ActivityService;
  /** STUN/TURN servers for calls, answered to `call.config` (see `calls.ts`). */
  readonly iceServers: readonly IceServer[];
}
