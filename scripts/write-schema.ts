/**
 * `npm run schema`: writes the wire protocol as JSON Schema (draft 2020-12) for backend teams that
 * implement it in another language. Generated from the zod schemas in src/protocol, so it cannot
 * drift from what the client and the reference server actually accept.
 *
 *   npm run schema                      # dist/protocol.schema.json
 *   npm run schema -- path/to/out.json  # somewhere else
 *
 * Every schema exported by src/protocol becomes a named entry of `$defs` (frames and the common
 * types they reference, e.g. `RoomName`, `Person`), so a frame added there appears here without
 * touching this script. `ClientFrame` and `ServerFrame` are the two directions; the document itself
 * matches any frame. Objects are open (`io: 'input'`): peers ignore unknown fields, which is what
 * lets a newer server add a field without breaking older clients.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as z from 'zod/mini';
import * as protocol from '../src/protocol/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_OUT = resolve(root, 'dist/protocol.schema.json');

/** One-line descriptions shown by schema browsers; docs/protocol.md has the full story. */
const DESCRIPTIONS: Record<string, string> = {
  ClientFrame: 'Any frame a client sends to the server.',
  ServerFrame: 'Any frame the server sends to a client.',
  HelloFrame: 'First frame of every connection: protocol version, client id, token (or devUser).',
  JoinFrame:
    'Join a room; `since` is the last seq seen there, asking the server to replay; `watch` joins without being present.',
  LeaveFrame: 'Leave a room (with `tab`: that tab of a shared connection only).',
  TabId: 'A tab behind a connection its browser shares: its own presence member and joins.',
  PresenceFrame: "Update this connection's presence in a joined room. Not acknowledged.",
  EmitFrame: 'Broadcast an event to a joined room; acknowledged with `ack` when it carries `id`.',
  PingFrame: 'Heartbeat, from either side; answered with `pong` carrying the same `t`.',
  PongFrame: 'Answer to `ping`, echoing its `t`.',
  WelcomeFrame: 'Answer to `hello`: the authenticated user, heartbeat interval and limits.',
  JoinedFrame: 'Answer to `join`: current seq, what happened to `since`, presence snapshot.',
  LeftFrame: 'Answer to `leave`.',
  AckFrame: 'Generic acknowledgement of a request carrying `id`.',
  EventFrame: 'A sequenced room event (seq increases by one per room).',
  PresenceDiffFrame: 'Presence changes in a room: people added or changed, user ids gone.',
  ErrorFrame: 'An error, answering the request `replyTo` when there was one.',
  ByeFrame: 'Sent before the server closes the connection on purpose (e.g. shutdown).',
  RequestId: 'Chosen by the client; echoed as `replyTo` by the answer.',
  RoomName: 'Room names are `kind:id` or `kind:path`, e.g. `customer:42`, `page:/customers`.',
  UserId: 'A user id as the server knows it (the JWT `sub`).',
  EventName: 'Name of a generic broadcast event, e.g. `cursor` or `typing`.',
  AvatarUrl: 'Only https:, http: and data:image/ URLs.',
  UserProfile: 'Who someone is, as the server vouches for them.',
  PresenceStatus: 'Presence state of one person.',
  PresenceState: 'Presence one connection reports for itself in one room.',
  Activity: 'What someone does in a room: viewing it, or editing one named field.',
  Person: 'One person in a room, aggregated over all their connections (tabs and devices).',
  ErrorCode: 'The closed list of error codes.',
  Json: 'Any JSON value.',
};

type JsonSchema = Record<string, unknown>;

/** Characters of the Unicode category Cc (control), as a class body any engine reads. */
const CONTROL = '\\u0000-\\u001f\\u007f-\\u009f';

/**
 * Patterns whose JavaScript form other validators cannot use as it is, each with a form that
 * matches the same strings: JSON Schema carries no flags (the `i` of these two would be lost,
 * refusing `HTTPS://…` that the kit accepts), and Python's `re` (what its `jsonschema` uses)
 * knows no `\p{…}`. Keyed by the regular expression as `String(regex)` prints it.
 */
const PORTABLE: Record<string, string> = {
  '/^(https?:\\/\\/|data:image\\/)/i':
    '^([Hh][Tt][Tt][Pp][Ss]?:\\/\\/|[Dd][Aa][Tt][Aa]:[Ii][Mm][Aa][Gg][Ee]\\/)',
  '/^(?:https?:\\/\\/|\\/(?![/\\\\]))[^\\s\\p{Cc}]*$/iu': `^(?:[Hh][Tt][Tt][Pp][Ss]?:\\/\\/[^\\s${CONTROL}]*|\\/(?:[^/\\\\\\s${CONTROL}][^\\s${CONTROL}]*)?)$`,
};

