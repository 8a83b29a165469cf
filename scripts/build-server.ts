/**
 * `npm run build:server`: the reference server as a directory that deploys on its own, without
 * this repository or the kit's package (whose `dependencies` carry nothing server-side).
 *
 * dist/server/ mirrors the repository's layout, so paths the server takes relative to its
 * working directory (`--static demo dist`) or to its own module (the demo's sample data) hold:
 *   package.json         its own manifest: the server's dependencies, `npm start`
 *   src/server/main.js   the server, its protocol and domain modules bundled in (esbuild); npm
 *                        packages stay imports, installed from package.json
 *   demo/, dist/kit/     the demo pages and the self-contained kit they load (`--static`)
 *
 * Deploy: copy dist/server/, `npm install --omit=dev`, then `npm start -- --port 8080` with
 * `CRM_JWT_SECRET` or `CRM_JWKS_URL` set (README, "Deploying the server on its own").
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const defaultOutDir = resolve(root, 'dist/server');

/**
 * The Node versions the server is proven on: 20 by the test suite, 22 and 24 (the current LTS
 * lines users deploy on) by `npm run check:lts`, which compiles better-sqlite3 for them and saves
 * through the built server. The kit's own `engines` (>=20.19) concerns its build and tooling; the
 * server's native module is what pins it to lines better-sqlite3 12 supports.
 */
export const SERVER_ENGINES = { node: '^20.19.0 || ^22.0.0 || ^24.0.0' } as const;

/** npm packages the server imports at run time; versions are taken from the root package.json. */
export const SERVER_DEPENDENCIES = [
  'better-sqlite3',
  'ioredis',
  'jose',
  'pg',
  'ws',
  'zod',
] as const;

interface Manifest {
  version: string;
  license?: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

export async function buildServer(outDir = defaultOutDir): Promise<string> {
  const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as Manifest;
  const versions = { ...pkg.devDependencies, ...pkg.dependencies };
  const dependencies: Record<string, string> = {};
  for (const name of SERVER_DEPENDENCIES) {
    const version = versions[name];
    if (!version) throw new Error(`build:server: ${name} is not in package.json`);
    dependencies[name] = version;
  }
  rmSync(outDir, { recursive: true, force: true });
  const result = await build({
    entryPoints: [resolve(root, 'src/server/main.ts')],
    outfile: resolve(outDir, 'src/server/main.js'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
    metafile: true,
  });
  // A package the server imports but the manifest does not list would fail only once deployed.
  const missing = new Set<string>();
  for (const output of Object.values(result.metafile.outputs)) {
    for (const { path, external } of output.imports) {
      const name = /^(@[^/]+\/)?[^/]+/.exec(path)?.[0] ?? path;
      if (!external || path.startsWith('node:')) continue;
      if (!(SERVER_DEPENDENCIES as readonly string[]).includes(name)) missing.add(name);
    }
  }
  if (missing.size) {
    throw new Error(`build:server: the server imports ${[...missing].join(', ')}, not listed`);
  }
  cpSync(resolve(root, 'demo'), resolve(outDir, 'demo'), { recursive: true });
  if (existsSync(resolve(root, 'dist/kit'))) {
    cpSync(resolve(root, 'dist/kit'), resolve(outDir, 'dist/kit'), { recursive: true });
  }
  mkdirSync(outDir, { recursive: true });
  const manifest = {
    name: 'crm-realtime-server',
    version: pkg.version,
    private: true,
    description: 'The crm-realtime reference server, deployable on its own.',
    type: 'module',
    license: pkg.license,
    engines: SERVER_ENGINES,
    scripts: { start: 'node src/server/main.js' },
    dependencies,
    // better-sqlite3 compiles (or fetches) its native module in an install script; npm 11 warns
    // about install scripts a manifest has not approved, and the deploy needs this one.
    allowScripts: { 'better-sqlite3': true },
  };
  writeFileSync(resolve(outDir, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
  return outDir;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = await buildServer();
  console.log(`server: ${dir} (npm install --omit=dev && npm start)`);
}
