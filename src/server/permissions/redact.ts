/**
 * What a user may see of a frame: the domain's rule (`domain/field-redaction.ts`, which the fake
 * server applies too) with this connection's field policy, room grants and hook answers. Fields
 * hidden from them are removed from every entity, change, conflict, activity item, notification
 * and presence state, entity labels that may be a hidden field's value are left out of activity
 * items and notifications, and items about entities they may not read are left out. Applied to
 * every frame a connection sends (`Connection.send` and `writePrepared`), so no path can forget
 * it; a broadcast is redacted once per set of rules, not once per member.
 *
 * `redactEntityChange` is exported for other outbound paths (the HTTP change feed, webhooks) that
 * deliver changes on behalf of one user.
 */
import {
  entityRoom,
  type ActivityItem,
  type Entity,
  type EntityChange,
  type EntityRef,
  type Notification,
  type ServerFrame,
} from '../../protocol/index.js';
import { entityOfRoom } from '../authorize.js';
import { PreparedFrame } from '../wire.js';
import {
  activityItemFor,
  entityChangeFor,
  entityFor,
  frameFor,
  notificationFor,
  type FieldRedaction,
} from '../../domain/field-redaction.js';
import type { RoomGrants } from './claims.js';
import type { EntityReads } from './entity-reads.js';
import type { FieldPolicy } from './field-policy.js';

/** What one connection may see. */
export interface Visibility {
  readonly fields: FieldPolicy;
  /** Room grants of the token's claim; without them every entity is readable here. */
  readonly grants?: RoomGrants | undefined;
  /** Identifies the grants, for the per-rules cache of redacted broadcasts. */
  readonly grantsKey?: string | undefined;
  /**
   * The hook's answers about reading entities, when a hook or callback decides them: activity
   * items and notifications about an entity the hook refuses are left out. The connection waits
   * for the answers before it redacts (`entitiesToRead`), so they are known here.
   */
  readonly reads?: EntityReads | undefined;
}

/** Whether this user may read the entity (the claim's grants, the hook's known answer). */
export function mayRead(type: string, id: string, v: Visibility): boolean {
  const room = entityRoom(type, id);
  if (v.grants && !v.grants.decide({ user: { id: '', name: '' }, room, action: 'read' })) {
    return false;
  }
  return v.reads ? v.reads.allows(type, id) : true;
}

/** The rules of the domain's redaction (shared with the fake server) as `v` gives them. */
const redactions = new WeakMap<Visibility, FieldRedaction>();
function rulesOf(v: Visibility): FieldRedaction {
  let r = redactions.get(v);
  if (!r) {
    r = {
      hidden: (type) => v.fields.hidden(type),
      mayRead: (type, id) => mayRead(type, id, v),
      roomType: (room) => entityOfRoom(room)?.type,
    };
    redactions.set(v, r);
  }
  return r;
}

/** The entity without the fields hidden from this user (the same object when none were there). */
export function redactEntity(entity: Entity, v: Visibility): Entity {
  return entityFor(entity, rulesOf(v));
}

const NONE: readonly EntityRef[] = [];

/**
 * The entities whose reading decides what of the frame this user gets: those of the activity
 * items and notifications it carries, and the customer an activity item belongs to. Entity changes
 * and snapshots are not among them: they only reach the members of the entity's own room, whose
 * join the hook allowed.
 */
export function entitiesToRead(frame: ServerFrame): readonly EntityRef[] {
  // Most frames carry none: no array is made for them (this runs for every frame sent).
  if (frame.type === 'event') {
    if (frame.event !== 'activity' && frame.event !== 'notification') return NONE;
  } else if (frame.type !== 'activity.page' && frame.type !== 'notification.page') {
    return NONE;
  }
  const out: EntityRef[] = [];
  const add = (item: { entity?: EntityRef; customerId?: string } | undefined) => {
    if (item?.entity) out.push(item.entity);
    if (item?.customerId !== undefined) out.push({ type: 'customer', id: item.customerId });
  };
  if (frame.type === 'event') add(frame.payload as { entity?: EntityRef } | undefined);
  else if (frame.type === 'activity.page' || frame.type === 'notification.page') {
    for (const item of frame.items) add(item);
  }
  return out.length > 0 ? out : NONE;
}