/**
 * Gives a string schema's pattern its portable form (see `PORTABLE`), and refuses a pattern that
 * needs one and has none: a flag other than `u`, or a Unicode property class.
 */
/**
 * The JSON Schema of `Json`, which is checked by a function (as fast as a walk, not a union tried
 * at every value): what `z.json()` wrote, a value that is one of six kinds, arrays and objects of
 * JSON values.
 */
const JSON_VALUE_SCHEMA: JsonSchema = {
  anyOf: [
    { type: 'string' },
    { type: 'number' },
    { type: 'boolean' },
    { type: 'null' },
    { type: 'array', items: { $ref: '#/$defs/Json' } },
    {
      type: 'object',
      propertyNames: { type: 'string' },
      additionalProperties: { $ref: '#/$defs/Json' },
    },
  ],
};

function portablePattern(ctx: { zodSchema: unknown; jsonSchema: JsonSchema }): void {
  type Check = { _zod: { def: { pattern?: unknown } } };
  const checks = (ctx.zodSchema as { _zod: { def: { checks?: Check[] } } })._zod.def.checks;
  for (const check of checks ?? []) {
    const regex = check._zod.def.pattern;
    if (!(regex instanceof RegExp)) continue;
    const portable = PORTABLE[String(regex)];
    if (portable !== undefined) {
      ctx.jsonSchema.pattern = portable;
    } else if (/[^u]/.test(regex.flags) || /\\[pP]\{/.test(regex.source)) {
      throw new Error(`${String(regex)} has no portable form: add one to PORTABLE`);
    }
  }
}

function isZodSchema(value: unknown): value is z.ZodMiniType {
  return typeof value === 'object' && value !== null && '_zod' in value;
}

/** The whole protocol as one JSON Schema document. Pure: no I/O. */
export function buildProtocolSchema(): JsonSchema {
  const registry = z.registry<{ id: string; description?: string }>();
  const names = Object.keys(protocol)
    .filter((name) => isZodSchema((protocol as Record<string, unknown>)[name]))
    .sort();
  for (const name of names) {
    const schema = (protocol as Record<string, unknown>)[name] as z.ZodMiniType;
    const description = DESCRIPTIONS[name];
    registry.add(schema, description ? { id: name, description } : { id: name });
  }

  const { schemas } = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    io: 'input',
    uri: (id) => `#/$defs/${id}`,
    override: portablePattern,
    // Every other schema checked by a function has no JSON Schema: the export stops.
    unrepresentable: ({ zodSchema }) => (zodSchema === protocol.Json ? JSON_VALUE_SCHEMA : 'throw'),
  });

  const defs: Record<string, JsonSchema> = {};
  for (const name of names) {
    // Each entry comes out as a standalone document; inside one document they are plain $defs.
    const { $schema: _schema, $id: _id, ...def } = schemas[name] as JsonSchema;
    defs[name] = def;
  }

  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `urn:crm-realtime:protocol:v${protocol.PROTOCOL_VERSION}`,
    title: `crm-realtime wire protocol, version ${protocol.PROTOCOL_VERSION}`,
    description:
      'JSON text frames over one WebSocket. Validate client→server frames with ' +
      '#/$defs/ClientFrame and server→client frames with #/$defs/ServerFrame. ' +
      'See docs/protocol.md.',
    'x-protocol-version': protocol.PROTOCOL_VERSION,
    'x-limits': protocol.LIMITS,
    'x-close-codes': protocol.CLOSE_CODES,
    // ping and pong travel both ways, so "any frame" is anyOf, not oneOf.
    anyOf: [{ $ref: '#/$defs/ClientFrame' }, { $ref: '#/$defs/ServerFrame' }],
    $defs: defs,
  };
}

/** Writes the schema and returns the path written. */
export function writeProtocolSchema(out: string = DEFAULT_OUT): string {
  const file = resolve(out);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(buildProtocolSchema(), null, 2) + '\n');
  return file;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const file = writeProtocolSchema(process.argv[2]);
  console.log(`protocol v${protocol.PROTOCOL_VERSION} JSON Schema written to ${file}`);
}
