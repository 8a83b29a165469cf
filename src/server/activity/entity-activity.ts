/**
 * Accepted entity changes in the activity log: every change the entity service accepts (from a
 * client or a backend) becomes one item. What the item says (kind, the entity and its label, old →
 * new, the customer) is the shared rule of `src/domain/entity-activity.ts`, which the fake server
 * imports too.
 *
 * When the log lives in the entities' database, the item is written inside the change's own
 * transaction, so a crash (kill -9) can never leave an applied, possibly acknowledged, change
 * without its item; a repeated mutation id makes no change and so no item. Only the live fan-out
 * of the item waits for the commit. A log elsewhere (a private in-memory one) gets the item after
 * the commit.
 */
import type { EntityChange } from '../../protocol/index.js';
import { activityOfChange } from '../../domain/entity-activity.js';
import type { Logger } from '../log.js';
import { errorFields } from '../log.js';
import type { ActivityService } from './activity-service.js';

/** What the entity service hands its change listeners and transaction steps. */
export interface EntityChangeSource {
  onChange(listener: (change: EntityChange) => void): () => void;
  /** Runs `step` inside every accepted change's transaction; its result runs after the commit. */
  inTransaction?(step: (change: EntityChange) => (() => void) | void): () => void;
}

/**
 * Appends every accepted change to the activity log. `sameDatabase`: the log and the entities
 * share one database, so the item can commit with its change. Returns the unsubscribe.
 */
export function recordEntityChanges(
  entities: EntityChangeSource,
  activity: ActivityService,
  log: Logger,
  sameDatabase = false,
): () => void {
  if (sameDatabase && entities.inTransaction && activity.canAppendInTransaction) {
    return entities.inTransaction((change) =>
      activity.appendInTransaction(activityOfChange(change)),
    );
  }
  return entities.onChange((change) => {
    activity.append(activityOfChange(change)).catch((err: unknown) => {
      log.error('entity change not recorded in the activity log', {
        entity: `${change.entity.type}:${change.entity.id}`,
        ...errorFields(err),
      });
    });
  });
}
