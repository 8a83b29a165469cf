/**
 * The Svelte typings (`crm-realtime/svelte`) as svelte-check reads them: Svelte components written
 * against the packed package, checked by svelte-check under `strict`, the way a Svelte 5 + Vite
 * app checks itself. A line after a `<!-- error -->` comment must have an error, and no other
 * line may (svelte-check has no `@ts-expect-error` for markup). Attributes, properties, `oncrm-…`
 * handlers (and legacy mode's `on:crm-…`), Svelte's own HTML attributes and `bind:this` are
 * checked; an inline handler's parameter is the event's class, where without the typings it is an
 * implicit `any`, an error.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { bin, pack, ROOT } from './helpers/packed.js';

const run = promisify(execFile);

/** A component in runes mode: what a Svelte 5 app writes. */
const RUNES = `<script lang="ts">
  import type {
    ActivityFeedMessages,
    ConnectionDisplayState,
    CrmNotificationCenter,
    CrmPresence,
    CrmPresenceChangeEvent,
    UserProfile,
  } from 'crm-realtime';

  const me: UserProfile = { id: 'ada', name: 'Ada' };
  const messages: Partial<ActivityFeedMessages> = { feedLabel: () => 'Aktivität' };
  const onChange = (e: CrmPresenceChangeEvent) => e.arrived.length;
  let status = $state<ConnectionDisplayState>('unavailable');
  let center: CrmNotificationCenter | undefined = $state();
  let presence: CrmPresence | undefined = $state();
  let phone = $state('');
</script>

<crm-realtime-provider url="ws://localhost:8080/" devUser={me}>
  <crm-connection-status compact oncrm-connection-status-change={(e) => (status = e.state)}></crm-connection-status>
  <crm-presence room-id="customer:42" max-visible={3} oncrm-presence-change={onChange}></crm-presence>
  <crm-presence roomId="customer:42" maxVisible={3} callable oncrm-presence-call={(e) => e.preventDefault()}></crm-presence>
  <crm-presence id="who" class={['compact', { wide: true }]} style="--crm-presence-size: 3rem" style:--crm-presence-gap="2px" role="list" aria-label="People here" ontransitionend={(e) => e.propertyName}></crm-presence>
  <crm-notification-center bind:this={center} oncrm-notification-open={(e) => e.notification.id}></crm-notification-center>
  <crm-activity-feed feed-type="global" lang="de" {messages}></crm-activity-feed>
  <!-- A number attribute as HTML writes it: its digits, which the element reads as the number. -->
  <crm-activity-feed feed-type="global" max-items="20"></crm-activity-feed>
  <crm-collaborative-form entity-type="customer" entity-id="42" controlled oncrm-form-saved={(e) => e.type}>
    <form><input name="phone" bind:value={phone} /></form>
  </crm-collaborative-form>
  {#if status === 'open'}
    <crm-presence bind:this={presence} oncrm-presence-change={(e) => e.left.length}></crm-presence>
  {/if}
</crm-realtime-provider>

<!-- error -->
<crm-presence max-visible="lots"></crm-presence>
<!-- error -->
<crm-presence maxVisible="lots"></crm-presence>
<!-- error -->
<crm-connection-status oncrm-connection-status-change={onChange}></crm-connection-status>
<!-- error -->
<crm-presence oncrm-presence-change={(e) => e.state}></crm-presence>
<!-- error -->
<crm-presence oncrm-presence-chnage={onChange}></crm-presence>
<!-- error -->
<crm-connection-status state="open"></crm-connection-status>
<!-- error -->
<crm-activity-feed lang={3}></crm-activity-feed>
<!-- error -->
<crm-activity-feed messages={{ nope: () => 'x' }}></crm-activity-feed>
<!-- error -->
<crm-presence ontransitionend={onChange}></crm-presence>
<!-- error -->
<crm-notification-center bind:this={presence}></crm-notification-center>
`;

