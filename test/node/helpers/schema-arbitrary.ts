/**
 * fast-check arbitraries made from the protocol's zod/mini schemas: valid values of a schema, and
 * variants of a value broken at one random place (a key removed, or a value replaced by a random
 * JSON value or one at a boundary the schemas draw). For tests that hold a hand-written or compiled
 * check to agreement with the schema it stands for.
 */
import fc from 'fast-check';
import type * as z from 'zod/mini';
import { jsonShapeProblem } from '../../../src/protocol/json-shape.js';

type Def = Record<string, unknown> & {
  type: string;
  checks?: { _zod: { def: Record<string, unknown> } }[];
};
const defOf = (schema: unknown) => (schema as { _zod: { def: Def } })._zod.def;

/**
 * Any JSON value without a `__proto__` key: fast-check generates that key now and then, the wire
 * refuses it before any check (`json-shape.ts`), and zod's copy would make it the copy's prototype,
 * so a comparison of checks with zod on such a value compares nothing the product does.
 */
const json: fc.Arbitrary<unknown> = fc
  .jsonValue({ maxDepth: 3 })
  .filter((value) => jsonShapeProblem(value, Infinity) === undefined);

/** Valid values of `schema` (the kinds of schema the protocol uses). */
export function arbitraryOf(schema: unknown): fc.Arbitrary<unknown> {
  const def = defOf(schema);
  const checks = (def.checks ?? []).map((c) => c._zod.def);
  const find = (kind: string) => checks.find((c) => c['check'] === kind);
  switch (def.type) {
    case 'string': {
      const min = (find('min_length')?.['minimum'] as number | undefined) ?? 0;
      const max = (find('max_length')?.['maximum'] as number | undefined) ?? 300;
      const pattern = find('string_format')?.['pattern'] as RegExp | undefined;
      const base = pattern
        ? // fast-check cannot generate from lookaheads: generate without, keep what matches.
          fc.stringMatching(
            new RegExp(pattern.source.replace(/\(\?!.*?\)/g, ''), pattern.flags.replace('i', '')),
          )
        : fc.string({ unit: 'grapheme', minLength: min, maxLength: Math.min(max, 40) });
      // Strings at the longest the schema allows too, so one more character crosses the limit.
      const full = base.map((s) =>
        s.length > 0 && max < 5000 ? s + s.at(-1)!.repeat(Math.max(0, max - s.length)) : s,
      );
      return fc
        .oneof(base, full)
        .map((s) => (s.length > max ? s.slice(0, max) : s))
        .filter((s) => s.length >= min && s.length <= max && (!pattern || pattern.test(s)));
    }
    case 'number': {
      const int = find('number_format') !== undefined;
      const min = (find('greater_than')?.['value'] as number | undefined) ?? -1e15;
      const max = (find('less_than')?.['value'] as number | undefined) ?? 1e15;
      return int
        ? fc.integer({ min: Math.max(min, -(2 ** 53) + 1), max: Math.min(max, 2 ** 53 - 1) })
        : fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
    }
    case 'boolean':
      return fc.boolean();
    case 'literal':
      return fc.constantFrom(...(def['values'] as unknown[]));
    case 'enum':
      return fc.constantFrom(...Object.values(def['entries'] as object));
    case 'optional':
    case 'default':
      return fc.option(arbitraryOf(def['innerType']), { nil: undefined });
    case 'array': {
      const max = find('max_length')?.['maximum'] as number | undefined;
      return fc.array(arbitraryOf(def['element']), { maxLength: Math.min(max ?? 4, 4) });
    }
    case 'union':
      return fc.oneof(...(def['options'] as unknown[]).map((o) => arbitraryOf(o)));
    case 'record':
      return fc.dictionary(
        arbitraryOf(def['keyType']) as fc.Arbitrary<string>,
        arbitraryOf(def['valueType']),
        { maxKeys: 4, noNullPrototype: true },
      );
    case 'lazy':
    case 'custom': // `Json`, the protocol's one schema checked by a function
      return json;
    case 'object': {
      const shape = def['shape'] as Record<string, z.ZodMiniType>;
      const keys = Object.keys(shape);
      const optional = keys.filter((k) => ['optional', 'default'].includes(defOf(shape[k]).type));
      return fc.record(Object.fromEntries(keys.map((k) => [k, arbitraryOf(shape[k])])), {
        requiredKeys: keys.filter((k) => !optional.includes(k)),
      });
    }
    default:
      throw new Error(`no arbitrary for a ${def.type} schema`);
  }
}

/** Values at the limits the protocol's schemas draw, and of the wrong kind. */
const BOUNDARY: unknown[] = [
  null,
  true,
  0,
  -1,
  1.5,
  2 ** 53,
  -(2 ** 53),
  1e300,
  '',
  'a',
  '7',
  'x'.repeat(8),
  'x'.repeat(65),
  'x'.repeat(129),
  'x'.repeat(201),
  'x'.repeat(501),
  'a\u0000b',
  'A-Z',
  '__proto__',
  'javascript:alert(1)',
  '//evil.example',
  'all',
  [],
  {},
  ['a'],
  Array.from({ length: 21 }, (_, i) => `k${i}`),
];

const replacement = fc.oneof(fc.constantFrom(...BOUNDARY), json);

/** Every path (list of keys) to a value inside `value`, the root excluded. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (typeof value !== 'object' || value === null) return [];
  const out: (string | number)[][] = [];
  for (const key of Object.keys(value)) {
    const path = [...prefix, Array.isArray(value) ? Number(key) : key];
    out.push(path, ...paths((value as Record<string, unknown>)[key], path));
  }
  return out;
}

/** Small steps across the limits of the value found at a place: one more or one less. */
function nudges(v: unknown): unknown[] {
  if (typeof v === 'string')
    return [v + 'x', v.slice(0, -1), v + '\u0000', v.toUpperCase(), ` ${v}`];
  if (typeof v === 'number') return [v + 1, v - 1, v + 0.5, -v - 1, 2 ** 53, String(v)];
  return [];
}

/**
 * `value` changed at one place: a key removed, a value replaced (by a random or boundary value, or
 * a nudge across a limit), or a key added to an object; any value when it has no place to change.
 */
export function brokenVariants(value: unknown): fc.Arbitrary<unknown> {
  const all = paths(value);
  if (all.length === 0)
    return fc.oneof(fc.constant(value), replacement, fc.constantFrom(...nudges(value), null));
  return fc
    .tuple(
      fc.constantFrom(...all),
      fc.constantFrom('remove', 'replace', 'nudge', 'add'),
      replacement,
      fc.nat(),
    )
    .map(([path, how, bad, pick]) => {
      const copy = structuredClone(value) as Record<string | number, unknown>;
      let parent = copy;
      for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
      const last = path.at(-1)!;
      const near = nudges(parent[last]);
      if (how === 'remove' && !Array.isArray(parent)) delete parent[last];
      else if (how === 'nudge' && near.length > 0) parent[last] = near[pick % near.length];
      // A key added to an object; never to an array, which JSON cannot give named members.
      else if (
        how === 'add' &&
        typeof parent[last] === 'object' &&
        parent[last] !== null &&
        !Array.isArray(parent[last])
      ) {
        (parent[last] as Record<string, unknown>)['extra'] = bad;
      } else parent[last] = bad;
      return copy;
    });
}