/** `entitiesToRead` of prepared broadcasts, parsed once per frame whoever receives it. */
const preparedEntities = new WeakMap<PreparedFrame, readonly EntityRef[]>();

/** Broadcasts that can carry an activity item or a notification start like this. */
const MAY_NAME_ENTITY = /^\{"type":"event"/;

export function entitiesOfPrepared(frame: PreparedFrame): readonly EntityRef[] {
  const cached = preparedEntities.get(frame);
  if (cached !== undefined) return cached;
  const head = frame.payload.toString('utf8', 0, Math.min(32, frame.payload.byteLength));
  const entities = MAY_NAME_ENTITY.test(head)
    ? entitiesToRead(JSON.parse(frame.payload.toString('utf8')) as ServerFrame)
    : NONE;
  preparedEntities.set(frame, entities);
  return entities;
}

/** An entity change as this user may see it (`entityChangeFor`); undefined: not for them. */
export function redactEntityChange(change: EntityChange, v: Visibility): EntityChange | undefined {
  return entityChangeFor(change, rulesOf(v));
}

/** An activity item as this user may see it (`activityItemFor`); undefined: not for them. */
export function redactActivityItem(item: ActivityItem, v: Visibility): ActivityItem | undefined {
  return activityItemFor(item, rulesOf(v));
}

/** A notification as this user may see it (`notificationFor`); undefined: not for them. */
export function redactNotification(n: Notification, v: Visibility): Notification | undefined {
  return notificationFor(n, rulesOf(v));
}

/**
 * The frame as this user may see it (`frameFor`): the same object when nothing is hidden from
 * them in it, a redacted copy, or undefined when the whole frame is about something they may not
 * read.
 */
export function redactFrame(frame: ServerFrame, v: Visibility): ServerFrame | undefined {
  if (v.fields.empty && !v.grants && !v.reads) return frame;
  return frameFor(frame, rulesOf(v));
}

/** Redacted broadcasts per frame and per set of rules: a room of like users costs one redaction. */
const redactedFrames = new WeakMap<PreparedFrame, Map<string, PreparedFrame | null>>();

/** Frames that can carry fields, entities or presence start like this (`type` is serialized first). */
const MAY_CARRY = /^\{"type":"(event|presence\.diff)"/;

/**
 * `redactFrame` for a prepared broadcast frame (undefined: not for this user), by the rules of
 * the token and callback alone: the result is shared by every connection with the same rules.
 * The hook's answers about entities (`reads`) are this connection's own: the connection applies
 * them to the frame's entity (`entitiesOfPrepared`).
 */
export function redactPrepared(frame: PreparedFrame, v: Visibility): PreparedFrame | undefined {
  if (v.fields.empty && !v.grants) return frame;
  const head = frame.payload.toString('utf8', 0, Math.min(32, frame.payload.byteLength));
  if (!MAY_CARRY.test(head)) return frame;
  const key = `${v.fields.key}|${v.grantsKey ?? ''}`;
  let perRules = redactedFrames.get(frame);
  const cached = perRules?.get(key);
  if (cached !== undefined) return cached ?? undefined;
  const parsed = JSON.parse(frame.payload.toString('utf8')) as ServerFrame;
  const redacted = redactFrame(parsed, v.reads ? { ...v, reads: undefined } : v);
  const result =
    redacted === undefined ? null : redacted === parsed ? frame : PreparedFrame.of(redacted);
  if (!perRules) {
    perRules = new Map();
    redactedFrames.set(frame, perRules);
  }
  perRules.set(key, result);
  return result ?? undefined;
}

/**
 * The data of one change-log entry (`entity.change`, `activity`, `notification`: the kinds the
 * webhooks and `GET /api/changes` carry) as a user with `v` may see it; undefined: not for them.
 * The feed itself is read with an API key (by the CRM, which sees everything); a feed or webhook
 * delivered on behalf of one user passes each item through this.
 */
export function redactChangeData(kind: string, data: unknown, v: Visibility): unknown {
  switch (kind) {
    case 'entity.change':
      return redactEntityChange(data as EntityChange, v);
    case 'activity':
      return redactActivityItem(data as ActivityItem, v);
    case 'notification':
      return redactNotification(data as Notification, v);
    default:
      return data;
  }
}
