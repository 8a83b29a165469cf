/**
 * An in-memory server that speaks the real protocol, for tests, Storybook stories and users' own
 * tests. Every frame is validated with the real schemas in both directions: a client frame the
 * real server would reject is a `ProtocolViolation` (thrown from `send` by default), and a frame
 * this server emits is checked with `ServerFrame` before it leaves, so a scripted story cannot
 * show something a real server could never send.
 *
 * ```ts
 * const server = new FakeServer({ clock });
 * const client = new RealtimeClient({ url: 'fake://', socketFactory: server.socketFactory,
 *   devUser: { id: 'ada', name: 'Ada Lovelace' }, clock });
 * server.addPerson('customer:42', { id: 'bob', name: 'Bob' }, { status: 'away' });
 * server.broadcast('customer:42', 'note', { text: 'hello' });
 * server.dropConnections(); // flaky network
 * ```
 */
import type {
  Activity,
  ActivityInput,
  ActivityItem,
  ClientFrame,
  EventFrame,
  Notification,
  Person,
  PresenceStatus,
  ServerFrame,
  UserProfile,
} from '../protocol/index.js';
import type { ScriptedPresence } from './fake-room.js';
import { FakeProtocolServer } from './fake-protocol.js';
import { WriteBudget } from '../util/write-budget.js';
import { MAX_BACKEND_RETRY_AFTER_MS } from '../protocol/constants.js';
import type { NotificationDraft } from './fake-notifications.js';

export {
  ProtocolViolation,
  fakeToken,
  type FakeServerOptions,
  type FrameRecord,
} from './fake-protocol.js';

/** Client frames a `FakeServer` holds unanswered (`hold`). */
export interface HeldFrames {
  /** How many are held now. */
  readonly size: number;
  /** Answers the first `count` held (all by default), in the order they came. */
  release(count?: number): void;
  /** Releases every held frame and holds no more. */
  stop(): void;
}

export interface PersonOptions {
  status?: PresenceStatus;
  activity?: Activity;
  connections?: number;
  devices?: number;
  /** In the room's call, as `<crm-huddle>` reports it. */
  inCall?: boolean;
}

export class FakeServer extends FakeProtocolServer {
  // -------------------------------------------------------------------------------------------
  // scripting

  /** A scripted person joins a room (no real connection behind them). */
  addPerson(room: string, user: UserProfile, options: PersonOptions = {}): Person {
    const r = this.room(room);
    const now = this.clock.now();
    const scripted: ScriptedPresence = {
      status: options.status ?? 'online',
      activity: options.activity ?? { kind: 'viewing' },
      connections: options.connections ?? 1,
      devices: options.devices ?? 1,
    };
    if (options.inCall) scripted.inCall = true;
    const entry = r.people.get(user.id);
    if (entry) {
      entry.scripted = scripted;
      entry.updatedAt = now;
      entry.user = user;
    } else {
      r.people.set(user.id, {
        user,
        since: now,
        updatedAt: now,
        scripted,
        members: new Map(),
        graceTimer: undefined,
      });
    }
    return this.announce(r, user.id);
  }

  /** Change a scripted person: status, activity, tab or device count, profile. */
  updatePerson(
    room: string,
    userId: string,
    patch: PersonOptions & { user?: UserProfile },
  ): Person | undefined {
    const r = this.rooms.get(room);
    const entry = r?.people.get(userId);
    if (!r || !entry) return undefined;
    entry.scripted ??= {
      status: 'online',
      activity: { kind: 'viewing' },
      connections: 0,
      devices: 0,
    };
    if (patch.status) entry.scripted.status = patch.status;
    if (patch.activity) entry.scripted.activity = patch.activity;
    if (patch.connections !== undefined) entry.scripted.connections = patch.connections;
    if (patch.devices !== undefined) entry.scripted.devices = patch.devices;
    if (patch.inCall !== undefined) entry.scripted.inCall = patch.inCall;
    if (patch.user) entry.user = patch.user;
    entry.updatedAt = this.clock.now();
    return this.announce(r, userId);
  }

  setPersonStatus(room: string, userId: string, status: PresenceStatus): Person | undefined {
    return this.updatePerson(room, userId, { status });
  }

  setPersonActivity(room: string, userId: string, activity: Activity): Person | undefined {
    return this.updatePerson(room, userId, { activity });
  }

  /** The person leaves the room at once (no grace period). */
  removePerson(room: string, userId: string): void {
    const r = this.rooms.get(room);
    const entry = r?.people.get(userId);
    if (!r || !entry) return;
    this.clock.clearTimeout(entry.graceTimer);
    r.people.delete(userId);
    this.tellPeople(r);
  }

  /** People in a room, as the server aggregates them. */
  people(room: string): Person[] {
    return this.rooms.get(room)?.snapshot() ?? [];
  }

  /** Current sequence number of a room. */
  seq(room: string): number {
    return this.rooms.get(room)?.seq ?? 0;
  }

  /** Broadcast a sequenced room event, as a backend publishing through the HTTP API would. */
  broadcast(room: string, event: string, payload: unknown, from?: string): EventFrame {
    return this.publish(room, event, payload, from);
  }