/** A component in legacy mode (no runes), whose handlers are `on:` directives. */
const LEGACY = `<script lang="ts">
  import type { CrmPresenceChangeEvent } from 'crm-realtime';
  const onChange = (e: CrmPresenceChangeEvent) => e.arrived.length;
</script>

<crm-presence on:crm-presence-change={(e) => e.left.length}></crm-presence>
<crm-presence on:crm-presence-change={onChange} on:transitionend={(e) => e.propertyName}></crm-presence>
<!-- error -->
<crm-connection-status on:crm-connection-status-change={onChange}></crm-connection-status>
<!-- error -->
<crm-presence on:crm-presence-change={(e) => e.state}></crm-presence>
`;

const TSCONFIG = {
  compilerOptions: {
    strict: true,
    target: 'ES2022',
    module: 'ESNext',
    moduleResolution: 'bundler',
    lib: ['ES2023', 'DOM', 'DOM.Iterable'],
    types: ['crm-realtime/svelte'],
    verbatimModuleSyntax: true,
    isolatedModules: true,
    noEmit: true,
    // The package is a link in the probe's node_modules, as in typecheckProbe.
    preserveSymlinks: true,
    skipLibCheck: true,
  },
  include: ['*.ts', '*.svelte'],
};

interface Diagnostic {
  kind: string;
  at: string;
  message: string;
}

/** Runs svelte-check over the probe files; returns its errors and warnings. */
async function svelteCheck(files: Record<string, string>): Promise<Diagnostic[]> {
  const { dir } = await pack();
  // In the repository, so the package's own imports (lit) and svelte resolve from its
  // node_modules; not under node_modules, whose files svelte-check does not report on.
  const base = join(ROOT, 'test-artifacts');
  mkdirSync(base, { recursive: true });
  const probe = mkdtempSync(join(base, 'crm-svelte-probe-'));
  mkdirSync(join(probe, 'node_modules'));
  symlinkSync(dir, join(probe, 'node_modules', 'crm-realtime'), 'dir');
  writeFileSync(join(probe, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));
  // Its own config, or svelte-check takes the repository's vite.config.ts, which has no Svelte.
  writeFileSync(join(probe, 'svelte.config.js'), 'export default {};\n');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(probe, name), text);
  const args = [
    '--workspace',
    probe,
    '--tsconfig',
    './tsconfig.json',
    '--config',
    './svelte.config.js',
  ];
  args.push('--output', 'machine');
  const { stdout } = await run(bin('svelte-check'), args, {
    cwd: probe,
    maxBuffer: 16 * 1024 * 1024,
  })
    .catch((error: { stdout?: string; stderr?: string }) => {
      // It exits with 1 when it found errors, which the probe has.
      if (error.stdout?.includes(' COMPLETED ')) return { stdout: error.stdout };
      throw new Error(`svelte-check did not run:\n${error.stdout}${error.stderr}`);
    })
    .finally(() => rmSync(probe, { recursive: true, force: true }));
  // `1700000000000 ERROR "Probe.svelte" 12:5 "message"`
  return [...stdout.matchAll(/^\d+ (ERROR|WARNING) "([^"]+)" (\d+):\d+ (".*")$/gm)].map(
    ([, kind, file, line, message]) => ({
      kind: kind!,
      at: `${file}:${line}`,
      message: JSON.parse(message!) as string,
    }),
  );
}

/** `file:line` of each line after a `<!-- error -->` comment. */
function expectedErrors(files: Record<string, string>): string[] {
  return Object.entries(files).flatMap(([name, text]) =>
    text
      .split('\n')
      .flatMap((line, i) => (line.trim() === '<!-- error -->' ? [`${name}:${i + 2}`] : [])),
  );
}

describe('Svelte typings under svelte-check', () => {
  it('type attributes, properties, handlers and bind:this of every kind of use, and refuse the wrong ones', async () => {
    const files = {
      'main.ts': "import 'crm-realtime/define';\n",
      'Probe.svelte': RUNES,
      'Legacy.svelte': LEGACY,
    };
    const found = await svelteCheck(files);
    const errorLines = [...new Set(found.filter((d) => d.kind === 'ERROR').map((d) => d.at))];
    assert.deepEqual(
      errorLines.sort(),
      expectedErrors(files).sort(),
      found.map((d) => `${d.kind} ${d.at} ${d.message}`).join('\n'),
    );
    assert.deepEqual(
      found.filter((d) => d.kind === 'WARNING'),
      [],
    );
  });
});
