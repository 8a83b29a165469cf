/**
 * Seeds the demo's sample data (`demo/data.js`) as stored entities, so the demo's collaborative
 * forms edit real records. Runs only on an empty store (`npm start` implies `--seed-demo`;
 * `--no-seed` turns it off).
 *
 * | entity     | id                         | fields                                            |
 * |------------|----------------------------|---------------------------------------------------|
 * | `customer` | the customer's id (`42`)   | every field but `id`, `calls` and `meetings`      |
 * | `call`     | `<customerId>-call-<n>`    | the call's fields and `customerId`                |
 * | `meeting`  | `<customerId>-meeting-<n>` | the meeting's fields and `customerId`             |
 *
 * `n` counts from 1 in the order of the customer's `calls` / `meetings` arrays; a call or meeting
 * that carries its own `id` keeps it.
 *
 * The activity log gets the history those imply, so the feeds of a first run are not empty: a
 * `call.logged` per call (by its caller, at its time) and a `meeting.scheduled` per meeting (by its
 * first attendee, a week before it or an hour ago, whichever is earlier), oldest first.
 */
import {
  EntityId,
  UserProfile,
  type ActivityInput,
  type Fields,
  FieldName,
} from '../protocol/index.js';
import * as z from 'zod/mini';
import { entityRefOf } from '../domain/entity-label.js';
import type { NewActivity } from './activity/activity-repository.js';
import type { Storage, StoredEntity } from './storage.js';

export interface DemoSeedResult {
  customers: number;
  calls: number;
  meetings: number;
  /** Activity items logged for them (0 when the store keeps no activity). */
  activity: number;
}

type Row = Record<string, unknown>;

/** Where the demo keeps its sample data. */
export const DEMO_DATA_URL = new URL('../../demo/data.js', import.meta.url);

/** The seeded entities of the demo's customers (pure: for tests and for other stores). */
export function demoEntities(customers: readonly Row[], now: number): StoredEntity[] {
  const entities: StoredEntity[] = [];
  const entity = (type: string, id: string, fields: Fields): void => {
    entities.push({ type, id, version: 1, fields, updatedAt: now, updatedBy: null });
  };
  for (const customer of customers) {
    const customerId = String(customer['id']);
    if (!z.safeParse(EntityId, customerId).success) continue;
    const { id: _id, calls, meetings, ...fields } = customer;
    entity('customer', customerId, jsonFields(fields));
    const related = (kind: 'call' | 'meeting', rows: unknown): void => {
      if (!Array.isArray(rows)) return;
      rows.forEach((row: Row, i) => {
        const { id, ...rest } = row;
        const ownId = typeof id === 'string' || typeof id === 'number' ? String(id) : '';
        const entityId = z.safeParse(EntityId, ownId).success
          ? ownId
          : `${customerId}-${kind}-${i + 1}`;
        entity(kind, entityId, jsonFields({ ...rest, customerId }));
      });
    };
    related('call', calls);
    related('meeting', meetings);
  }
  return entities;
}

const HOUR = 3_600_000;
const WEEK = 7 * 24 * HOUR;

/**
 * The activity history of the demo's calls and meetings, oldest first (pure: for tests). Items
 * whose time is not a date, or whose person is unknown, are left out.
 */
export function demoActivity(
  customers: readonly Row[],
  people: readonly Row[],
  now: number,
): NewActivity[] {
  const profiles = new Map<string, UserProfile>();
  for (const person of people) {
    const parsed = z.safeParse(UserProfile, {
      id: String(person['id']),
      name: person['name'],
      ...(typeof person['avatarUrl'] === 'string' ? { avatarUrl: person['avatarUrl'] } : {}),
    });
    if (parsed.success) profiles.set(parsed.data.id, parsed.data);
  }
  const items: NewActivity[] = [];
  const add = (input: ActivityInput, at: number): void => {
    if (Number.isFinite(at)) items.push({ ...input, at: Math.min(at, now - HOUR) });
  };
  for (const customer of customers) {
    const customerId = String(customer['id']);
    if (!z.safeParse(EntityId, customerId).success) continue;
    // Labelled by the one rule the server's own activity items use (the company, else the contact).
    const { calls: _calls, meetings: _meetings, ...fields } = customer;
    const entity = entityRefOf({ type: 'customer', id: customerId, fields: jsonFields(fields) });
    for (const call of rowsOf(customer['calls'])) {
      const actor = profiles.get(String(call['by']));
      if (!actor) continue;
      const what = [call['outcome'], call['minutes'] ? `${String(call['minutes'])} min` : '']
        .filter(Boolean)
        .join(', ');
      const summary = [what, call['summary']].filter(Boolean).join('. ');
      add(
        { kind: 'call.logged', actor, entity, customerId, summary: summary.slice(0, 500) },
        Date.parse(String(call['at'])),
      );
    }
    for (const meeting of rowsOf(customer['meetings'])) {
      const attendees = Array.isArray(meeting['attendees']) ? meeting['attendees'] : [];
      const actor = profiles.get(String(attendees[0]));
      if (!actor) continue;
      const summary = [meeting['title'], meeting['place']].filter(Boolean).join(' · ');
      add(
        { kind: 'meeting.scheduled', actor, entity, customerId, summary: summary.slice(0, 500) },
        Date.parse(String(meeting['at'])) - WEEK,
      );
    }
  }
  return items.sort((a, b) => a.at - b.at);
}

function rowsOf(value: unknown): Row[] {
  return Array.isArray(value) ? value.filter((r): r is Row => !!r && typeof r === 'object') : [];
}

/** Fields with valid names and JSON values only (a round trip drops functions and undefined). */
function jsonFields(row: Row): Fields {
  const fields = JSON.parse(JSON.stringify(row)) as Fields;
  for (const name of Object.keys(fields)) {
    if (!z.safeParse(FieldName, name).success) delete fields[name];
  }
  return fields;
}

/**
 * Stores the demo's customers, calls and meetings when the store holds no entity yet. Resolves to
 * what was seeded, or undefined when the store was not empty.
 */
export async function seedDemo(
  storage: Storage,
  options: { dataUrl?: URL; now?: number } = {},
): Promise<DemoSeedResult | undefined> {
  if ((await storage.countEntities()) > 0) return undefined;
  const data = (await import((options.dataUrl ?? DEMO_DATA_URL).href)) as {
    CUSTOMERS?: unknown;
    PEOPLE?: unknown;
  };
  if (!Array.isArray(data.CUSTOMERS)) throw new Error('demo data has no CUSTOMERS array');
  const now = options.now ?? Date.now();
  const customers = data.CUSTOMERS as Row[];
  const entities = demoEntities(customers, now);
  for (const entity of entities) await storage.putEntity(entity);
  // An activity log that already has items (a store whose entities were deleted) is left alone:
  // seeded history must not land after newer items.
  let activity = 0;
  if (storage.activity && (await storage.activity.count()) === 0) {
    const people = Array.isArray(data.PEOPLE) ? (data.PEOPLE as Row[]) : [];
    for (const item of demoActivity(customers, people, now)) await storage.activity.append(item);
    activity = await storage.activity.count();
  }
  const count = (type: string): number => entities.filter((e) => e.type === type).length;
  return {
    customers: count('customer'),
    calls: count('call'),
    meetings: count('meeting'),
    activity,
  };
}
