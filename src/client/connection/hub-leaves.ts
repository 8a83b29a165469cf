/**
 * The leaves a hub sends for tabs that are gone, kept until the server answers. The tabs share
 * the socket's rate limit, and tabs closing and opening spend it fast: a leave the server dropped
 * (`rate_limited`, or `internal`) is sent again, later and later, or the room and the gone tab's
 * place in its presence would stay until the socket closes.
 */
import type { ServerFrame } from '../../protocol/index.js';
import type { Clock } from '../../util/clock.js';
import type { Transport } from './transport.js';

/** First wait before a dropped leave goes again (the rate's bucket refills within a second). */
const RETRY_MS = 1000;
const RETRY_MAX_MS = 30_000;

interface Leave {
  room: string;
  /** The gone tab's wire id. */
  tab: string;
  attempt: number;
  timer?: unknown;
}

export class GoneTabLeaves {
  private readonly pending = new Map<string, Leave>();

  constructor(
    private readonly clock: Clock,
    private readonly newId: () => string,
  ) {}

  /** Leaves `room` for the gone tab `tab`, on `connection` if it is open. */
  send(connection: Transport | undefined, room: string, tab: string, attempt = 0): void {
    // A socket that is not open took every room with it on the server.
    if (!connection?.isOpen) return;
    const id = this.newId();
    this.pending.set(id, { room, tab, attempt });
    try {
      connection.send({ type: 'leave', id, room, tab });
    } catch {
      this.pending.delete(id);
    }
  }

  /**
   * The server's answer to `id`, if it is one of these leaves (true then): done, or sent again
   * on `connection()` (the socket of that moment) after a doubling delay when it was dropped.
   */
  answered(id: string, frame: ServerFrame, connection: () => Transport | undefined): boolean {
    const leave = this.pending.get(id);
    if (!leave) return false;
    const code = frame.type === 'error' ? frame.code : undefined;
    if (code !== 'rate_limited' && code !== 'internal') {
      this.pending.delete(id);
      return true;
    }
    const delay = Math.min(RETRY_MS * 2 ** leave.attempt, RETRY_MAX_MS);
    leave.timer = this.clock.setTimeout(() => {
      this.pending.delete(id);
      this.send(connection(), leave.room, leave.tab, leave.attempt + 1);
    }, delay);
    return true;
  }

  /** The socket went: the server dropped every room with it. */
  clear(): void {
    for (const { timer } of this.pending.values()) {
      if (timer !== undefined) this.clock.clearTimeout(timer);
    }
    this.pending.clear();
  }
}
