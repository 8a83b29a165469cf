/**
 * The browser client's zod-free checks of the frames every page receives must accept and return
 * exactly what the protocol's zod schemas do: a corpus of valid frames, and each of them broken one
 * way at a time.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import * as z from 'zod/mini';
import { ServerFrame } from '../../../src/protocol/frames.js';
import { CORE_SERVER_FRAMES, FrameProblem } from '../../../src/protocol/server-frame-checks.js';
import { decodeFrame } from '../../../src/client/connection/wire.js';
import { jsonShapeProblem } from '../../../src/protocol/json-shape.js';
import { arbitraryOf, brokenVariants } from '../helpers/schema-arbitrary.js';

const user = { id: 'u1', name: 'Ada', avatarUrl: 'https://example.com/a.png' };
const person = {
  user,
  status: 'online',
  activity: { kind: 'editing', field: 'email' },
  connections: 2,
  devices: 1,
  since: 1,
  updatedAt: 2,
};

const VALID: Record<string, unknown>[] = [
  {
    type: 'welcome',
    replyTo: 'hello-1',
    v: 1,
    connectionId: 'c1',
    user,
    heartbeatMs: 30000,
    limits: {
      maxFrameBytes: 65536,
      maxRoomsPerConnection: 50,
      maxMessagesPerSecond: 50,
      maxPresenceBytes: 1024,
    },
  },
  {
    type: 'joined',
    replyTo: 'join-1',
    room: 'customer:42',
    seq: 3,
    resume: 'gap',
    missed: 0,
    people: [
      person,
      { ...person, user: { id: 'Jörg Müller', name: 'J' }, activity: { kind: 'viewing' } },
    ],
  },
  { type: 'left', replyTo: 'leave-1', room: 'user:auth0|5f7c' },
  { type: 'ack', replyTo: 'emit-1' },
  { type: 'ack', replyTo: 'emit-1', seq: 0 },
  { type: 'event', room: 'customer:42', seq: 1, event: 'note', payload: { a: [1, null] }, at: 5 },
  { type: 'event', room: 'page:/x', seq: 1, event: 'n', payload: null, from: 'u2', at: 0 },
  { type: 'presence.diff', room: 'customer:42', upsert: [person], remove: ['u2'] },
  { type: 'error', code: 'forbidden', message: 'no', room: 'customer:42' },
  {
    type: 'error',
    replyTo: 'u-1',
    code: 'forbidden',
    message: 'not allowed to change revenue of customer:42: read-only for you',
    room: 'customer:42',
    errors: { revenue: 'read-only for you', 'a.b-c_d': 'x' },
  },
  { type: 'error', code: 'forbidden', message: 'no longer', room: 'customer:42', removed: true },
  { type: 'error', replyTo: 'x', code: 'bad_frame', message: '' },
  { type: 'bye', reason: 'shutdown', reconnectMs: 8000 },
  { type: 'ping', t: 1 },
  { type: 'pong' },
];

/** Ways to break a frame: each key set to each of these, or removed. */
const BAD_VALUES: unknown[] = [
  undefined,
  null,
  -1,
  1.5,
  '',
  'x'.repeat(300),
  'a\u0000b',
  [],
  {},
  true,
  'javascript:alert(1)',
];

function zodResult(value: unknown): { ok: boolean; data?: unknown } {
  const r = z.safeParse(ServerFrame, value);
  return r.success ? { ok: true, data: r.data } : { ok: false };
}

function checkResult(value: unknown): { ok: boolean; data?: unknown } {
  const type = (value as { type: string }).type;
  const check = CORE_SERVER_FRAMES[type];
  assert.ok(check, type);
  try {
    return { ok: true, data: check(value, '') };
  } catch (error) {
    assert.ok(error instanceof FrameProblem);
    return { ok: false };
  }
}

/** Every variant of `value` with one nested key replaced by a bad value. */
function* broken(value: unknown, path: string[] = []): Generator<[string, unknown]> {
  if (typeof value !== 'object' || value === null) return;
  for (const key of Object.keys(value)) {
    if (path.length === 0 && key === 'type') continue;
    for (const bad of BAD_VALUES) {
      const copy = structuredClone(value) as Record<string, unknown>;
      // What JSON can say: a key set to `undefined` is a missing key.
      if (bad === undefined && Array.isArray(copy)) continue; // null is among the bad values
      if (bad === undefined) delete copy[key];
      else copy[key] = bad;
      yield [[...path, key].join('.'), copy];
    }
    for (const [where, inner] of broken((value as Record<string, unknown>)[key], [...path, key])) {
      const copy = structuredClone(value) as Record<string, unknown>;
      copy[key] = inner;
      yield [where, copy];
    }
  }
}

describe('core server frame checks', () => {
  it('accept every valid frame and return what zod returns', () => {
    for (const frame of VALID) {
      assert.deepEqual(checkResult({ ...frame, extra: 1 }), zodResult({ ...frame, extra: 1 }));
      assert.equal(checkResult(frame).ok, true, JSON.stringify(frame));
    }
  });

  it('refuse what zod refuses, key by key', () => {
    let cases = 0;
    for (const frame of VALID) {
      for (const [where, variant] of broken(frame)) {
        cases += 1;
        assert.deepEqual(
          checkResult(variant),
          zodResult(variant),
          `${String(frame.type)} ${where}`,
        );
      }
    }
    assert.ok(cases > 900, `only ${cases} cases`);
  });

  it('agree with zod on frames generated from the schemas, valid and broken anywhere', () => {
    const core = ServerFrame._zod.def.options.filter((option) =>
      Object.hasOwn(
        CORE_SERVER_FRAMES,
        (option._zod.def.shape.type as z.ZodMiniLiteral<string>)._zod.def.values[0]!,
      ),
    );
    assert.equal(core.length, Object.keys(CORE_SERVER_FRAMES).length);
    const frame = fc.oneof(...core.map((option) => arbitraryOf(option)));
    fc.assert(
      fc.property(fc.oneof(frame, frame.chain(brokenVariants)), (value) => {
        if (typeof value !== 'object' || value === null || !('type' in value)) return;
        // A type that is not a string never reaches these checks (the wire refuses it first), and
        // may not even convert to one (`{ toString: 0 }`, generated once).
        if (typeof value.type !== 'string' || !Object.hasOwn(CORE_SERVER_FRAMES, value.type))
          return;
        // A `__proto__` key anywhere (generated now and then) is refused by the wire before these
        // checks, and zod's copy would turn it into the copy's prototype; hold the wire to that.
        if (jsonShapeProblem(value, Infinity) !== undefined) {
          assert.equal(decodeFrame(JSON.stringify(value)).ok, false);
          return;
        }
        assert.deepEqual(checkResult(value), zodResult(value));
      }),
      { numRuns: 2000 },
    );
  });

  it('drop a frame whose capability is not loaded as unknown, by type', () => {
    const decoded = decodeFrame(JSON.stringify({ type: 'activity.page', replyTo: 'a', items: [] }));
    assert.equal(decoded.ok, false);
    assert.equal(!decoded.ok && decoded.kind, 'bad_frame:activity.page');
  });
});
