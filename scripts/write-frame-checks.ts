/**
 * Writes `src/protocol/checks/<capability>.ts`: the browser client's checks of each capability's
 * server frames and payloads, compiled from the protocol's zod/mini schemas into calls of small
 * combinators (`checks/combinators.ts`). The server and the fake keep parsing with zod; a page loads
 * only the checks of the capabilities it shows, and no zod at all. A named schema that more than
 * one capability uses is written once, at the end of `checks/combinators.ts` (which every
 * capability's module loads), and imported from there.
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
    exports: ['EntityType', 'EntityId', 'Fields', 'EntityChange', 'EntityDeleted'],
  },
  {
    file: 'notifications',
    // Field rules changed: notifications already shown were redacted by the old ones.
    frames: (type) => type.startsWith('notification.') || type === 'entity.rules-changed',
    exports: ['Notification', 'NotificationInput'],
  },
  {
    file: 'activity',
    // Field rules changed: activity items already shown were redacted by the old ones.
    frames: (type) => type.startsWith('activity.') || type === 'entity.rules-changed',
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

/** The combinators `checks/combinators.ts` defines itself; the rest it takes from the core. */
const LOCAL_COMBINATORS = new Set(['literal', 'union', 'withDefault', 'record', 'json']);

/** Which protocol module declares the exported schema `name`. */
function moduleOf(name: string): string {
  if (name in entities) return 'entities';
  if (name in activity) return 'activity';
  return 'notifications';
}

/**
 * Compiles schemas into code. `shared` holds the schemas `checks/combinators.ts` defines (by
 * identity, to their names): a module that uses one imports it instead of defining it again.
 * `exportAll` exports every constant (the shared ones, which the capabilities import).
 */
