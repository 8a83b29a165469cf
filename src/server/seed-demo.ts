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
 */
import { EntityId, FieldName, type Fields } from '../protocol/index.js';
import * as z from 'zod/mini';
import type { Storage, StoredEntity } from './storage.js';

export interface DemoSeedResult {
  customers: number;
  calls: number;
  meetings: number;
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
  const data = (await import((options.dataUrl ?? DEMO_DATA_URL).href)) as { CUSTOMERS?: unknown };
  if (!Array.isArray(data.CUSTOMERS)) throw new Error('demo data has no CUSTOMERS array');
  const entities = demoEntities(data.CUSTOMERS as Row[], options.now ?? Date.now());
  for (const entity of entities) await storage.putEntity(entity);
  const count = (type: string): number => entities.filter((e) => e.type === type).length;
  return { customers: count('customer'), calls: count('call'), meetings: count('meeting') };
}