  /**
   * A room event addressed to one person, as `from` (a scripted person): call signaling. Like the
   * reference server, it goes to `to`'s connections in the room only, unsequenced. Throws when
   * the signal frame would exceed the frame limit, which the server refuses.
   */
  signal(room: string, from: string, to: string, event: string, payload: unknown): void {
    const r = this.rooms.get(room);
    if (r && !this.toAddressee(r, from, to, event, payload)) {
      throw new Error(`fake server: a ${event} signal this large exceeds the frame limit`);
    }
  }

  /**
   * Send a notification as a backend would (HTTP publish API), or as `from`: stored for its
   * recipients and delivered live in its target's room. See `server.notifications` for history.
   */
  notify(input: NotificationDraft, from?: UserProfile): Notification {
    return this.notifications.notify(input, from);
  }

  /** Append to the activity log and publish it to the feeds' rooms. See `server.activity`. */
  appendActivity(input: ActivityInput, options?: { at?: number }): ActivityItem {
    return this.activity.append(input, options);
  }

  /** Flaky network: every socket closes abnormally (1006). Server state (rooms, seq) survives. */
  dropConnections(code = 1006, reason = ''): void {
    for (const connection of [...this.open.values()]) this.disconnect(connection, code, reason);
  }

  /**
   * A backend said the user's permissions changed (`POST /api/users/:id/permissions-changed`):
   * every room their connections hold is asked about again (`authorize`), and one now refused is
   * left at once with `error` `forbidden`, `removed: true`, as the reference server does.
   * `rulesChanged` names the entity types whose field rules changed (say, after changing what
   * `entities.hiddenFields` or `entities.readOnlyFields` answers): each connection is sent
   * `entity.rules-changed`, and the client reads those records, activity items and notifications
   * again; the people editing in its rooms of those types are sent again, as the rules show them.
   * With `authorize` (which, like the server's hook, also decides which entities' activity items
   * and notifications reach the user), the frame says `reads: true` and the client removes the
   * items about an entity it now refuses.
   */
  permissionsChanged(userId: string, rulesChanged: readonly string[] = []): void {
    // With `authorize`, which entities the user may read was asked again too: the client reads
    // again the activity items and notifications it holds (`reads`), as the server's hook makes it.
    const reads = this.options.authorize !== undefined;
    for (const c of [...this.open.values()]) {
      const user = c.user;
      if (user?.id !== userId) continue;
      // As the server: rooms taken away as each is decided, the rules once every answer is in.
      for (const room of [...c.rooms]) {
        const allowed =
          this.notifications.mayJoin(user, room) && (this.options.authorize?.(user, room) ?? true);
        if (allowed) continue;
        for (const tab of this.rooms.get(room)?.tabsOf(c) ?? ['']) this.leave(c, room, tab, true);
        c.rooms.delete(room);
        this.send(c, {
          type: 'error',
          code: 'forbidden',
          message: 'no longer allowed to join this room',
          room,
          removed: true,
        });
      }
      if (rulesChanged.length > 0 || reads) {
        const types = [...rulesChanged];
        this.send(c, { type: 'entity.rules-changed', types, ...(reads ? { reads } : {}) });
      }
      if (rulesChanged.length > 0) {
        // Who edits what in its entity rooms of those types, as the new rules show it.
        for (const room of c.rooms) {
          if (!rulesChanged.includes(room.slice(0, room.indexOf(':')))) continue;
          const { people, total } = this.rooms.get(room)?.listed() ?? { people: [] };
          const upsert = people.filter((p) => p.activity.kind === 'editing');
          if (upsert.length === 0) continue;
          const diff: ServerFrame = { type: 'presence.diff', room, upsert, remove: [] };
          this.send(c, total === undefined ? diff : { ...diff, total });
        }
      }
    }
  }

  /**
   * A backend ended the user's sessions (`POST /api/users/:id/disconnect`): each connection of
   * theirs gets `invalid_token` and is closed with 1008. Refusing their tokens afterwards is the
   * `verifyToken` option's business.
   */
  disconnectUser(userId: string): void {
    for (const c of [...this.open.values()]) {
      if (c.user?.id !== userId) continue;
      this.send(c, {
        type: 'error',
        code: 'invalid_token',
        message: 'signed out by the server: sign in again',
      });
      this.disconnect(c, 1008, 'signed out');
    }
  }

  /** Refuse new connections (server down) until called with `false`. */
  refuseConnections(on = true): void {
    this.refusing = on;
  }

  setLatency(ms: number): void {
    this.latency = Math.max(0, ms);
  }

  /**
   * The write budget from now on (`writeBytesPerMinute`; 0: none): saves and notifications past
   * it are refused `rate_limited`, as the reference server refuses them. Only the frames are
   * charged: the reference server also charges what a save stores beyond its frame, and each
   * extra recipient of a room notification.
   */
  setWriteBudget(bytesPerMinute: number): void {
    this.writes = new WriteBudget(bytesPerMinute);
  }