function emitter(shared: ReadonlyMap<unknown, string>, exportAll = false) {
  const combinators = new Set<string>();
  const core = new Set<string>();
  const consts: string[] = [];
  const defined = new Map<unknown, string>();
  const fromShared = new Set<string>();
  /** The exported schemas, by name, to the protocol module that declares each. */
  const roots = new Map<string, string>();
  const use = (name: string) => (combinators.add(name), name);

  const named = (schema: AnySchema, name: string): string => {
    const sharedName = shared.get(schema);
    if (sharedName) return (fromShared.add(sharedName), sharedName);
    const known = defined.get(schema);
    if (known) return known;
    const code = expression(schema, true);
    const local = camel(name);
    defined.set(schema, local);
    // The exported checks return the type zod infers from the schema they were made of.
    consts.push(
      roots.has(name)
        ? `export const ${local} = ${code} as Check<z.output<typeof ${name}>>;`
        : `${exportAll ? 'export ' : ''}const ${local} = ${code};`,
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

  /** The type-only imports the exported schemas' types need: zod's, then the protocol's. */
  const rootImports = (): { zod: string[]; types: string[] } => {
    const types: string[] = [];
    for (const module of new Set(roots.values())) {
      const names = [...roots].filter(([, m]) => m === module).map(([name]) => name);
      types.push(`import type { ${names.sort().join(', ')} } from '../${module}.js';`);
    }
    return { zod: roots.size ? ["import type * as z from 'zod/mini';"] : [], types };
  };

  return { named, expression, combinators, core, consts, defined, fromShared, roots, rootImports };
}

const exportedSchema = (name: string): AnySchema => {
  const schema = ({ ...entities, ...notifications, ...activity } as Record<string, unknown>)[name];
  if (!NAMES.has(schema)) throw new Error(`${name} is not a schema of the protocol`);
  return schema as AnySchema;
};

/**
 * The named schemas more than one capability would define, with those they are made of: these
 * are defined once, in `checks/combinators.ts`, which every capability's module loads anyway.
 */
function sharedChecks(): ReturnType<typeof emitter> {
  const users = new Map<unknown, number>();
  for (const capability of CAPABILITY_CHECKS) {
    const alone = capabilityModule(capability, new Map());
    for (const schema of alone.defined.keys()) users.set(schema, (users.get(schema) ?? 0) + 1);
  }
  const out = emitter(new Map(), true);
  const exportedByName = new Map<unknown, string>();
  for (const capability of CAPABILITY_CHECKS) {
    for (const name of capability.exports) exportedByName.set(exportedSchema(name), name);
  }
  for (const [schema, count] of users) {
    if (count < 2) continue;
    const name = NAMES.get(schema)!;
    if (exportedByName.has(schema)) out.roots.set(name, moduleOf(name));
    out.named(schema as AnySchema, name);
  }
  return out;
}

/** One capability's module, before `compile` writes it out. */
function capabilityModule(
  capability: (typeof CAPABILITY_CHECKS)[number],
  shared: ReadonlyMap<unknown, string>,
): ReturnType<typeof emitter> & { frames: string[]; reexports: string[] } {
  const out = emitter(shared);
  for (const name of capability.exports) out.roots.set(name, moduleOf(name));
  const reexports: string[] = [];
  for (const name of capability.exports) {
    const schema = exportedSchema(name);
    const sharedName = shared.get(schema);
    if (sharedName) {
      out.roots.delete(name);
      reexports.push(sharedName);
    }
    out.named(schema, name);
  }
  const frames: string[] = [];
  for (const [type, schema] of serverFrames()) {
    if (capability.frames(type)) {
      frames.push(`  ${JSON.stringify(type)}: ${out.expression(schema, true)},`);
    }
  }
  return { ...out, frames, reexports };
}

/** The schemas `checks/combinators.ts` defines, by identity, to their names. */
const sharedNames = (shared: ReturnType<typeof emitter>) =>
  new Map([...shared.defined].map(([schema, name]) => [schema, name]));

/** One capability's module: constants for the named schemas it uses, then its exports. */
export function compile(capability: (typeof CAPABILITY_CHECKS)[number]): string {
  const module = capabilityModule(capability, sharedNames(sharedChecks()));
  const fromCombinators = [...module.combinators, ...module.fromShared].sort();
  const { zod, types } = module.rootImports();
  const imports = [
    ...zod,
    `import { ${fromCombinators.concat('type Check').join(', ')} } from './combinators.js';`,
  ];
  if (module.core.size) {
    imports.push(
      `import { ${[...module.core].sort().join(', ')} } from '../server-frame-checks.js';`,
    );
  }
  imports.push(...types);
  return [
    '/**',
    ` * Checks of the ${capability.file} capability's frames and values, without zod: written by`,
    ' * scripts/write-frame-checks.ts from the zod/mini schemas of src/protocol/; do not edit (run',
    ' * `node --import tsx scripts/write-frame-checks.ts` after changing a schema).',
    ' */',
    ...imports,
    '',
    ...(module.reexports.length ? [`export { ${module.reexports.sort().join(', ')} };`] : []),
    ...module.consts,
    '',
    '/** The server frames of the capability, by `type`. */',
    'export const FRAMES: Readonly<Record<string, Check>> = {',
    ...module.frames,
    '};',
    '',
  ].join('\n');
}

/** Where the written part of `checks/combinators.ts` starts; the generator keeps what is above. */
export const SHARED_MARKER =
  '// Written by scripts/write-frame-checks.ts from here to the end; do not edit (run it after';

/** `checks/combinators.ts` as it is by hand above the marker, with the shared checks below it. */
export function compileCombinators(current: string): string {
  const at = current.indexOf(SHARED_MARKER);
  if (at < 0) throw new Error(`checks/combinators.ts has no line starting "${SHARED_MARKER}"`);
  const shared = sharedChecks();
  const fromCore = [...shared.combinators].filter((name) => !LOCAL_COMBINATORS.has(name));
  const { zod, types } = shared.rootImports();
  const imports = [...zod];
  if (fromCore.length || shared.core.size) {
    const names = [...fromCore, ...shared.core].sort();
    imports.push(`import { ${names.join(', ')} } from '../server-frame-checks.js';`);
  }
  imports.push(...types);
  return [
    current.slice(0, at) + SHARED_MARKER,
    '// changing a schema): the named checks more than one capability uses, defined once here.',
    ...imports,
    '',
    ...shared.consts,
    '',
  ].join('\n');
}

export const checksFile = (file: string) => resolve(root, 'src/protocol/checks', `${file}.ts`);

/** Every file the generator writes, with its text before formatting. */
export function compiledFiles(): { path: string; text: string }[] {
  const combinators = checksFile('combinators');
  return [
    ...CAPABILITY_CHECKS.map((c) => ({ path: checksFile(c.file), text: compile(c) })),
    { path: combinators, text: compileCombinators(readFileSync(combinators, 'utf8')) },
  ];
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { format, resolveConfig } = await import('prettier');
  let stale = 0;
  for (const file of compiledFiles()) {
    const { path } = file;
    const text = await format(file.text, {
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
