/**
 * The browser client's zod-free checks of each capability's frames and values
 * (`src/protocol/checks/<capability>.ts`) must accept, refuse and return exactly what the protocol's
 * zod schemas do: values generated from each schema, and each of them broken at a random place with
 * a random or boundary value. And the written files must be those the schemas compile to today.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { format, resolveConfig } from 'prettier';
import { readFileSync } from 'node:fs';
import * as z from 'zod/mini';
import { compiledFiles } from '../../../../scripts/write-frame-checks.js';
import * as activity from '../../../../src/protocol/activity.js';
import { FrameProblem, type Check } from '../../../../src/protocol/server-frame-checks.js';
import * as activityChecks from '../../../../src/protocol/checks/activity.js';
import * as callChecks from '../../../../src/protocol/checks/calls.js';
import { checkFields } from '../../../../src/protocol/checks/fields.js';
import * as entityChecks from '../../../../src/protocol/checks/entities.js';
import * as notificationChecks from '../../../../src/protocol/checks/notifications.js';
import * as entities from '../../../../src/protocol/entities.js';
import { LIMITS } from '../../../../src/protocol/constants.js';
import { jsonShapeProblem } from '../../../../src/protocol/json-shape.js';
import { ServerFrame } from '../../../../src/protocol/frames.js';
import * as notifications from '../../../../src/protocol/notifications.js';
import { arbitraryOf, brokenVariants } from '../../helpers/schema-arbitrary.js';

type Schema = z.ZodMiniType;

/** Every check of the capabilities with the zod schema it was compiled from. */
function pairs(): { name: string; check: Check; schema: Schema }[] {
  const list: { name: string; check: Check; schema: Schema }[] = [];
  const frames = new Map<string, Schema>();
  for (const option of ServerFrame._zod.def.options) {
    const literal = (option as z.ZodMiniObject)._zod.def.shape['type'] as z.ZodMiniLiteral<string>;
    for (const type of literal._zod.def.values) frames.set(type, option);
  }
  const modules: [Record<string, unknown>, Record<string, unknown>][] = [
    [entityChecks, entities],
    [notificationChecks, notifications],
    [activityChecks, activity],
    [callChecks, {}],
  ];
  for (const [checks, schemas] of modules) {
    for (const [type, check] of Object.entries(checks['FRAMES'] as Record<string, Check>)) {
      list.push({ name: type, check, schema: frames.get(type)! });
    }
    for (const [name, check] of Object.entries(checks)) {
      if (name === 'FRAMES') continue;
      const schema = schemas[name[0]!.toUpperCase() + name.slice(1)] as Schema;
      assert.ok(schema, `${name} has no schema`);
      list.push({ name, check: check as Check, schema });
    }
  }
  return list;
}

function viaCheck(check: Check, value: unknown): { ok: boolean; data?: unknown } {
  try {
    return { ok: true, data: check(value, '') };
  } catch (error) {
    assert.ok(error instanceof FrameProblem, String(error));
    return { ok: false };
  }
}

function viaZod(schema: Schema, value: unknown): { ok: boolean; data?: unknown } {
  const r = z.safeParse(schema, value);
  return r.success ? { ok: true, data: r.data } : { ok: false };
}

describe('capability frame checks', () => {
  it('are the ones the schemas compile to (run scripts/write-frame-checks.ts)', async () => {
    for (const { path, text } of compiledFiles()) {
      const written = await format(text, {
        ...(await resolveConfig(path)),
        filepath: path,
      });
      assert.equal(readFileSync(path, 'utf8'), written, `${path} is stale`);
    }
  });

  it('cover every server frame of the protocol that is not a core frame', () => {
    const covered = new Set(pairs().map((p) => p.name));
    const core = ['welcome', 'joined', 'left', 'ack', 'event', 'presence.diff', 'error', 'bye'];
    for (const option of ServerFrame._zod.def.options) {
      const literal = (option as z.ZodMiniObject)._zod.def.shape[
        'type'
      ] as z.ZodMiniLiteral<string>;
      for (const type of literal._zod.def.values) {
        if (typeof type !== 'string' || core.includes(type) || /^p[io]ng$/.test(type)) continue;
        assert.ok(covered.has(type), `no check of ${type}`);
      }
    }
  });

  for (const { name, check, schema } of pairs()) {
    it(`${name}: accepts what the schema accepts and returns the same`, () => {
      fc.assert(
        fc.property(arbitraryOf(schema), (value) => {
          const expected = viaZod(schema, value);
          assert.equal(expected.ok, true, 'the arbitrary made a value the schema refuses');
          assert.deepEqual(viaCheck(check, value), expected);
        }),
        { numRuns: 150 },
      );
    });

    it(`${name}: refuses what the schema refuses, broken anywhere`, () => {
      fc.assert(
        fc.property(
          arbitraryOf(schema).chain((value) => brokenVariants(value)),
          (value) => {
            assert.deepEqual(viaCheck(check, value), viaZod(schema, value));
          },
        ),
        { numRuns: 300 },
      );
    });
  }

  it('checkFields agrees with the schema of fields, and refuses a __proto__ key', () => {
    fc.assert(
      fc.property(
        fc.oneof(arbitraryOf(entities.Fields), arbitraryOf(entities.Fields).chain(brokenVariants)),
        (value) => {
          const result = checkFields(value);
          // A `__proto__` key, which zod would drop without a word, is refused first.
          const expected =
            jsonShapeProblem(value, LIMITS.maxJsonDepth - 1) === undefined &&
            z.safeParse(entities.Fields, value).success;
          assert.equal(result.success, expected);
        },
      ),
      { numRuns: 300 },
    );
    assert.equal(checkFields(JSON.parse('{"__proto__":{"a":1}}')).success, false);
  });

  it('refuse class instances and non-finite numbers where zod does', () => {
    for (const value of [new Date(0), new Map(), { a: NaN }, { a: Infinity }, { a: () => 1 }]) {
      assert.equal(
        viaCheck(entityChecks.fields, value).ok,
        viaZod(entities.Fields, value).ok,
        String(value),
      );
    }
    assert.equal(viaCheck(entityChecks.fields, Object.create(null)).ok, true);
  });
});
