/**
 * The building blocks of the capabilities' frame checks (`checks/<capability>.ts`, written from the
 * zod schemas by scripts/write-frame-checks.ts) beyond those the core frames use: each accepts,
 * refuses and returns what the zod/mini schema of the same kind does, so the browser client checks
 * a capability's frames without loading zod. Loaded with the first capability, not with the core,
 * so the named checks several capabilities use (an entity reference, a field name) are written at
 * the end of this file, once, rather than into each capability's module.
 */
import { fail, FrameProblem, type Check } from '../server-frame-checks.js';

export {
  array,
  boolean,
  number,
  object,
  oneOf,
  optional,
  string,
  type Check,
} from '../server-frame-checks.js';

/** One of the given values, compared with `===` (as `z.literal`). */
export const literal =
  <T>(...values: T[]): Check<T> =>
  (v, path) =>
    values.includes(v as T) ? (v as T) : fail(path, `one of ${values.map(String).join(', ')}`);

/** What the first option that accepts the value returns (as `z.union`). */
export const union =
  (...options: Check[]): Check =>
  (v, path) => {
    for (const option of options) {
      try {
        return option(v, path);
      } catch (error) {
        if (!(error instanceof FrameProblem)) throw error;
      }
    }
    return fail(path, 'one of the allowed shapes');
  };

/** `value` when the key is absent (or `undefined`), else what `check` returns (as `z._default`). */
export const withDefault = <T>(check: Check<T>, value: T): Check<T> & { optional: true } =>
  Object.assign((v: unknown, path: string) => (v === undefined ? value : check(v, path)), {
    optional: true as const,
  });

/**
 * A plain object (a literal, `Object.create(null)` or JSON's), as zod's records take them: an
 * instance of a class is not one.
 */
function isPlainObject(v: unknown): v is Record<PropertyKey, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const ctor = (v as { constructor?: unknown }).constructor;
  if (ctor === undefined || typeof ctor !== 'function') return true;
  const prototype: unknown = ctor.prototype;
  return (
    typeof prototype === 'object' &&
    prototype !== null &&
    !Array.isArray(prototype) &&
    Object.prototype.hasOwnProperty.call(prototype, 'isPrototypeOf')
  );
}

/**
 * A plain object whose every own enumerable key passes `key` and value passes `value`, copied
 * (as `z.record`). A `__proto__` key is skipped, as zod skips it; frames never reach here with one
 * (`json-shape.ts` refuses them first).
 */
export const record =
  <V>(key: Check<string>, value: Check<V>): Check<Record<string, V>> =>
  (v, path) => {
    if (!isPlainObject(v)) return fail(path, 'an object');
    const out: Record<string, V> = {};
    for (const k of Reflect.ownKeys(v)) {
      if (k === '__proto__' || !Object.prototype.propertyIsEnumerable.call(v, k)) continue;
      const at = `${path}.${String(k)}`;
      out[key(k, at)] = value(v[k], at);
    }
    return out;
  };

/** Any JSON value, copied (as `z.json()`): numbers finite, objects plain. */
export const json: Check = (v, path) => {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : fail(path, 'a JSON value');
  if (Array.isArray(v)) return v.map((x, i) => json(x, `${path}.${i}`));
  return record((k, at) => (typeof k === 'string' ? k : fail(at, 'a string key')), json)(v, path);
};

/** `check` applied without throwing, shaped as zod's `safeParse` result with a message. */
export function safeCheck<T>(
  check: Check<T>,
  value: unknown,
): { success: true; data: T } | { success: false; message: string } {
  try {
    return { success: true, data: check(value, '') };
  } catch (error) {
    if (!(error instanceof FrameProblem)) throw error;
    return { success: false, message: error.message };
  }
}

// Written by scripts/write-frame-checks.ts from here to the end; do not edit (run it after
// changing a schema): the named checks more than one capability uses, defined once here.
import type * as z from 'zod/mini';
import { object, optional, string } from '../server-frame-checks.js';
import type { EntityId, EntityType } from '../entities.js';

export const entityType = string(1, 64, /^[a-z][a-z0-9_-]*$/) as Check<z.output<typeof EntityType>>;
export const entityId = string(1, 128, /^[A-Za-z0-9_\-.]+$/) as Check<z.output<typeof EntityId>>;
export const fieldName = string(1, 128, /^(?!__proto__$)[A-Za-z_][A-Za-z0-9_.-]*$/);
export const entityRef = object({
  type: entityType,
  id: entityId,
  label: optional(string(0, 200)),
});
