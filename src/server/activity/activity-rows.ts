/**
 * How activity items are laid out in the SQL stores (SQLite and PostgreSQL keep the same columns):
 * the selected row with its JSON columns parsed, the item it makes, and the values an insert
 * writes. One module, so the two stores cannot drift.
 */
import type { ActivityItem, EntityRef, FieldChange, UserProfile } from '../../protocol/index.js';
import type { NewActivity } from './activity-repository.js';

export interface ActivityRow {
  id: number;
  at: number;
  kind: string;
  entity_type: string | null;
  entity_id: string | null;
  customer_id: string | null;
  changes: FieldChange[] | null;
  data: ActivityData | null;
}

/** What the `data` column holds: the parts of an item that have no column of their own. */
export interface ActivityData {
  actor?: UserProfile;
  entityLabel?: string;
  summary?: string;
}

export const ACTIVITY_COLUMNS = 'id, at, kind, entity_type, entity_id, customer_id, changes, data';

/** The columns an insert writes, in the order of `activityValues`. */
export const ACTIVITY_INSERT_COLUMNS =
  'at, actor, kind, entity_type, entity_id, customer_id, changes, data';

export function activityOfRow(row: ActivityRow): ActivityItem {
  const data = row.data ?? {};
  const item: ActivityItem = { id: String(row.id), kind: row.kind, at: row.at };
  if (data.actor) item.actor = data.actor;
  if (row.entity_type !== null && row.entity_id !== null) {
    const entity: EntityRef = { type: row.entity_type, id: row.entity_id };
    if (data.entityLabel !== undefined) entity.label = data.entityLabel;
    item.entity = entity;
  }
  if (row.customer_id !== null) item.customerId = row.customer_id;
  if (row.changes !== null) item.changes = row.changes;
  if (data.summary !== undefined) item.summary = data.summary;
  return item;
}

/** The values of `ACTIVITY_INSERT_COLUMNS` for `item`; JSON columns as text. */
export function activityValues(item: NewActivity): unknown[] {
  const data: ActivityData = {};
  if (item.actor) data.actor = item.actor;
  if (item.entity?.label !== undefined) data.entityLabel = item.entity.label;
  if (item.summary !== undefined) data.summary = item.summary;
  return [
    item.at,
    item.actor?.id ?? null,
    item.kind,
    item.entity?.type ?? null,
    item.entity?.id ?? null,
    item.customerId ?? null,
    item.changes ? JSON.stringify(item.changes) : null,
    Object.keys(data).length > 0 ? JSON.stringify(data) : null,
  ];
}