  /**
   * The CRM's backend down for writes (`down`), or back (`false`): from now on a save that would
   * reach it is answered `backend_unavailable`, as a server with write-through
   * (`CRM_ENTITY_BACKEND_URL`) answers when its backend does not answer, and nothing is applied.
   * `retryAfterMs` plays a backend that said when it is back (a 503 or 429 with `Retry-After`,
   * which the server passes on, at most 60,000 ms; 0 names none): the client waits that long
   * instead of its backoff. Replays of applied saves, conflicts and field-rule refusals are
   * answered as before.
   *
   * ```ts
   * server.setBackendDown(true, { retryAfterMs: 20_000 });
   * form.requestSubmit(); // "Could not save: the CRM did not answer" · "Trying again in 20s"
   * server.setBackendDown(false);
   * ```
   */
  setBackendDown(down = true, options: { retryAfterMs?: number } = {}): void {
    const { retryAfterMs } = options;
    if (retryAfterMs !== undefined && !(Number.isSafeInteger(retryAfterMs) && retryAfterMs >= 0)) {
      throw new Error(
        `fake server: retryAfterMs must be a whole number of ms, not ${retryAfterMs}`,
      );
    }
    // As the server passes a backend's `Retry-After` on: at most a minute, and none for no wait.
    const named =
      retryAfterMs === undefined || retryAfterMs === 0
        ? undefined
        : Math.min(retryAfterMs, MAX_BACKEND_RETRY_AFTER_MS);
    this.entities.backendDown = down ? { retryAfterMs: named } : undefined;
  }

  /**
   * Keep client frames that `match` from being answered until the test says so: a slow save
   * (`hold((f) => f.type === 'entity.update')`), a join the server takes its time over, a request
   * that crosses a reconnect. Unlike `setLatency`, nothing else waits. `release()` answers what
   * was held, in order (a frame whose connection has closed meanwhile is dropped, as a real
   * server's would be); `stop()` releases it all and holds no more.
   *
   * ```ts
   * const held = server.hold((frame) => frame.type === 'entity.update');
   * form.requestSubmit();
   * await waitFor(() => held.size === 1); // the save is on the server, not answered
   * // … the page shows "Saving…" …
   * held.release(); // acked now
   * ```
   */
  hold(match: (frame: ClientFrame) => boolean): HeldFrames {
    const hold = { match, waiting: [] as (() => void)[] };
    this.holds.add(hold);
    const release = (count = hold.waiting.length): void => {
      for (const answer of hold.waiting.splice(0, count)) this.deliver(answer);
    };
    return {
      get size() {
        return hold.waiting.length;
      },
      release,
      stop: () => {
        this.holds.delete(hold);
        release();
      },
    };
  }

  /** A dead network path: frames in both directions vanish, sockets stay "open". */
  blackhole(on = true): void {
    this.holed = on;
  }

  /** Graceful shutdown: `bye` to every client, then close with 1001. */
  bye(reconnectMs = 5000, reason: 'shutdown' | 'replaced' | 'policy' = 'shutdown'): void {
    for (const connection of [...this.open.values()]) {
      this.send(connection, { type: 'bye', reason, reconnectMs });
      this.disconnect(connection, 1001, 'server shutting down');
    }
  }

  /** A restart that lost all state: sockets drop, rooms and sequence numbers start over. */
  restart(): void {
    this.dropConnections(1006);
    for (const r of this.rooms.values())
      r.people.forEach((p) => this.clock.clearTimeout(p.graceTimer));
    this.rooms.clear();
  }

  /**
   * The end of a test: every connection closes (1001), everyone who was connected leaves at once
   * (the grace timers are cleared) and new connections are refused, so a fake server on real
   * timers holds no timer that would keep Node's test runner or Jest waiting after the test. What
   * it recorded (`frames`, `entities`, `notifications`…) stays readable. Close the clients first:
   * a client left open retries on its own timers.
   */
  close(): void {
    this.closed = true;
    for (const connection of [...this.open.values()]) {
      this.disconnect(connection, 1001, 'fake server closed');
    }
    for (const r of this.rooms.values()) {
      let left = false;
      for (const [userId, entry] of r.people) {
        if (entry.graceTimer === undefined) continue;
        this.clock.clearTimeout(entry.graceTimer);
        entry.graceTimer = undefined;
        if (entry.members.size === 0 && !entry.scripted) {
          r.people.delete(userId);
          left = true;
        }
      }
      if (left) this.tellPeople(r);
    }
  }

  /** Forget a room's replay buffer, so the next resume is a `gap`. */
  truncateReplay(room: string): void {
    const r = this.rooms.get(room);
    if (r) r.buffer.length = 0;
  }

  /** Server heartbeat: ping every client (they must answer `pong`). */
  ping(): void {
    for (const connection of this.open.values()) {
      this.send(connection, { type: 'ping', t: this.clock.now() });
    }
  }

  /**
   * Send raw text to every open socket, bypassing validation: for testing how a client copes
   * with a broken server. Nothing else in this class can send an invalid frame.
   */
  sendRaw(text: string): void {
    for (const connection of this.open.values()) {
      this.deliver(() => connection.socket.message(text));
    }
  }
}
