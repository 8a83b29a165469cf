/**
 * What a user may see of a frame, by field rules: fields hidden from them removed from every
 * entity, change, conflict, activity item, notification and presence state, and entity labels
 * that may be a hidden field's value left out of activity items and notifications (and of the
 * notification titles that name the entity); with `mayRead`, items about entities they may not
 * read left out. One rule for the reference server (which adds its caches and its hook's answers,
 * server/permissions/redact.ts) and the fake server, so an app's tests see what users will.
 */
import type {
  ActivityItem,
  Entity,
  EntityChange,
  FieldConflict,
  Fields,
  Notification,
  Person,
  ServerFrame,
} from '../protocol/index.js';
import { watcherTitle, watcherTitleParts } from './entity-activity.js';
import { entityRefFor } from './entity-label.js';
import { fieldLabel } from './field-labels.js';

/** What one user may see. */
export interface FieldRedaction {
  /** The fields of an entity type hidden from the user; undefined when none are. */
  hidden(type: string): ReadonlySet<string> | undefined;
  /** Whether the user may read an entity; every one when absent. */
  mayRead?(type: string, id: string): boolean;
  /** The entity type a room is of (`customer:42`), for its presence; undefined for others. */
  roomType(room: string): string | undefined;
}

export function withoutFields(fields: Fields, hidden: ReadonlySet<string> | undefined): Fields {
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
export function entityFor(entity: Entity, r: FieldRedaction): Entity {
  const fields = withoutFields(entity.fields, r.hidden(entity.type));
  return fields === entity.fields ? entity : { ...entity, fields };
}

const mayRead = (r: FieldRedaction, type: string, id: string) => r.mayRead?.(type, id) ?? true;

/**
 * An entity change as this user may see it: hidden fields out of the entity, `changed` and
 * `previous` (a change of only hidden fields still arrives, with `changed: []`, so the version the
 * client holds stays current); undefined when the user may not read the entity at all.
 */
export function entityChangeFor(change: EntityChange, r: FieldRedaction): EntityChange | undefined {
  const { type, id } = change.entity;
  if (!mayRead(r, type, id)) return undefined;
  const hidden = r.hidden(type);
  if (!hidden) return change;
  const entity = entityFor(change.entity, r);
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
export function activityItemFor(item: ActivityItem, r: FieldRedaction): ActivityItem | undefined {
  // An item of a customer's feed (a call logged for it) tells about that customer.
  const customer = item.customerId;
  if (customer !== undefined && !mayRead(r, 'customer', customer)) return undefined;
  if (!item.entity) return item;
  const { type, id } = item.entity;
  if (!mayRead(r, type, id)) return undefined;
  const hidden = r.hidden(type);
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
export function notificationFor(n: Notification, r: FieldRedaction): Notification | undefined {
  if (n.entity && !mayRead(r, n.entity.type, n.entity.id)) return undefined;
  let target = n.target;
  if ('entity' in n.target) {
    const seen = entityRefFor(n.target.entity, r.hidden(n.target.entity.type));
    if (seen !== n.target.entity) target = { entity: seen };
  }
  if (!n.entity) return target === n.target ? n : { ...n, target };
  const { type } = n.entity;
  const hidden = r.hidden(type);
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

function personFor(person: Person, hidden: ReadonlySet<string>): Person {
  const activity = person.activity;
  if (activity.kind !== 'editing' || !hidden.has(activity.field)) return person;
  return { ...person, activity: { kind: 'viewing' } };
}

/** The people of a room as this user sees them: none shown editing a field hidden from them. */
export function peopleFor(room: string, people: Person[], r: FieldRedaction): Person[] {
  const type = r.roomType(room);
  const hidden = type === undefined ? undefined : r.hidden(type);
  if (!hidden) return people;
  const out = people.map((p) => personFor(p, hidden));
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
export function frameFor(frame: ServerFrame, r: FieldRedaction): ServerFrame | undefined {
  switch (frame.type) {
    case 'entity.snapshot':
    case 'entity.ack': {
      const entity = entityFor(frame.entity, r);
      return entity === frame.entity ? frame : { ...frame, entity };
    }
    case 'entity.conflict': {
      const hidden = r.hidden(frame.current.type);
      const current = entityFor(frame.current, r);
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
        redacted = entityChangeFor(payload as EntityChange, r);
      } else if (frame.event === 'activity') {
        redacted = activityItemFor(payload as ActivityItem, r);
      } else if (frame.event === 'notification') {
        redacted = notificationFor(payload as Notification, r);
      } else {
        return frame;
      }
      if (redacted === undefined) return undefined;
      return redacted === payload ? frame : { ...frame, payload: redacted as typeof frame.payload };
    }
    case 'activity.page': {
      const items = keepSome(frame.items, (item) => activityItemFor(item, r));
      return items === frame.items ? frame : { ...frame, items };
    }
    case 'notification.page': {
      const items = keepSome(frame.items, (item) => notificationFor(item, r));
      return items === frame.items ? frame : { ...frame, items };
    }
    case 'joined': {
      const people = peopleFor(frame.room, frame.people, r);
      return people === frame.people ? frame : { ...frame, people };
    }
    case 'presence.diff': {
      const upsert = peopleFor(frame.room, frame.upsert, r);
      return upsert === frame.upsert ? frame : { ...frame, upsert };
    }
    default:
      return frame;
  }
}
