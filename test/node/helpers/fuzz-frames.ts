/**
 * fast-check arbitraries of client frames: every frame type a connected client may send, built
 * from the protocol's schemas (each valid frame is checked against `ClientFrame` in the fuzz
 * test), then mutated the ways hostile input differs from valid input: wrong types, extra and
 * prototype-named keys, deep nesting, huge strings and unicode edge cases.
 *
 * `hello` is left out: a second hello is a protocol error that ends the connection by design, so
 * it would only measure reconnecting.
 */
import fc from 'fast-check';

export type JsonLike = null | boolean | number | string | JsonLike[] | { [key: string]: JsonLike };
export type FrameObject = { [key: string]: JsonLike };

/** Names every plain object inherits, and the one key that sets a prototype. */
export const PROTOTYPE_KEYS = [
  '__proto__',
  'constructor',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  '__defineGetter__',
  '__lookupGetter__',
];

/** Strings that have broken parsers and renderers before. */
const UNICODE_EDGES = [
  '\u0000',
  '\u001f',
  '\u007f',
  '\u0085',
  '\u2028\u2029',
  '\ud800',
  '\udfff',
  '\ufeff',
  '\u202e',
  '\u200d',
  'e\u0301',
  '👩‍👩‍👧‍👦',
  '𝕏',
  'ﷺ',
  '<script>alert(1)</script>',
  "'; DROP TABLE entities; --",
  '../../etc/passwd',
  '%00',
  '${7*7}',
];

const edgeString = fc.oneof(
  fc.constantFrom(...UNICODE_EDGES),
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
);

const json: fc.Arbitrary<JsonLike> = fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<JsonLike>;

const room = fc.oneof(
  fc.constantFrom(
    'customer:42',
    'room:fuzz',
    'room:bystander',
    'page:/customers',
    'user:alice',
    'user:auth0|5f7c',
    'activity:global',
  ),
  fc.stringMatching(/^[A-Za-z0-9_\-.:/@#]{1,40}$/),
);
const eventName = fc.oneof(
  fc.constantFrom('cursor', 'typing', 'notification', 'entity.change', 'call.offer', 'call.ice'),
  fc.stringMatching(/^[A-Za-z0-9_\-.:]{1,20}$/),
);
const fieldName = fc.oneof(
  fc.constantFrom('name', 'phone', 'email', ...PROTOTYPE_KEYS.filter((k) => k !== '__proto__')),
  fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.-]{0,20}$/),
);
const activity = fc.oneof(
  fc.constant({ kind: 'viewing' }),
  fc.record({ kind: fc.constant('editing'), field: fieldName }),
);
const presence = fc.record(
  { status: fc.constantFrom('online', 'away'), activity, inCall: fc.boolean() },
  { requiredKeys: ['status', 'activity'] },
);
/** Tabs of a shared connection: a few names, so joins, leaves and presence meet the same tabs. */
const tab = fc.oneof(
  fc.constantFrom('t1', 't2', 'a'.repeat(32)),
  fc.string({ minLength: 1, maxLength: 32 }),
);
const userId = fc.constantFrom('alice', 'bob', 'carol', 'auth0|x', 'nobody');
const notification = fc.record({
  target: fc.oneof(
    fc.record({ user: fc.constantFrom('alice', 'bob', 'carol', 'auth0|x') }),
    fc.record({ room }),
  ),
  title: fc.string({ minLength: 1, maxLength: 40 }),
  type: fc.constantFrom('info', 'success', 'warning', 'error'),
});

/**
 * A page cursor: one of each list's own (`n:<row>`, `a:<row>`, base64url), one of the other
 * list's, a row beyond any there is, and text that is no cursor at all.
 */
const cursorOf = (text: string): string => Buffer.from(text).toString('base64url');
const before = fc.oneof(
  fc.constantFrom(
    cursorOf('n:1'),
    cursorOf('a:3'),
    cursorOf('a:999999999999999'),
    cursorOf('n:0'),
    cursorOf('a:-1'),
    'not a cursor',
  ),
  fc.string({ maxLength: 128 }),
);

/** A valid frame of each type, without `id` (the runner gives every request a unique one). */
export const validFrame: fc.Arbitrary<FrameObject> = fc.oneof(
  fc.record(
    { type: fc.constant('join'), room, since: fc.nat(), presence, tab, watch: fc.boolean() },
    { requiredKeys: ['type', 'room'] },
  ),
  fc.record({ type: fc.constant('leave'), room, tab }, { requiredKeys: ['type', 'room'] }),
  fc.record(
    { type: fc.constant('presence'), room, state: presence, tab },
    { requiredKeys: ['type', 'room', 'state'] },
  ),
  fc.record(
    {
      type: fc.constant('emit'),
      room,
      event: eventName,
      payload: fc.oneof(json, notification as fc.Arbitrary<JsonLike>),
      to: userId,
    },
    { requiredKeys: ['type', 'room', 'event', 'payload'] },
  ),
  fc.record({ type: fc.constant('call.config') }),
  fc.record({ type: fc.constant('ping'), t: fc.nat() }, { requiredKeys: ['type'] }),
  fc.record({
    type: fc.constant('entity.get'),
    entityType: fc.constantFrom('customer', 'meeting'),
    entityId: fc.constantFrom('42', '7'),
  }),
  fc.record({
    type: fc.constant('entity.update'),
    mutationId: fc.stringMatching(/^[a-z0-9-]{8,20}$/),
    entityType: fc.constantFrom('customer', 'meeting'),
    entityId: fc.constantFrom('42', '7'),
    baseVersion: fc.nat({ max: 5 }),
    fields: fc.dictionary(fieldName, json, { minKeys: 1, maxKeys: 4 }),
  }),
  fc.record(
    { type: fc.constant('notification.list'), limit: fc.integer({ min: 1, max: 100 }), before },
    { requiredKeys: ['type'] },
  ),
  fc.record({
    type: fc.constant('notification.read'),
    ids: fc.oneof(fc.constant('all'), fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 })),
  }),
  fc.record(
    {
      type: fc.constant('activity.list'),
      feed: fc.oneof(
        fc.constant({ kind: 'global' }),
        fc.record({ kind: fc.constant('customer'), entityId: fc.constant('42') }),
        fc.record({ kind: fc.constant('user'), userId: fc.constantFrom('alice', 'a+b@x.io') }),
      ),
      limit: fc.integer({ min: 1, max: 200 }),
      before,
    },
    { requiredKeys: ['type', 'feed'] },
  ),
) as fc.Arbitrary<FrameObject>;

