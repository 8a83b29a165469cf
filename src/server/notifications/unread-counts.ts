/**
 * The unread counts connections are sent: each as that connection's user may see it, stamped
 * with its place among the counts the connection was sent (`unreadSeq`).
 *
 * What a user may see differs between their connections: tokens with different claims, and hook
 * answers asked per connection, make different entities readable, and notifications about an
 * entity the connection may not read are not counted. So a count is always computed for the
 * connection it is sent to, never sent to another: after a mark-read every connection of the user
 * in their room (on every process: `UserControl`) gets its own. Connections whose counts cannot
 * differ share one computation, and all of them share one read of the database.
 *
 * Counts are computed concurrently (a page, a read's answer, a push after another tab's read) and
 * one may take long while the hook decides which entities the user may read, so a count begun
 * earlier can be sent after one begun later. The stamp is taken when the computation begins,
 * before the database is read, and the client ignores a count stamped lower than the one it
 * holds. Per connection, not per user: every count a connection gets was computed for it on its
 * own process, so the order its computations began in is the order of what they saw, the rules in
 * force included (a count begun before a re-check changed which entities the user may read is
 * older than the client's re-read after it, though the notifications did not change).
 *
 * A count also says how far it reaches (`unreadUpTo`: the order of the user's newest notification
 * it saw, read in one snapshot with it), as each live notification names its own (`order`): a
 * notification's event can reach the client after a count that counted it (stored, counted for a
 * read in another tab, then delivered; through Redis from another process, later still), and a
 * count begun before it was stored can arrive after its event. The client adds a live one only
 * when the count it holds does not reach it, and adds again those a newer count does not reach.
 */
import { userRoom } from '../../protocol/index.js';
import type { Connection } from '../connection.js';
import { errorFields, type Logger } from '../log.js';
import { mayRead, type Visibility } from '../permissions/redact.js';
import type { UnreadAbout, UnreadTally } from './notification-repository.js';
import type { NotificationService } from './notification-service.js';

/** A count, its stamp and how far it reaches, as a frame carries them. */
export interface UnreadCount {
  unread: number;
  unreadSeq: number;
  unreadUpTo: number;
}

export class UnreadCounts {
  /** The stamp of the latest count begun for each connection. */
  private readonly seqs = new WeakMap<Connection, number>();

  constructor(
    private readonly notifications: Pick<NotificationService, 'unread' | 'unreadAbout'>,
    private readonly log: Logger,
  ) {}

  /** Stamps a count of this connection's begun now: call before reading anything it counts. */
  begin(connection: Connection): number {
    const seq = (this.seqs.get(connection) ?? 0) + 1;
    this.seqs.set(connection, seq);
    return seq;
  }

  /**
   * `unread` (all the user's unread notifications, up to the order `upTo`) as this connection's
   * user may see it.
   */
  visible(connection: Connection, { unread, upTo }: UnreadTally): Promise<number> {
    const userId = connection.user!.id;
    return visibleUnread(connection.permissions?.visibility, unread, () =>
      this.notifications.unreadAbout(userId, upTo),
    );
  }

  /**
   * Tells the user's connections among `connections` that are in their room that notifications
   * were marked read (`ids`): a `notification.read-state` without `replyTo`, with each one's own
   * count. Never rejects (a failure is logged; those connections keep their count until the next).
   * `readUpTo`: for `'all'`, the largest order the read of all marked (`readUpTo` on the wire).
   */
  async readState(
    userId: string,
    connections: Iterable<Connection>,
    ids: string[] | 'all',
    readUpTo?: number | undefined,
  ): Promise<void> {
    const room = userRoom(userId);
    const told = [...connections].filter((c) => c.isOpen && c.memberships.has(room));
    if (told.length === 0) return;
    const seqs = told.map((c) => this.begin(c));
    try {
      const { unread, upTo: unreadUpTo } = await this.notifications.unread(userId);
      let about: Promise<UnreadAbout[]> | undefined;
      // Up to the count's reach: one stored since is not in the count, so not taken off it.
      const aboutOnce = () => (about ??= this.notifications.unreadAbout(userId, unreadUpTo));
      const shared = new Map<string, Promise<number>>();
      const counts = told.map((c) => {
        const visibility = c.permissions?.visibility;
        const key = sharingKey(visibility);
        let count = key === undefined ? undefined : shared.get(key);
        if (count === undefined) {
          count = visibleUnread(visibility, unread, aboutOnce);
          if (key !== undefined) shared.set(key, count);
        }
        return count;
      });
      const settled = await Promise.allSettled(counts);
      settled.forEach((result, i) => {
        if (result.status === 'fulfilled') {
          const unreadSeq = seqs[i]!;
          told[i]!.send({
            type: 'notification.read-state',
            ids,
            unread: result.value,
            unreadSeq,
            unreadUpTo,
            ...(readUpTo !== undefined ? { readUpTo } : {}),
          });
        } else {
          this.log.error('read-state push failed', { user: userId, ...errorFields(result.reason) });
        }
      });
    } catch (err) {
      this.log.error('read-state push failed', { user: userId, ...errorFields(err) });
    }
  }
}

/**
 * Which connections' counts are the same: those without rules that leave entities out (the
 * whole count), and those whose only such rules are their claim's room grants (one count per
 * claim). Undefined when the count is the connection's own: the hook's answers about reading
 * entities are asked and kept per connection.
 */
function sharingKey(visibility: Visibility | undefined): string | undefined {
  if (!visibility || (!visibility.reads && !visibility.grants)) return '';
  if (visibility.reads) return undefined;
  return `grants:${visibility.grantsKey ?? ''}`;
}

/**
 * The unread count as a connection's user may see it: notifications about an entity they may not
 * read never reach them (pages and events leave them out), so they are not counted either; a user
 * who lost the right to read a customer does not keep a badge for what they cannot open. Asks the
 * hook about the entities of the unread notifications (the newest 500 entities; unread ones about
 * older entities count), as a page about them would.
 */
async function visibleUnread(
  visibility: Visibility | undefined,
  unread: number,
  unreadAbout: () => Promise<UnreadAbout[]>,
): Promise<number> {
  if (unread === 0 || !visibility || (!visibility.reads && !visibility.grants)) return unread;
  const about = await unreadAbout();
  await visibility.reads?.decide(about);
  let hidden = 0;
  for (const { type, id, count } of about) if (!mayRead(type, id, visibility)) hidden += count;
  return Math.max(0, unread - hidden);
}
