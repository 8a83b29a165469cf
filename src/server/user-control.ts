/**
 * What a backend can do about one user's open connections, on every process (`user-routes.ts`
 * is the HTTP side):
 *
 * - **disconnect**: close them all now (`invalid_token`, then close 1008: the client asks its
 *   `getToken` for a fresh token), and by default record a revocation (`revocations.ts`) so the
 *   tokens issued until now are refused: a fired user, or a stolen session, is cut off at once
 *   instead of when the token expires.
 * - **permissions changed**: drop the authorization callback's cached answers about the user,
 *   then ask again about every room their connections hold; a room now refused is left, with an
 *   `error` `forbidden` carrying `room` and `removed: true` (the page shows "not allowed" as for
 *   a refused join). A role change or a reassigned record takes effect at once, not at the next
 *   reconnect.
 *
 * - **notifications read**: the user marked notifications read on one connection; every
 *   connection of theirs in their personal room is sent `notification.read-state` with the count
 *   it may see (its own permissions), so their tabs agree without seeing each other's counts.
 *
 * With Redis the command goes to every process through one channel; the process the backend
 * called acts at once and the others when the message reaches them.
 */
import { randomUUID } from 'node:crypto';
import { CLOSE_CODES } from '../protocol/index.js';
import type { AuthResult } from './auth.js';
import type { ServerClock } from './clock.js';
import type { Connection } from './connection.js';
import { errorFields, type Logger } from './log.js';
import type { ServerMetrics } from './metrics.js';
import type { AuthorizeCallback } from './permissions/callback.js';
import type { RedisBus } from './redis/redis-bus.js';
import { LocalRevocations, revokedReason, type RevocationStore } from './revocations.js';

export interface UserControlDeps {
  readonly clock: ServerClock;
  readonly log: Logger;
  readonly metrics: ServerMetrics;
  readonly revocations: RevocationStore;
  /** How long a revocation refuses older tokens (at least the longest token lifetime). */
  readonly revocationTtlMs: number;
  readonly authorizeCallback: AuthorizeCallback | undefined;
  /** Asks again about every room of the connection; resolves to how many it was taken out of. */
  readonly recheckRooms: (connection: Connection) => Promise<number>;
  /** Set when processes share rooms through Redis: commands go to every process. */
  readonly redisBus: RedisBus | undefined;
  /**
   * Tells these connections of the user that notifications were marked read, each with its own
   * count (`UnreadCounts.readState`); never rejects.
   */
  readonly readState?: (
    userId: string,
    connections: Iterable<Connection>,
    ids: string[] | 'all',
    readUpTo: number | undefined,
  ) => Promise<void>;
}

type UserCommand = { from: string; user: string } & (
  | { kind: 'disconnect'; revokedAt?: number }
  | { kind: 'permissions-changed' }
  | { kind: 'read-state'; ids: string[] | 'all'; readUpTo?: number }
);

export interface DisconnectResult {
  /** Connections closed on this process (the others close theirs as the command reaches them). */
  connections: number;
  /** When the revocation took effect (ms), when tokens were revoked. */
  revokedAt?: number;
}

export interface PermissionsChangedResult {
  /** Connections of the user on this process that were checked. */
  connections: number;
  /** Rooms they were taken out of, on this process. */
  roomsLeft: number;
}

export class UserControl {
  private readonly byUser = new Map<string, Set<Connection>>();
  /** Tells this process's own commands from the others' on the shared channel. */
  private readonly id = randomUUID();
  /**
   * The revocations this process made or heard of, besides the shared store: a `hello` whose
   * check read Redis just before a revocation was written there, and was welcomed just after
   * the disconnect reached this process, would otherwise stay connected.
   */
  private readonly heard = new LocalRevocations();

  constructor(private readonly deps: UserControlDeps) {
    deps.redisBus?.onUserCommand((text) => this.received(text));
  }

  /** A connection finished its handshake. */
  add(connection: Connection): void {
    const userId = connection.user!.id;
    let connections = this.byUser.get(userId);
    if (!connections) this.byUser.set(userId, (connections = new Set()));
    connections.add(connection);
  }

  /** A connection closed. */
  remove(connection: Connection): void {
    const userId = connection.user?.id;
    if (userId === undefined) return;
    const connections = this.byUser.get(userId);
    if (!connections?.delete(connection)) return;
    if (connections.size === 0) this.byUser.delete(userId);
  }

  /**
   * The user's socket holding the most unsent bytes, when their sockets on this process together
   * hold more than `max`; undefined while they do not. A socket already terminated holds none
   * (`Connection.unsentBytes`): counted, the user's other sockets written to in the same turn
   * would go after it.
   */
  heaviestOver(userId: string, max: number): Connection | undefined {
    let bytes = 0;
    let heaviest: Connection | undefined;
    const connections = this.byUser.get(userId);
    if (connections === undefined) return undefined;
    for (const connection of connections) {
      const unsent = connection.unsentBytes;
      bytes += unsent;
      if (heaviest === undefined || unsent > heaviest.unsentBytes) heaviest = connection;
    }
    return bytes > max ? heaviest : undefined;
  }

