/**
 * Writes `src/protocol/checks/<capability>.ts`: the browser client's checks of each capability's
 * server frames and payloads, compiled from the protocol's zod/mini schemas into calls of small
 * combinators (`checks/combinators.ts`). The server and the fake keep parsing with zod; a page loads
 * only the checks of the capabilities it shows, and no zod at all.
 *
 * Run `node --import tsx scripts/write-frame-checks.ts` after changing a schema;
 * test/node/protocol/checks/frame-checks.test.ts fails while the written files are stale, and
 * holds each check to agreement with its schema on valid and mutated values.
 *
 * `--check` writes nothing and exits 1 when a file is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as z from 'zod/mini';
import * as activity from '../src/protocol/activity.js';
import * as calls from '../src/protocol/calls.js';
import * as common from '../src/protocol/common.js';
import * as entities from '../src/protocol/entities.js';
import { ServerFrame } from '../src/protocol/frames.js';
import * as notifications from '../src/protocol/notifications.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** What each capability's browser code checks: the server frames it receives, and other schemas. */
export const CAPABILITY_CHECKS: {
  file: string;
  frames: (type: string) => boolean;
  exports: string[];
}[] = [
  {
    file: 'entities',
    frames: (type) => type.startsWith('entity.'),
    exports: ['EntityType', 'EntityId', 'Fields', 'EntityChange'],
  },
  {
    file: 'notifications',
    frames: (type) => type.startsWith('notification.'),
    exports: ['Notification', 'NotificationInput'],
  },
  {
    file: 'activity',
    frames: (type) => type.startsWith('activity.'),
    exports: ['ActivityItem', 'FeedRef', 'ActivityFilter'],
  },
  {
    file: 'calls',
    frames: (type) => type === 'call.config' || type === 'signal',
    exports: [],
  },
];

/** Schemas the core's hand-written checks (`server-frame-checks.ts`) already define. */
const FROM_CORE = new Map<unknown, string>([
  [common.RequestId, 'requestId'],
  [common.UserId, 'userId'],
  [common.RoomName, 'roomName'],
  [common.EventName, 'eventName'],
  [common.UserProfile, 'userProfile'],
]);

/** The protocol's named schemas, by identity, so the output reads like the source. */
const NAMES = new Map<unknown, string>();
for (const module of [common, entities, notifications, activity, calls]) {
  for (const [name, value] of Object.entries(module)) {
    if (value && typeof value === 'object' && '_zod' in value && !NAMES.has(value)) {
      NAMES.set(value, name);
    }
  }
}

type Def = z.ZodMiniType['_zod']['def'] & Record<string, unknown>;
type AnySchema = { _zod: { def: Def } };

const camel = (name: string) => name[0]!.toLowerCase() + name.slice(1);
const num = (n: number) =>
  n === Infinity ? 'Infinity' : n === -Infinity ? '-Infinity' : String(n);

/** The server frames of the protocol's union, by type. */
function serverFrames(): Map<string, AnySchema> {
  const frames = new Map<string, AnySchema>();
  for (const option of ServerFrame._zod.def.options as unknown as AnySchema[]) {
    const literal = (option._zod.def['shape'] as Record<string, AnySchema>)['type']!;
    for (const type of literal._zod.def['values'] as string[]) frames.set(type, option);
  }
  return frames;
}

