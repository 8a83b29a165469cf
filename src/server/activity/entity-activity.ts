/**
 * Accepted entity changes in the activity log: every change the entity service accepts (from a
 * client or a backend) becomes one item. What the item says (kind, the entity and its label, old →
 * new, the customer) is the shared rule of `src/domain/entity-activity.ts`, which the fake server
 * imports too.
 */
import type { EntityChange } from '../../protocol/index.js';
import { activityOfChange } from '../../domain/entity-activity.js';
import type { Logger } from '../log.js';
import { errorFields } from '../log.js';
import type { ActivityService } from './activity-service.js';

/** What the entity service hands its change listeners. */
export interface EntityChangeSource {
  onChange(listener: (change: EntityChange) => void): () => void;
}

/** Appends every accepted change to the activity log. Returns the unsubscribe. */
export function recordEntityChanges(
  entities: EntityChangeSource,
  activity: ActivityService,
  log: Logger,
): () => void {
  return entities.onChange((change) => {
    activity.append(activityOfChange(change)).catch((err: unknown) => {
      log.error('entity change not recorded in the activity log', {
        entity: `${change.entity.type}:${change.entity.id}`,
        ...errorFields(err),
      });
    });
  });
}
