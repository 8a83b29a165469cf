/**
 * What an accepted entity change says: its activity item, and the notification for the people
 * watching the entity. The reference server (`src/server/activity/`, `src/server/notifications/`)
 * and the fake server (`src/testing/`) both import these rules, so the fake cannot drift from the
 * server.
 *
 * - Activity: `entity.created` for version 1, `entity.updated` otherwise; who made it; the entity
 *   with its label (`entity-label.ts`); each changed field old → new; and the customer it belongs
 *   to: the entity itself for a customer, else its `customerId` field (calls, meetings, …).
 * - Watcher notification (`notifyWatchersOnChange`): a client's accepted change tells the others
 *   on the entity "Ana Souza updated Difference Ltd: Next step, Contact", fields named by their
 *   form labels (`field-labels.ts`). Backend writes do not notify. The title is written from
 *   parts (`watcherTitle`) and read back into them (`watcherTitleParts`), so a recipient's
 *   redaction rewrites it from the same parts rather than editing the text.
 */
import {
  hasField,
  type ActivityInput,
  type Entity,
  type EntityChange,
  type EntityRef,
  type NotificationInput,
} from '../protocol/index.js';
import { entityName, entityRefOf } from './entity-label.js';
import { fieldLabel } from './field-labels.js';

const MAX_CHANGES = 100;
const MAX_TITLE = 200;
const MAX_FIELDS_NAMED = 5;

/** The customer a change belongs to, for the customer feed. */
export function customerOf(entity: Entity): string | undefined {
  if (entity.type === 'customer') return entity.id;
  const id = entity.fields.customerId;
  if (typeof id === 'string' && /^[A-Za-z0-9_\-.]{1,128}$/.test(id)) return id;
  if (typeof id === 'number' && Number.isSafeInteger(id)) return String(id);
  return undefined;
}

/** The activity item of one accepted change. */
export function activityOfChange(change: EntityChange): ActivityInput {
  const { entity } = change;
  const input: ActivityInput = {
    kind: entity.version === 1 ? 'entity.created' : 'entity.updated',
    entity: entityRefOf(entity),
    // Field names are the protocol's; the change list is capped like ActivityInput's.
    changes: change.changed.slice(0, MAX_CHANGES).map((field) => {
      const fieldChange: NonNullable<ActivityInput['changes']>[number] = { field };
      // Own fields only: `constructor` or `toString` are field names, not inherited members.
      if (hasField(change.previous, field)) fieldChange.from = change.previous[field]!;
      if (hasField(entity.fields, field)) fieldChange.to = entity.fields[field]!;
      return fieldChange;
    }),
  };
  if (change.by) input.actor = change.by;
  const customerId = customerOf(entity);
  if (customerId !== undefined) input.customerId = customerId;
  return input;
}

/** What a watcher notification's title says, in parts a recipient's redaction can rewrite. */
export interface WatcherTitle {
  /** Who changed the entity (the notification's `from`). */
  actor: string;
  /** The entity (the notification's `entity`): its label, else its type and id. */
  entity: EntityRef;
  /** The labels of the changed fields it names; undefined when a title cut at the limit lost them. */
  fields: readonly string[] | undefined;
  /** How many changed fields it does not name ("and 2 more"). */
  more: number;
}

/** The title: "Ana Souza updated Difference Ltd: Next step, Contact", cut at the protocol's limit. */
export function watcherTitle({ actor, entity, fields = [], more }: WatcherTitle): string {
  let list = fields.join(', ');
  if (list !== '' && more > 0) list += ` and ${more} more`;
  const head = `${actor} updated ${entityName(entity)}`;
  const title = list === '' ? head : `${head}: ${list}`;
  return title.length > MAX_TITLE ? `${title.slice(0, MAX_TITLE - 1)}…` : title;
}

/**
 * A watcher notification's title read back into its parts, so redaction can write it again for a
 * recipient who may see less (a label from a hidden field, a hidden field's label); undefined when
 * the title is not what `watcherTitle` makes of the notification's `from` and `entity` (a
 * backend's or a person's own text, which is theirs to word). Only a title that `watcherTitle`
 * writes again to the very same text is read, so nothing is guessed from free text.
 */
export function watcherTitleParts(n: {
  title: string;
  from?: { name: string } | undefined;
  entity?: EntityRef | undefined;
}): WatcherTitle | undefined {
  if (!n.from || !n.entity) return undefined;
  const bare: WatcherTitle = { actor: n.from.name, entity: n.entity, fields: [], more: 0 };
  if (n.title === watcherTitle(bare)) return bare;
  const prefix = `${bare.actor} updated ${entityName(n.entity)}: `;
  if (n.title.startsWith(prefix)) {
    const list = n.title.slice(prefix.length);
    const more = / and ([1-9]\d*) more$/.exec(list);
    const named = more ? list.slice(0, more.index) : list;
    const read = { ...bare, fields: named.split(', '), more: more ? Number(more[1]) : 0 };
    if (watcherTitle(read) === n.title) return read;
  }
  // Cut at the limit: the cut may fall inside a field's label, or inside the entity's name.
  const kept = n.title.slice(0, -1);
  const cut = n.title.length === MAX_TITLE && n.title.endsWith('…');
  if (cut && (kept.startsWith(prefix) || prefix.startsWith(kept))) {
    return { ...bare, fields: undefined };
  }
  return undefined;
}

/** The notification for the watchers of a change, or undefined when the rule does not apply. */
export function watcherNotification(change: EntityChange): NotificationInput | undefined {
  if (change.source !== 'client' || !change.by || change.changed.length === 0) return undefined;
  const entity = entityRefOf(change.entity);
  const fields = change.changed
    .slice(0, MAX_FIELDS_NAMED)
    .map((field) => fieldLabel(change.entity.type, field));
  const more = change.changed.length - fields.length;
  const title = watcherTitle({ actor: change.by.name, entity, fields, more });
  return { target: { entity }, type: 'info', priority: 'normal', title, entity };
}