/** One capability's module: constants for the named schemas it uses, then its exports. */
export function compile(capability: (typeof CAPABILITY_CHECKS)[number]): string {
  const combinators = new Set<string>();
  const core = new Set<string>();
  const consts: string[] = [];
  const defined = new Map<unknown, string>();
  const use = (name: string) => (combinators.add(name), name);

  const roots = new Map<string, string>();
  const named = (schema: AnySchema, name: string): string => {
    const known = defined.get(schema);
    if (known) return known;
    const code = expression(schema, true);
    const local = camel(name);
    defined.set(schema, local);
    const from = roots.get(name);
    // The exported checks return the type zod infers from the schema they were made of.
    consts.push(
      from === undefined
        ? `const ${local} = ${code};`
        : `export const ${local} = ${code} as Check<z.output<typeof ${name}>>;`,
    );
    return local;
  };

  function expression(schema: AnySchema, top = false): string {
    const coreName = FROM_CORE.get(schema);
    if (coreName) return (core.add(coreName), coreName);
    if (schema === (common.Json as unknown)) return use('json');
    const name = NAMES.get(schema);
    if (name && !top) return named(schema, name);
    const def = schema._zod.def;
    const checks = (
      (def.checks ?? []) as unknown as { _zod: { def: Record<string, unknown> } }[]
    ).map((c) => c._zod.def);
    const bound = (kind: string) => checks.find((c) => c['check'] === kind);
    const known = (...kinds: string[]) => {
      for (const c of checks) {
        if (!kinds.includes(String(c['check']))) {
          throw new Error(`no combinator for the check ${String(c['check'])} on a ${def.type}`);
        }
      }
    };
    switch (def.type) {
      case 'string': {
        known('min_length', 'max_length', 'string_format');
        const format = bound('string_format');
        if (format && format['format'] !== 'regex') {
          throw new Error(`no combinator for the string format ${String(format['format'])}`);
        }
        const min = (bound('min_length')?.['minimum'] as number | undefined) ?? 0;
        const max = (bound('max_length')?.['maximum'] as number | undefined) ?? Infinity;
        const pattern = format ? `, ${String(format['pattern'] as RegExp)}` : '';
        return `${use('string')}(${num(min)}, ${num(max)}${pattern})`;
      }
      case 'number': {
        known('number_format', 'greater_than', 'less_than');
        const format = bound('number_format');
        if (format && format['format'] !== 'safeint') {
          throw new Error(`no combinator for the number format ${String(format['format'])}`);
        }
        for (const c of checks) {
          if (c['check'] !== 'number_format' && c['inclusive'] !== true) {
            throw new Error('no combinator for an exclusive number bound');
          }
        }
        const min = (bound('greater_than')?.['value'] as number | undefined) ?? -Infinity;
        const max = (bound('less_than')?.['value'] as number | undefined) ?? Infinity;
        const args = [num(min), String(format !== undefined), num(max)];
        while (args.length && args.at(-1) === ['-Infinity', 'false', 'Infinity'][args.length - 1]) {
          args.pop();
        }
        return `${use('number')}(${args.join(', ')})`;
      }
      case 'boolean':
        known();
        return use('boolean');
      case 'literal':
        known();
        return `${use('literal')}(${(def['values'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')})`;
      case 'enum':
        known();
        return `${use('oneOf')}(${JSON.stringify(Object.values(def['entries'] as object))})`;
      case 'optional':
        known();
        return `${use('optional')}(${expression(def['innerType'] as AnySchema)})`;
      case 'default':
        known();
        return `${use('withDefault')}(${expression(def['innerType'] as AnySchema)}, ${JSON.stringify(def['defaultValue'])})`;
      case 'array': {
        known('max_length');
        const max = bound('max_length')?.['maximum'] as number | undefined;
        const item = expression(def['element'] as AnySchema);
        return `${use('array')}(${item}${max === undefined ? '' : `, ${max}`})`;
      }
      case 'union':
        known();
        return `${use('union')}(${(def['options'] as AnySchema[]).map((o) => expression(o)).join(', ')})`;
      case 'record':
        known();
        return `${use('record')}(${expression(def['keyType'] as AnySchema)}, ${expression(def['valueType'] as AnySchema)})`;
      case 'object': {
        known();
        if (def['catchall'] !== undefined) throw new Error('no combinator for a catchall object');
        const shape = Object.entries(def['shape'] as Record<string, AnySchema>).map(
          ([key, value]) => {
            const code = expression(value);
            if (code === key) return key;
            return `${/^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key)}: ${code}`;
          },
        );
        return `${use('object')}({ ${shape.join(', ')} })`;
      }
      default:
        throw new Error(`no combinator for a ${def.type} schema`);
    }
  }

  const exported: Record<string, unknown> = { ...entities, ...notifications, ...activity };
  for (const name of capability.exports) {
    const module = [entities, notifications, activity].find((m) => name in m)!;
    roots.set(
      name,
      module === entities ? 'entities' : module === activity ? 'activity' : 'notifications',
    );
  }
  for (const name of capability.exports) {
    const schema = exported[name];
    if (!NAMES.has(schema)) throw new Error(`${name} is not a schema of the protocol`);
    named(schema as AnySchema, name);
  }
  const frames: string[] = [];
  for (const [type, schema] of serverFrames()) {
    if (capability.frames(type))
      frames.push(`  ${JSON.stringify(type)}: ${expression(schema, true)},`);
  }

  const imports = [
    `import { ${[...combinators].sort().concat('type Check').join(', ')} } from './combinators.js';`,
  ];
  if (core.size) {
    imports.push(`import { ${[...core].sort().join(', ')} } from '../server-frame-checks.js';`);
  }
  if (roots.size) imports.unshift("import type * as z from 'zod/mini';");
  for (const module of new Set(roots.values())) {
    const names = [...roots].filter(([, m]) => m === module).map(([name]) => name);
    imports.push(`import type { ${names.sort().join(', ')} } from '../${module}.js';`);
  }
  return [
    '/**',
    ` * Checks of the ${capability.file} capability's frames and values, without zod: written by`,
    ' * scripts/write-frame-checks.ts from the zod/mini schemas of src/protocol/; do not edit (run',
    ' * `node --import tsx scripts/write-frame-checks.ts` after changing a schema).',
    ' */',
    ...imports,
    '',
    ...consts,
    '',
    '/** The server frames of the capability, by `type`. */',
    'export const FRAMES: Readonly<Record<string, Check>> = {',
    ...frames,
    '};',
    '',
  ].join('\n');
}

export const checksFile = (file: string) => resolve(root, 'src/protocol/checks', `${file}.ts`);

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { format, resolveConfig } = await import('prettier');
  let stale = 0;
  for (const capability of CAPABILITY_CHECKS) {
    const path = checksFile(capability.file);
    const text = await format(compile(capability), {
      ...(await resolveConfig(path)),
      filepath: path,
    });
    let current = '';
    try {
      current = readFileSync(path, 'utf8');
    } catch {
      // not written yet
    }
    if (current === text) continue;
    stale += 1;
    if (process.argv.includes('--check')) console.log(`stale: ${path}`);
    else writeFileSync(path, text);
  }
  if (process.argv.includes('--check') && stale > 0) process.exitCode = 1;
}