  /**
   * Why an authenticated hello must be refused because its user was disconnected with their
   * tokens revoked; undefined when it may pass. Rejects when the shared store cannot be read.
   */
  refusal(
    result: Extract<AuthResult, { ok: true }>,
  ): string | undefined | Promise<string | undefined> {
    const userId = result.user.id;
    const stored = this.deps.revocations.revokedAt(userId, this.deps.clock.now());
    // Read after the store's answer: what was heard meanwhile counts too.
    const latest = (at: number | undefined): string | undefined => {
      const heard = this.heard.revokedAt(userId, this.deps.clock.now());
      const newest = at === undefined || (heard !== undefined && heard > at) ? heard : at;
      return revokedReason(result, newest);
    };
    if (stored === undefined || typeof stored === 'number') return latest(stored);
    return stored.then(latest);
  }

  /** Ends every connection of the user, on every process; with `revokeTokens`, their tokens too. */
  async disconnect(userId: string, revokeTokens: boolean): Promise<DisconnectResult> {
    const result: DisconnectResult = { connections: 0 };
    if (revokeTokens) {
      // Recorded before any socket closes: a client that reconnects at once is refused.
      const at = this.deps.clock.now();
      await this.deps.revocations.revoke(userId, at, this.deps.revocationTtlMs);
      await this.heard.revoke(userId, at, this.deps.revocationTtlMs);
      result.revokedAt = at;
      this.deps.metrics.tokensRevoked++;
    }
    result.connections = this.closeLocal(userId);
    this.deps.log.info('user disconnected by the API', {
      user: userId,
      connections: result.connections,
      revokeTokens,
    });
    const command: UserCommand = { from: this.id, user: userId, kind: 'disconnect' };
    if (result.revokedAt !== undefined) command.revokedAt = result.revokedAt;
    await this.publish(command);
    return result;
  }

  /** Drops cached answers about the user and checks their rooms again, on every process. */
  async permissionsChanged(userId: string): Promise<PermissionsChangedResult> {
    const result = await this.recheckLocal(userId);
    this.deps.log.info('user permissions changed by the API', { user: userId, ...result });
    await this.publish({ from: this.id, user: userId, kind: 'permissions-changed' });
    return result;
  }

  /**
   * Notifications of the user were marked read: their connections in their room are told, here
   * and on every process, each with its own count. Never rejects (a failure is logged).
   */
  async notificationsRead(
    userId: string,
    ids: string[] | 'all',
    readUpTo?: number | undefined,
  ): Promise<void> {
    const tell = this.deps.readState;
    if (!tell) return;
    const command: UserCommand = { from: this.id, user: userId, kind: 'read-state', ids };
    if (readUpTo !== undefined) command.readUpTo = readUpTo;
    await Promise.all([
      tell(userId, this.byUser.get(userId) ?? [], ids, readUpTo),
      this.publish(command).catch((err: unknown) =>
        this.deps.log.error('read-state push failed', { user: userId, ...errorFields(err) }),
      ),
    ]);
  }

  private async publish(command: UserCommand): Promise<void> {
    await this.deps.redisBus?.publishUserCommand(JSON.stringify(command));
  }

  /** A command from the shared channel; this process's own was carried out already. */
  private received(text: string): void {
    let command: UserCommand;
    try {
      command = JSON.parse(text) as UserCommand;
    } catch {
      return;
    }
    if (command.from === this.id || typeof command.user !== 'string') return;
    if (command.kind === 'disconnect') {
      if (typeof command.revokedAt === 'number') {
        void this.heard.revoke(command.user, command.revokedAt, this.deps.revocationTtlMs);
      }
      const connections = this.closeLocal(command.user);
      if (connections > 0) {
        this.deps.log.info('user disconnected by another process', {
          user: command.user,
          connections,
        });
      }
    } else if (command.kind === 'read-state') {
      const ids = command.ids;
      const valid =
        ids === 'all' || (Array.isArray(ids) && ids.every((id) => typeof id === 'string'));
      const connections = this.byUser.get(command.user);
      // From a process that does not send it: the count's reach stands for it, as before.
      const readUpTo = typeof command.readUpTo === 'number' ? command.readUpTo : undefined;
      if (valid && connections) {
        void this.deps.readState?.(command.user, connections, ids, readUpTo);
      }
    } else if (command.kind === 'permissions-changed') {
      this.recheckLocal(command.user).then(
        (result) => {
          if (result.connections > 0) {
            this.deps.log.info('user permissions changed by another process', {
              user: command.user,
              ...result,
            });
          }
        },
        (err: unknown) =>
          this.deps.log.error('room re-check failed', { user: command.user, ...errorFields(err) }),
      );
    }
  }

  private closeLocal(userId: string): number {
    // One already closing (a disconnect called twice) is not told again.
    const connections = [...(this.byUser.get(userId) ?? [])].filter((c) => c.state === 'open');
    for (const connection of connections) {
      this.deps.metrics.connectionsEndedByApi++;
      connection.sendError('invalid_token', 'signed out by the server: sign in again');
      connection.close(CLOSE_CODES.policyViolation, 'signed out');
    }
    return connections.length;
  }

  private async recheckLocal(userId: string): Promise<PermissionsChangedResult> {
    this.deps.authorizeCallback?.revokeUser(userId);
    const connections = [...(this.byUser.get(userId) ?? [])];
    const left = await Promise.all(connections.map((c) => this.deps.recheckRooms(c)));
    const roomsLeft = left.reduce((sum, n) => sum + n, 0);
    this.deps.metrics.roomsRevoked += roomsLeft;
    return { connections: connections.length, roomsLeft };
  }
}