/** One way to damage a frame; applied after the frame got its id. */
export type Mutation =
  | { kind: 'none' }
  | { kind: 'wrong-type'; pick: number; value: JsonLike }
  | { kind: 'extra-key'; pick: number; key: string; value: JsonLike }
  | { kind: 'deep'; pick: number; depth: number; objects: boolean }
  | { kind: 'huge-string'; pick: number; size: number }
  | { kind: 'unicode'; pick: number; text: string }
  | { kind: 'drop-key'; pick: number }
  | { kind: 'id-wrong-type'; value: JsonLike };

const otherValue: fc.Arbitrary<JsonLike> = fc.oneof(
  fc.constantFrom<JsonLike>(null, true, -1, 1e308, 0.5, '', [], {}, 'x'.repeat(300)),
  json,
);

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 2, arbitrary: fc.constant<Mutation>({ kind: 'none' }) },
  fc.record({ kind: fc.constant('wrong-type' as const), pick: fc.nat(), value: otherValue }),
  fc.record({
    kind: fc.constant('extra-key' as const),
    pick: fc.nat(),
    key: fc.oneof(fc.constantFrom(...PROTOTYPE_KEYS), fc.string({ maxLength: 12 })),
    value: otherValue,
  }),
  fc.record({
    kind: fc.constant('deep' as const),
    pick: fc.nat(),
    depth: fc.oneof(fc.integer({ min: 1, max: 80 }), fc.constantFrom(1_001, 10_000)),
    objects: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('huge-string' as const),
    pick: fc.nat(),
    size: fc.oneof(fc.integer({ min: 1_000, max: 60_000 }), fc.constantFrom(64 * 1024, 100_000)),
  }),
  fc.record({ kind: fc.constant('unicode' as const), pick: fc.nat(), text: edgeString }),
  fc.record({ kind: fc.constant('drop-key' as const), pick: fc.nat() }),
  fc.record({
    kind: fc.constant('id-wrong-type' as const),
    value: fc.constantFrom<JsonLike>(null, 42, {}, [], '', 'x'.repeat(65)),
  }),
);

/** Every object in `frame` (itself included), so a mutation can land at any depth. */
function objectsIn(frame: FrameObject): FrameObject[] {
  const found: FrameObject[] = [];
  const stack: JsonLike[] = [frame];
  while (stack.length > 0) {
    const value = stack.pop()!;
    if (Array.isArray(value)) stack.push(...value);
    else if (value !== null && typeof value === 'object') {
      found.push(value);
      stack.push(...Object.values(value));
    }
  }
  return found;
}

/** A key of `target` other than the top-level `id` and `type`, or undefined. */
function keyOf(target: FrameObject, pick: number, top: boolean): string | undefined {
  const keys = Object.keys(target).filter((k) => !top || (k !== 'id' && k !== 'type'));
  return keys.length === 0 ? undefined : keys[pick % keys.length];
}

/**
 * The text of `frame` after `m`. Built as text where an object cannot hold the result (a
 * `__proto__` key, nesting deeper than a stack-friendly stringify).
 */
export function mutate(frame: FrameObject, m: Mutation): string {
  const copy = JSON.parse(JSON.stringify(frame)) as FrameObject;
  if (m.kind === 'none') return JSON.stringify(copy);
  if (m.kind === 'id-wrong-type') {
    copy['id'] = m.value;
    return JSON.stringify(copy);
  }
  const objects = objectsIn(copy);
  const target = objects[m.pick % objects.length]!;
  const top = target === copy;
  const key = keyOf(target, m.pick, top);
  switch (m.kind) {
    case 'wrong-type':
      if (key !== undefined) target[key] = m.value;
      return JSON.stringify(copy);
    case 'drop-key':
      if (key !== undefined) delete target[key];
      return JSON.stringify(copy);
    case 'unicode':
      target[key ?? 'text'] = m.text;
      return JSON.stringify(copy);
    case 'huge-string':
      target[key ?? 'text'] = 'é'.repeat(m.size / 2);
      return JSON.stringify(copy);
    case 'extra-key': {
      if (top && (m.key === 'id' || m.key === 'type')) return JSON.stringify(copy);
      // A placeholder keeps its place; the real key may be `__proto__`, which no object holds.
      const marker = `"@@extra@@"`;
      target['@@extra@@'] = m.value;
      return JSON.stringify(copy).replace(marker, JSON.stringify(m.key));
    }
    case 'deep': {
      const open = m.objects ? '{"a":'.repeat(m.depth) : '['.repeat(m.depth);
      const close = m.objects ? '}'.repeat(m.depth) : ']'.repeat(m.depth);
      target[key ?? 'deep'] = '@@deep@@';
      return JSON.stringify(copy).replace('"@@deep@@"', `${open}1${close}`);
    }
  }
}
