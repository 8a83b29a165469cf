/**
 * The `notifyWatchersOnChange` rule (on in development mode): when a client's change to an entity
 * is accepted, the people in the entity's room other than its author get a notification
 * ("Ana Souza updated Difference Ltd: Next step, Contact"), targeted at the entity, so the other
 * window of a colleague looking at the same customer shows it in the notification center. Backend
 * writes do not notify (a CRM form saving through the HTTP API says nothing about who cares). What
 * the notification says is the shared rule of `src/domain/entity-activity.ts` (the fake server
 * applies it too).
 */
import { watcherNotification } from '../../domain/entity-activity.js';
import type { EntityChangeSource } from '../activity/entity-activity.js';
import { errorFields, type Logger } from '../log.js';
import type { NotificationService } from './notification-service.js';

/** Subscribes the rule to accepted entity changes. Returns the unsubscribe. */
export function notifyWatchersOnChange(
  entities: EntityChangeSource,
  notifications: NotificationService,
  log: Logger,
): () => void {
  return entities.onChange((change) => {
    const input = watcherNotification(change);
    if (!input || !change.by) return;
    notifications.send(input, change.by).catch((err: unknown) => {
      log.error('watcher notification failed', {
        entity: `${change.entity.type}:${change.entity.id}`,
        ...errorFields(err),
      });
    });
  });
}
