/**
 * `npm run schema` writes a JSON Schema that a backend in another language can rely on: it must
 * be valid JSON, carry the protocol version, name every frame type, and accept and reject exactly
 * the frames the zod schemas accept and reject. The last part is checked with a small validator for
 * the keywords the export uses; it throws on any other keyword, so a new construct cannot make the
 * comparison pass silently.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import * as z from 'zod/mini';
import {
  CLOSE_CODES,
  ClientFrame,
  ERROR_CODES,
  PROTOCOL_VERSION,
  Person as PersonSchema,
  ServerFrame,
  type Person,
} from '../../../src/protocol/index.js';

type Schema = Record<string, unknown> | boolean;

const ANNOTATIONS = new Set(['$schema', '$id', '$defs', 'title', 'description']);

/** Validates `value` against `schema` for the keyword subset of the export. */
function validate(root: Record<string, unknown>, schema: Schema, value: unknown): boolean {
  if (typeof schema === 'boolean') return schema;
  for (const [keyword, arg] of Object.entries(schema)) {
    if (ANNOTATIONS.has(keyword) || keyword.startsWith('x-')) continue;
    if (!check(root, schema, keyword, arg, value)) return false;
  }
  return true;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function check(
  root: Record<string, unknown>,
  schema: Record<string, unknown>,
  keyword: string,
  arg: unknown,
  value: unknown,
): boolean {
  const sub = (s: unknown, v: unknown) => validate(root, s as Schema, v);
  const isObject = typeOf(value) === 'object';
  const obj = value as Record<string, unknown>;
  switch (keyword) {
    case '$ref': {
      const match = /^#\/\$defs\/(.+)$/.exec(String(arg));
      assert.ok(match, `unsupported $ref ${String(arg)}`);
      const target = (root.$defs as Record<string, Schema>)[match[1]!];
      assert.ok(target !== undefined, `dangling $ref ${String(arg)}`);
      return validate(root, target, value);
    }
    case 'type': {
      const actual = typeOf(value);
      return arg === actual || (arg === 'number' && actual === 'integer');
    }
    case 'const':
      return value === arg;
    case 'enum':
      return (arg as unknown[]).includes(value);
    case 'anyOf':
      return (arg as unknown[]).some((s) => sub(s, value));
    case 'oneOf':
      return (arg as unknown[]).filter((s) => sub(s, value)).length === 1;
    case 'minLength':
      return typeof value !== 'string' || [...value].length >= (arg as number);
    case 'maxLength':
      return typeof value !== 'string' || [...value].length <= (arg as number);
    case 'pattern':
      return typeof value !== 'string' || new RegExp(arg as string, 'u').test(value);
    case 'minimum':
      return typeof value !== 'number' || value >= (arg as number);
    case 'maximum':
      return typeof value !== 'number' || value <= (arg as number);
    case 'items':
      return !Array.isArray(value) || value.every((item) => sub(arg, item));
    case 'required':
      return !isObject || (arg as string[]).every((key) => Object.hasOwn(obj, key));
    case 'properties':
      return (
        !isObject ||
        Object.entries(arg as Record<string, unknown>).every(
          ([key, s]) => !Object.hasOwn(obj, key) || sub(s, obj[key]),
        )
      );
    case 'propertyNames':
      return !isObject || Object.keys(obj).every((key) => sub(arg, key));
    case 'additionalProperties': {
      if (!isObject) return true;
      const known = Object.keys((schema.properties as object | undefined) ?? {});
      return Object.keys(obj)
        .filter((key) => !known.includes(key))
        .every((key) => sub(arg, obj[key]));
    }
    default:
      throw new Error(`validator does not know the keyword "${keyword}"; extend it`);
  }
}

/** The fields of a zod object, each with whether it may be left out (`type` aside). */
function fieldsOf(schema: unknown): Map<string, boolean> {
  const shape = (schema as z.ZodMiniObject)._zod.def.shape;
  return new Map(
    Object.entries(shape)
      .filter(([key]) => key !== 'type')
      .map(([key, field]) => [key, (field as z.ZodMiniType)._zod.optin === 'optional']),
  );
}

/** The schema of each frame type of a direction. */
function framesOf(union: typeof ClientFrame | typeof ServerFrame): Map<string, unknown> {
  const options = (union as unknown as z.ZodMiniDiscriminatedUnion)._zod.def.options;
  return new Map(options.map((option, i) => [frameTypes(union)[i]!, option]));
}

/** The `type` literals of a discriminated union of frames. */
function frameTypes(union: typeof ClientFrame | typeof ServerFrame): string[] {
  return (union as unknown as z.ZodMiniDiscriminatedUnion)._zod.def.options.map((option) => {
    const literal = (option as z.ZodMiniObject)._zod.def.shape.type as z.ZodMiniLiteral;
    return String(literal._zod.def.values[0]);
  });
}

const person: Person = {
  user: { id: 'u1', name: 'Ada', avatarUrl: 'https://example.com/a.png' },
  status: 'online',
  activity: { kind: 'editing', field: 'email' },
  connections: 2,
  devices: 1,
  since: 1_700_000_000_000,
  updatedAt: 1_700_000_001_000,
};

const goodClientFrames: unknown[] = [
  { type: 'hello', id: 'r1', v: PROTOCOL_VERSION, clientId: 'c1', token: 'eyJ.x.y' },
  { type: 'hello', id: 'r1', v: 1, clientId: 'c1', devUser: { id: 'ada', name: 'Ada' } },
  { type: 'join', id: 'r2', room: 'customer:42' },
  {
    type: 'join',
    id: 'r2',
    room: 'page:/customers',
    since: 17,
    presence: { status: 'online', activity: { kind: 'viewing' } },
  },
  { type: 'leave', id: 'r3', room: 'customer:42' },
  {
    type: 'presence',
    room: 'customer:42',
    state: { status: 'away', activity: { kind: 'editing', field: 'phone' } },
  },
  { type: 'emit', room: 'customer:42', event: 'typing', payload: { field: 'email', on: true } },
  { type: 'emit', id: 'r4', room: 'customer:42', event: 'cursor', payload: [1, 'a', null, false] },
  { type: 'ping', t: 12 },
  { type: 'ping' },
  { type: 'pong', t: 12 },
  // Unknown fields are ignored by both ends, so the schema accepts them too.
  { type: 'leave', id: 'r3', room: 'customer:42', extra: 1 },
];

const badClientFrames: unknown[] = [
  {},
  [],
  'hello',
  { type: 'nope' },
  { type: 'hello', id: 'r1', v: 1 },
  { type: 'hello', id: '', v: 1, clientId: 'c1' },
  { type: 'hello', id: 'r1', v: 1.5, clientId: 'c1' },
  { type: 'join', id: 'r2', room: 'customer 42' },
  { type: 'join', id: 'r2', room: '' },
  { type: 'join', id: 'r2', room: 'x'.repeat(201) },
  { type: 'join', id: 'r2', room: 'customer:42', since: -1 },
  { type: 'join', id: 'r2', room: 'customer:42', since: 1.5 },
  {
    type: 'presence',
    room: 'customer:42',
    state: { status: 'offline', activity: { kind: 'viewing' } },
  },
  {
    type: 'presence',
    room: 'customer:42',
    state: { status: 'online', activity: { kind: 'editing' } },
  },
  { type: 'emit', room: 'customer:42', event: 'has space', payload: 1 },
  { type: 'emit', room: 'customer:42', event: 'typing' },
  { type: 'ping', t: -5 },
  {
    type: 'hello',
    id: 'r1',
    v: 1,
    clientId: 'c1',
    devUser: { id: 'a', name: 'A', avatarUrl: 'javascript:alert(1)' },
  },
  // A server frame is not a client frame.
  { type: 'left', replyTo: 'r3', room: 'customer:42' },
];

/** A page of one notification whose only action links to `url`. */
const notificationLinking = (url: string) => ({
  type: 'notification.page',
  replyTo: 'r9',
  unread: 1,
  items: [
    {
      id: 'n1',
      target: { user: 'ada' },
      type: 'info',
      priority: 'normal',
      title: 'Call back',
      actions: [{ label: 'Open', url }],
      createdAt: 1_700_000_000_000,
      read: false,
    },
  ],
});

/** A welcome to a user whose avatar is at `avatarUrl`. */
const welcomeWithAvatar = (avatarUrl: string) => ({
  type: 'welcome',
  replyTo: 'r1',
  v: 1,
  connectionId: 'k1',
  user: { id: 'ada', name: 'Ada', avatarUrl },
  heartbeatMs: 30_000,
  limits: {
    maxFrameBytes: 65536,
    maxRoomsPerConnection: 50,
    maxMessagesPerSecond: 50,
    maxPresenceBytes: 1024,
  },
});

const goodServerFrames: unknown[] = [
  // URL schemes in any case, as browsers read them.
  welcomeWithAvatar('HTTPS://example.com/a.png'),
  welcomeWithAvatar('Data:Image/png;base64,AAAA'),
  notificationLinking('https://crm.example.com/customers/42'),
  notificationLinking('HTTP://crm.example.com/'),
  notificationLinking('/customers/42?tab=notes'),
  notificationLinking('/'),
  {
    type: 'welcome',
    replyTo: 'r1',
    v: 1,
    connectionId: 'k1',
    user: { id: 'ada', name: 'Ada' },
    heartbeatMs: 30_000,
    limits: {
      maxFrameBytes: 65536,
      maxRoomsPerConnection: 50,
      maxMessagesPerSecond: 50,
      maxPresenceBytes: 1024,
    },
  },
  {
    type: 'joined',
    replyTo: 'r2',
    room: 'customer:42',
    seq: 18,
    resume: 'replayed',
    missed: 1,
    people: [person],
  },
  { type: 'left', replyTo: 'r3', room: 'customer:42' },
  { type: 'ack', replyTo: 'r4', seq: 19 },
  { type: 'ack', replyTo: 'r4' },
  {
    type: 'event',
    room: 'customer:42',
    seq: 19,
    event: 'typing',
    payload: { nested: { deep: [1, 2, { x: 'y' }] } },
    from: 'ada',
    at: 1_700_000_002_000,
  },
  { type: 'presence.diff', room: 'customer:42', upsert: [person], remove: ['bob'] },
  ...ERROR_CODES.map((code) => ({ type: 'error', code, message: 'why' })),
  { type: 'error', replyTo: 'r2', code: 'forbidden', message: 'no', room: 'customer:42' },
  { type: 'bye', reason: 'shutdown', reconnectMs: 5000 },
  { type: 'ping', t: 1 },
  { type: 'pong' },
];

const badServerFrames: unknown[] = [
  welcomeWithAvatar('javascript:alert(1)'),
  // Paths that browsers read as another host, and URLs holding a space or a control character.
  notificationLinking('//evil.example/login'),
  notificationLinking('/\\evil.example/login'),
  notificationLinking('https://crm.example.com/a b'),
  notificationLinking('/customers/\u0085'),
  notificationLinking('javascript:alert(1)'),
  { type: 'welcome', replyTo: 'r1', v: 1, connectionId: 'k1', user: { id: 'ada', name: 'Ada' } },
  {
    type: 'joined',
    replyTo: 'r2',
    room: 'customer:42',
    seq: 18,
    resume: 'maybe',
    missed: 0,
    people: [],
  },
  {
    type: 'presence.diff',
    room: 'customer:42',
    upsert: [{ ...person, status: 'busy' }],
    remove: [],
  },
  {
    type: 'presence.diff',
    room: 'customer:42',
    upsert: [{ ...person, connections: -1 }],
    remove: [],
  },
  { type: 'error', code: 'teapot', message: 'no' },
  { type: 'error', code: 'forbidden' },
  { type: 'bye', reason: 'bored', reconnectMs: 5000 },
  { type: 'event', room: 'customer:42', seq: 1, event: 'x', payload: 1 },
  // A client frame is not a server frame.
  { type: 'join', id: 'r2', room: 'customer:42' },
];

describe('npm run schema', () => {
  let dir: string;
  let schema: Record<string, unknown>;
  let defs: Record<string, Record<string, unknown>>;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'crm-schema-'));
    const out = join(dir, 'protocol.schema.json');
    await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'scripts/write-schema.ts', out],
      { cwd: join(import.meta.dirname, '../../..') },
    );
    schema = JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>;
    defs = schema.$defs as typeof defs;
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it('is a draft 2020-12 document that carries the protocol version', () => {
    assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
    assert.equal(schema['x-protocol-version'], PROTOCOL_VERSION);
    assert.match(String(schema.title), new RegExp(`version ${PROTOCOL_VERSION}\\b`));
  });

  it('names every frame type of both directions', () => {
    const constsOf = (name: string) =>
      (defs[name]!.oneOf as Record<string, unknown>[]).map((branch) => {
        const resolved = branch.$ref ? defs[String(branch.$ref).replace('#/$defs/', '')]! : branch;
        return (resolved.properties as Record<string, { const: string }>).type?.const;
      });
    const client = frameTypes(ClientFrame);
    const server = frameTypes(ServerFrame);
    assert.ok(client.includes('hello') && server.includes('presence.diff'));
    assert.deepEqual(constsOf('ClientFrame').sort(), client.sort());
    assert.deepEqual(constsOf('ServerFrame').sort(), server.sort());
  });

  it('describes common types once, under $defs, and lists every error code', () => {
    for (const name of ['RoomName', 'RequestId', 'UserProfile', 'Person', 'Activity', 'Json']) {
      assert.ok(defs[name], `$defs.${name} is missing`);
    }
    assert.deepEqual(defs.ErrorCode!.enum, [...ERROR_CODES]);
    assert.deepEqual((defs.JoinFrame!.properties as Record<string, unknown>).room, {
      $ref: '#/$defs/RoomName',
    });
  });

  it('uses regular expressions that validators in other languages compile as they are', () => {
    // JSON Schema carries no flags, and Python's `re` (its `jsonschema`) knows no `\p{…}`.
    const patterns = JSON.stringify(schema).match(/"pattern":"(?:[^"\\]|\\.)*"/g) ?? [];
    assert.ok(patterns.length >= 8, 'the patterns were not found');
    for (const entry of patterns) {
      const pattern = (JSON.parse(`{${entry}}`) as { pattern: string }).pattern;
      assert.doesNotMatch(pattern, /\\[pP]\{/, `a Unicode property class in ${pattern}`);
      // The same strings match with and without the `u` flag, as engines without it read them.
      assert.doesNotThrow(() => new RegExp(pattern), pattern);
    }
  });

  it('accepts and rejects exactly what the zod schemas accept and reject', () => {
    const cases = [
      { def: 'ClientFrame', zod: ClientFrame, good: goodClientFrames, bad: badClientFrames },
      { def: 'ServerFrame', zod: ServerFrame, good: goodServerFrames, bad: badServerFrames },
    ] as const;
    for (const { def, zod, good, bad } of cases) {
      const target = { $ref: `#/$defs/${def}` };
      for (const frame of good) {
        assert.ok(z.safeParse(zod, frame).success, `zod rejects good ${JSON.stringify(frame)}`);
        assert.ok(validate(schema, target, frame), `${def} rejects ${JSON.stringify(frame)}`);
        assert.ok(validate(schema, schema, frame), `the document rejects ${JSON.stringify(frame)}`);
      }
      for (const frame of bad) {
        assert.ok(!z.safeParse(zod, frame).success, `zod accepts bad ${JSON.stringify(frame)}`);
        assert.ok(!validate(schema, target, frame), `${def} accepts ${JSON.stringify(frame)}`);
      }
    }
  });
});

