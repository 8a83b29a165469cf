/**
 * The type probes of the package tests see the packed package only. A probe lives inside the
 * repository, whose own package.json is named `crm-realtime`: without a package of its own around
 * it, TypeScript resolves the probe's `import 'crm-realtime/…'` to the repository itself (package
 * self-reference) and checks `dist/npm/` as built, not the tarball users install.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { it } from 'node:test';
import { ROOT } from './helpers/packed.js';
import { typecheckProbe } from './helpers/typecheck.js';

it("a probe's imports and type references of crm-realtime reach the packed package", async () => {
  const { program, problems } = await typecheckProbe({
    'imports.ts': `import 'crm-realtime/define';
import { FakeServer, connectFake } from 'crm-realtime/testing';
import type { RealtimeClient } from 'crm-realtime/client';
export const client: RealtimeClient = connectFake(new FakeServer());
`,
    'page.d.ts': '/// <reference types="crm-realtime/define" />\n',
  });
  assert.deepEqual(problems, []);
  const own = join(ROOT, 'dist', 'npm');
  const kit = program.getSourceFiles().filter((f) => /[/\\]dist[/\\]npm[/\\]/.test(f.fileName));
  assert.ok(kit.length > 0, 'the kit is in the program');
  assert.deepEqual(
    kit.map((f) => f.fileName).filter((f) => f.startsWith(own)),
    [],
    "none of the repository's own dist/npm",
  );
});
