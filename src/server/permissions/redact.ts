/**
 * What a user may see of a frame: fields hidden from them removed from every entity, change,
 * conflict, activity item, notification and presence state, entity labels that may be a hidden
 * field's value left out of activity items and notifications (and of the notification titles that
 * name the entity), and items about entities they may not read left out. Applied to every frame a connection sends (`Connection.send` and
 * `writePrepared`), so no path can forget it; a broadcast is redacted once per set of rules, not
 * once per member.
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
  type FieldConflict,
  type Fields,
  type Notification,
  type Person,
  type ServerFrame,
} from '../../protocol/index.js';
import { entityOfRoom } from '../authorize.js';
import { PreparedFrame } from '../wire.js';
import { watcherTitle, watcherTitleParts } from '../../domain/entity-activity.js';
import { entityRefFor } from '../../domain/entity-label.js';
import { fieldLabel } from '../../domain/field-labels.js';
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

function withoutFields(fields: Fields, hidden: ReadonlySet<string> | undefined): Fields {
  if (!hidden) return fields;
  let out: Fields | undefined;
  for (const field of hidden) {
    if (!Object.prototype.hasOwnProperty.call(fields, field)) continue;
    out ??= { ...fields };
    delete out[field];
  }
  return out ?? fields;
}

/** The entity without the fields hidden from this user (the same object when none were there). */
export function redactEntity(entity: Entity, v: Visibility): Entity {
  const fields = withoutFields(entity.fields, v.fields.hidden(entity.type));
  return fields === entity.fields ? entity : { ...entity, fields };
}