describe('docs/protocol.md', () => {
  const doc = readFileSync(join(import.meta.dirname, '../../../docs/protocol.md'), 'utf8');

  /** A frame of either direction; `ping`, `pong` and `call.config` go both ways. */
  const isFrame = (value: unknown): boolean =>
    z.safeParse(ClientFrame, value).success || z.safeParse(ServerFrame, value).success;

  it('shows only frames the schemas accept', () => {
    const json = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1]!);
    // A `…` inside a string is an abbreviated value and still JSON; one outside a string elides
    // fields, and such a line cannot be checked whole.
    const lines = [...doc.matchAll(/^([<>]) (\{.*\})$/gm)]
      .filter((m) => !/[,[]…/.test(m[2]!))
      .map((m) => ({ from: m[1] === '>' ? 'client' : 'server', text: m[2]! }));
    // Frames quoted in the text, e.g. `{ "type": "ack", "replyTo": "r5", "seq": 1 }`; those with a
    // placeholder (`<its clock>`) are not JSON and are left out.
    const inline = [...doc.matchAll(/`(\{ ?"type": ?"[^`]*\})`/g)]
      .map((m) => m[1]!)
      .filter((text) => !/<[a-z ]+>/.test(text));
    assert.ok(json.length >= 10 && lines.length >= 10, 'the examples were not found');
    assert.ok(inline.length >= 3, 'the frames quoted in the text were not found');
    for (const text of json) {
      const value: unknown = JSON.parse(text);
      // HTTP bodies (the backend's exchanges, the authorization callback) are JSON examples too;
      // anything with a `type` is a frame and must be one the schemas accept.
      if (typeof value !== 'object' || value === null || !('type' in value)) continue;
      assert.ok(isFrame(value), `docs example is not a valid frame: ${text}`);
    }
    for (const { from, text } of lines) {
      const schema = from === 'client' ? ClientFrame : ServerFrame;
      const result = z.safeParse(schema, JSON.parse(text));
      assert.ok(result.success, `docs ${from} frame is invalid: ${text}`);
    }
    for (const text of inline) {
      assert.ok(isFrame(JSON.parse(text)), `docs frame in the text is invalid: ${text}`);
    }
  });

  it("lists each frame's fields as the schemas have them, optional ones marked", () => {
    const schemas = new Map([...framesOf(ClientFrame), ...framesOf(ServerFrame)]);
    const check = (type: string, listed: [string, boolean][], where: string) => {
      const fields = fieldsOf(schemas.get(type));
      assert.deepEqual(
        listed.map(([name, optional]) => `${name}${optional ? '?' : ''}`).sort(),
        [...fields].map(([name, optional]) => `${name}${optional ? '?' : ''}`).sort(),
        `${where}: the fields of ${type} (name? = optional)`,
      );
    };
    // Shorthands in the text: `entity.ack` `{ replyTo, mutationId, entity, duplicate, partial? }`.
    let shorthands = 0;
    for (const m of doc.matchAll(/`([a-z.-]+)` `\{ ([^`]*) \}`/g)) {
      if (!schemas.has(m[1]!)) continue; // an event's payload or a part of a frame
      const names = m[2]!
        .replace(/ \([^)]*\)/g, '') // `limit? (1–100, default 20)`
        .split(', ')
        .map((part) => /^(\w+)(\??)/.exec(part)!);
      check(
        m[1]!,
        names.map((n) => [n[1]!, n[2] === '?']),
        `the shorthand ${m[0]}`,
      );
      shorthands++;
    }
    assert.ok(shorthands >= 8, 'the shorthands were not found');
    // Tables of fields that follow a frame's example: `| field | type | meaning |`.
    let tables = 0;
    for (const m of doc.matchAll(
      /```json\n\{\n {2}"type": "([a-z.]+)"[^`]*```\n\n\| field +\| type[^\n]*\n\|[^\n]*\n((?:\|[^\n]*\n)+)/g,
    )) {
      const rows = [...m[2]!.matchAll(/^\| `(\w+)` +\| ([^|]*)\|/gm)];
      check(
        m[1]!,
        rows.map((r) => [r[1]!, /\boptional\b/.test(r[2]!)]),
        'the table',
      );
      tables++;
    }
    assert.ok(tables >= 2, 'the tables of fields were not found');
    // The table of a person's fields.
    const people = doc.slice(doc.indexOf('| field         | meaning'));
    const rows = [...people.slice(0, people.indexOf('\n\n')).matchAll(/^\| `(\w+)`/gm)];
    assert.deepEqual(
      rows.map((r) => r[1]).sort(),
      [...fieldsOf(PersonSchema).keys()].sort(),
      "the table of a person's fields",
    );
  });

  it('names every frame type of both directions', () => {
    const section = doc.slice(doc.indexOf('## Frames in general'), doc.indexOf('## Handshake'));
    const types = [...frameTypes(ClientFrame), ...frameTypes(ServerFrame)];
    for (const type of types) assert.ok(section.includes(`\`${type}\``), `${type} is not listed`);
  });

  it('links only to headings it has', () => {
    // GitHub's anchors: lower case, punctuation dropped, spaces as hyphens.
    const slug = (heading: string) =>
      heading
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\- _]/gu, '')
        .replaceAll(' ', '-');
    const anchors = new Set([...doc.matchAll(/^#+ (.*)$/gm)].map((m) => slug(m[1]!)));
    const links = [...doc.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]!);
    assert.ok(links.length >= 20, 'the links were not found');
    assert.deepEqual(
      links.filter((link) => !anchors.has(link)),
      [],
      'links to headings the page does not have',
    );
  });

  it('lists every error code', () => {
    for (const code of ERROR_CODES) assert.match(doc, new RegExp(`\\| \`${code}\` +\\|`));
  });

  it('lists every close code the kit uses', () => {
    const section = doc.slice(doc.indexOf('WebSocket close codes:'), doc.indexOf('## Limits'));
    for (const code of Object.values(CLOSE_CODES)) {
      assert.match(section, new RegExp(`^\\| ${code} +\\|`, 'm'), `close code ${code}`);
    }
  });
});
