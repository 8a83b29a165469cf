/**
 * The `notifyWatchersOnChange` rule (on in development mode): when a client's change to an entity
 * is accepted, the people in the entity's room other than its author get a notification
 * ("Ana Souza updated Difference Ltd: Next step, Contact"), targeted at the entity, so the other
 * window of a colleague looking at the same customer shows it in the notification center. Backend
 * writes do not notify (a CRM form saving through the HTTP API says nothing about who cares). What
 * the notification says is the shared rule of `src/domain/entity-activity.ts` (the fake server
 * applies it too).
 *
 * The change is committed before its notification is stored, so a database that refuses that one
 * write (SQLite locked by an operator's transaction, a PostgreSQL connection dropped, Redis away
 * while the room's people are looked up) would lose it for good: nobody retries a change that
 * succeeded. The rule tries again after `WATCHER_RETRY_MS`, to the people who were in the room
 * when it was first looked up, and gives up (logged as an error) after the last wait. Every try
 * of one notification gives it the same id, so a try again after a store that committed but
 * whose answer was lost (a PostgreSQL connection dropped at commit) finds it stored and only
 * delivers it: the people looking get it once, and the change log (webhooks) has it once.
 */
import { randomUUID } from 'node:crypto';
import type { UserProfile } from '../../protocol/index.js';
import { watcherNotification } from '../../domain/entity-activity.js';
import type { EntityChangeSource } from '../activity/entity-activity.js';
import type { ServerClock } from '../clock.js';
import { errorFields, type Logger } from '../log.js';
import type { NotificationService } from './notification-service.js';

/** The waits before each try again of a notification that failed: about half a minute in all. */
export const WATCHER_RETRY_MS: readonly number[] = [1000, 2000, 4000, 8000, 16_000];

/**
 * The most notifications waiting to be tried again at once: a store refusing them for long while
 * people keep saving would otherwise hold every one in memory. Beyond it a failure is given up
 * at once (logged as an error), as after the last wait.
 */
export const WATCHER_RETRY_MAX_WAITING = 1000;

/** Subscribes the rule to accepted entity changes. Returns the unsubscribe. */
export function notifyWatchersOnChange(
  entities: EntityChangeSource,
  notifications: Pick<NotificationService, 'send' | 'recipientsOf'>,
  clock: ServerClock,
  log: Logger,
  maxWaiting = WATCHER_RETRY_MAX_WAITING,
): () => void {
  /** Retries waiting on a timer: dropped (and counted in the log) when the server stops. */
  const waiting = new Set<unknown>();
  let stopped = false;

  const attempt = (
    input: NonNullable<ReturnType<typeof watcherNotification>>,
    by: UserProfile,
    entity: string,
    id: string,
    failures: number,
    known: readonly string[] | undefined,
  ): void => {
    let recipients = known;
    void (async () => {
      recipients ??= await notifications.recipientsOf(input.target, by);
      await notifications.send(input, by, recipients, id);
    })().catch((err: unknown) => {
      const wait = WATCHER_RETRY_MS[failures];
      const full = waiting.size >= maxWaiting;
      if (wait === undefined || stopped || full) {
        log.error('watcher notification failed', {
          entity,
          attempts: failures + 1,
          ...(full && wait !== undefined && !stopped ? { waiting: waiting.size } : {}),
          ...errorFields(err),
        });
        return;
      }
      log.warn('watcher notification failed: trying again', {
        entity,
        attempt: failures + 1,
        retryInMs: wait,
        ...errorFields(err),
      });
      const handle = clock.setTimeout(() => {
        waiting.delete(handle);
        attempt(input, by, entity, id, failures + 1, recipients);
      }, wait);
      waiting.add(handle);
    });
  };

  const unsubscribe = entities.onChange((change) => {
    const input = watcherNotification(change);
    if (!input || !change.by) return;
    const entity = `${change.entity.type}:${change.entity.id}`;
    attempt(input, change.by, entity, randomUUID(), 0, undefined);
  });
  return () => {
    stopped = true;
    unsubscribe();
    if (waiting.size > 0) {
      log.error('watcher notifications not sent: the server stopped before their next try', {
        dropped: waiting.size,
      });
    }
    waiting.forEach((handle) => clock.clearTimeout(handle));
    waiting.clear();
  };
}