function mayRead(type: string, id: string, v: Visibility): boolean {
  const room = entityRoom(type, id);
  if (v.grants && !v.grants.decide({ user: { id: '', name: '' }, room, action: 'read' })) {
    return false;
  }
  return v.reads ? v.reads.allows(type, id) : true;
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

/**
 * An entity change as this user may see it: hidden fields out of the entity, `changed` and
 * `previous` (a change of only hidden fields still arrives, with `changed: []`, so the version the
 * client holds stays current); undefined when the user may not read the entity at all.
 */
export function redactEntityChange(change: EntityChange, v: Visibility): EntityChange | undefined {
  const { type, id } = change.entity;
  if (!mayRead(type, id, v)) return undefined;
  const hidden = v.fields.hidden(type);
  if (!hidden) return change;
  const entity = redactEntity(change.entity, v);
  const previous = withoutFields(change.previous, hidden);
  const changed = change.changed.filter((field) => !hidden.has(field));
  if (entity === change.entity && previous === change.previous) {
    if (changed.length === change.changed.length) return change;
  }
  return { ...change, entity, previous, changed };
}

/**
 * An activity item as this user may see it: left out when it is about an entity (or a customer)
 * they may not read; hidden fields out of its changes; and its entity without a label that may be
 * a hidden field's value (`entityRefFor`: a customer labelled by a hidden company reads
 * "customer 42").
 */
export function redactActivityItem(item: ActivityItem, v: Visibility): ActivityItem | undefined {
  // An item of a customer's feed (a call logged for it) tells about that customer.
  const customer = item.customerId;
  if (customer !== undefined && !mayRead('customer', customer, v)) return undefined;
  if (!item.entity) return item;
  const { type, id } = item.entity;
  if (!mayRead(type, id, v)) return undefined;
  const hidden = v.fields.hidden(type);
  if (!hidden) return item;
  const entity = entityRefFor(item.entity, hidden);
  const changes = item.changes?.some((c) => hidden.has(c.field))
    ? item.changes.filter((c) => !hidden.has(c.field))
    : item.changes;
  if (entity === item.entity && changes === item.changes) return item;
  const out: ActivityItem = { ...item, entity };
  if (changes) out.changes = changes;
  return out;
}

/**
 * A notification as this user may see it: left out when it is about an entity they may not read.
 * Its entity (and an entity target) loses a label that may be a hidden field's value
 * (`entityRefFor`). A watcher notification's title ("Ana updated Acme: Revenue, Notes") is
 * written again from its parts (`watcherTitleParts`) with the entity named as the user sees it
 * ("customer 42") and without the labels of hidden fields, the list altogether when nothing else
 * is in it. Other titles and messages are the words of whoever sent them and pass as they are.
 */
export function redactNotification(n: Notification, v: Visibility): Notification | undefined {
  if (n.entity && !mayRead(n.entity.type, n.entity.id, v)) return undefined;
  let target = n.target;
  if ('entity' in n.target) {
    const seen = entityRefFor(n.target.entity, v.fields.hidden(n.target.entity.type));
    if (seen !== n.target.entity) target = { entity: seen };
  }
  if (!n.entity) return target === n.target ? n : { ...n, target };
  const { type } = n.entity;
  const hidden = v.fields.hidden(type);
  const entity = entityRefFor(n.entity, hidden);
  let title = n.title;
  const parts = hidden ? watcherTitleParts(n) : undefined;
  if (hidden && parts) {
    const labels = new Set([...hidden].flatMap((f) => [f, fieldLabel(type, f)]));
    // A list cut at the length limit cannot be read back: it goes, lest it name a hidden field.
    const named = parts.fields ?? [];
    const fields = named.filter((label) => !labels.has(label));
    if (entity !== n.entity || fields.length !== named.length || !parts.fields) {
      title = watcherTitle({ ...parts, entity, fields, more: fields.length > 0 ? parts.more : 0 });
    }
  }
  if (entity === n.entity && target === n.target && title === n.title) return n;
  return { ...n, target, entity, title };
}

function redactPerson(person: Person, hidden: ReadonlySet<string>): Person {
  const activity = person.activity;
  if (activity.kind !== 'editing' || !hidden.has(activity.field)) return person;
  return { ...person, activity: { kind: 'viewing' } };
}

function redactPeople(room: string, people: Person[], v: Visibility): Person[] {
  const type = entityOfRoom(room)?.type;
  const hidden = type === undefined ? undefined : v.fields.hidden(type);
  if (!hidden) return people;
  const out = people.map((p) => redactPerson(p, hidden));
  return out.some((p, i) => p !== people[i]) ? out : people;
}

function keepSome<T>(items: T[], redact: (item: T) => T | undefined): T[] {
  const out: T[] = [];
  let same = true;
  for (const item of items) {
    const kept = redact(item);
    if (kept !== item) same = false;
    if (kept !== undefined) out.push(kept);
  }
  return same ? items : out;
}

/**
 * The frame as this user may see it: the same object when nothing is hidden from them in it, a
 * redacted copy, or undefined when the whole frame is about something they may not read.
 */
export function redactFrame(frame: ServerFrame, v: Visibility): ServerFrame | undefined {
  if (v.fields.empty && !v.grants && !v.reads) return frame;
  switch (frame.type) {
    case 'entity.snapshot':
    case 'entity.ack': {
      const entity = redactEntity(frame.entity, v);
      return entity === frame.entity ? frame : { ...frame, entity };
    }
    case 'entity.conflict': {
      const hidden = v.fields.hidden(frame.current.type);
      const current = redactEntity(frame.current, v);
      const conflicts: FieldConflict[] = hidden
        ? frame.conflicts.filter((c) => !hidden.has(c.field))
        : frame.conflicts;
      if (current === frame.current && conflicts.length === frame.conflicts.length) return frame;
      return { ...frame, current, conflicts };
    }
    case 'event': {
      const payload = frame.payload as unknown;
      let redacted: unknown;
      if (frame.event === 'entity.change') {
        redacted = redactEntityChange(payload as EntityChange, v);
      } else if (frame.event === 'activity') {
        redacted = redactActivityItem(payload as ActivityItem, v);
      } else if (frame.event === 'notification') {
        redacted = redactNotification(payload as Notification, v);
      } else {
        return frame;
      }
      if (redacted === undefined) return undefined;
      return redacted === payload ? frame : { ...frame, payload: redacted as typeof frame.payload };
    }
    case 'activity.page': {
      const items = keepSome(frame.items, (item) => redactActivityItem(item, v));
      return items === frame.items ? frame : { ...frame, items };
    }
    case 'notification.page': {
      const items = keepSome(frame.items, (item) => redactNotification(item, v));
      return items === frame.items ? frame : { ...frame, items };
    }
    case 'joined': {
      const people = redactPeople(frame.room, frame.people, v);
      return people === frame.people ? frame : { ...frame, people };
    }
    case 'presence.diff': {
      const upsert = redactPeople(frame.room, frame.upsert, v);
      return upsert === frame.upsert ? frame : { ...frame, upsert };
    }
    default:
      return frame;
  }
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
