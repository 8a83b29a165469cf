/**
 * A team translating the widgets works from the docs: each element's page lists every message of
 * its catalogue (under "Keys:"), with the arguments it receives, and the catalogues shown in
 * docs/localizing.md and the element pages type-check against the public API. A message added to
 * a catalogue and not to its page, or an example whose arguments drifted, fails here.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { defaultActivityFeedMessages } from '../../src/elements/activity-feed/activity-messages.js';
import { defaultCollaborativeFormMessages } from '../../src/elements/collaborative-form/form-messages.js';
import { defaultConflictMessages } from '../../src/elements/conflict-dialog/conflict-messages.js';
import { defaultConnectionStatusMessages } from '../../src/elements/connection-status/connection-status-messages.js';
import { defaultHuddleMessages } from '../../src/elements/huddle/huddle-messages.js';
import { defaultNotificationCenterMessages } from '../../src/elements/notification-center/notification-center-messages.js';
import { defaultPresenceMessages } from '../../src/elements/presence/presence-messages.js';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

const PAGES: Record<string, object> = {
  'docs/elements/activity-feed.md': defaultActivityFeedMessages,
  'docs/elements/collaborative-form.md': defaultCollaborativeFormMessages,
  'docs/elements/conflict-dialog.md': defaultConflictMessages,
  'docs/elements/connection-status.md': defaultConnectionStatusMessages,
  'docs/elements/crm-huddle.md': defaultHuddleMessages,
  'docs/elements/notification-center.md': defaultNotificationCenterMessages,
  'docs/elements/presence.md': defaultPresenceMessages,
};

/** The message names of the "Keys:" paragraph of a page: `title(count)` → `title`. */
function listedKeys(page: string): string[] | undefined {
  const paragraph = /^Keys: ([\s\S]*?)(?:\n\n|(?![\s\S]))/m.exec(page)?.[1];
  if (!paragraph) return undefined;
  return [...paragraph.matchAll(/`(\w+)(?:\([^`]*\))?`/g)].map(([, key]) => key!);
}

for (const [path, defaults] of Object.entries(PAGES)) {
  test(`${path} lists every message of the element's catalogue, and no other`, () => {
    const listed = listedKeys(read(path));
    assert.ok(listed, `${path} has no "Keys:" paragraph`);
    assert.deepEqual([...listed].sort(), Object.keys(defaults).sort());
  });
}

test('the catalogues in the docs type-check against the public API', () => {
  const pages = ['docs/localizing.md', ...Object.keys(PAGES)];
  const blocks: string[] = [];
  const imports = new Set<string>();
  for (const path of pages) {
    for (const [, code] of read(path).matchAll(/```(?:ts|js)\n([\s\S]*?)```/g)) {
      if (!/messages\s*=|Messages\b/.test(code!)) continue;
      const body = code!.replace(/^import .*$/gm, (line) => {
        imports.add(line.replace("'crm-realtime'", "'../src/index.js'"));
        return '';
      });
      // A page script looks up its own element, which it knows is there; compiled here as strict
      // TypeScript, the lookup says so.
      const found = body.replace(/(document\.querySelector\([^)]*\))/g, '$1!');
      blocks.push(`// ${path}\n{\n${found.replace(/^export /gm, '')}\n}`);
    }
  }
  assert.ok(blocks.length >= 8, `only ${blocks.length} examples found`);
  const source = [
    "import type * as K from '../src/index.js';",
    // A page registers the elements (crm-realtime/define), which types querySelector's tags.
    "import '../src/define.js';",
    "import { defaultActivityFeedMessages } from '../src/index.js';",
    ...imports,
    'declare const feed: K.CrmActivityFeed, center: K.CrmNotificationCenter;',
    'declare const presence: K.CrmPresence, status: K.CrmConnectionStatus;',
    'declare const dialog: K.CrmConflictDialog, form: K.CrmCollaborativeForm;',
    'declare const huddle: K.CrmHuddle;',
    // The second block of docs/localizing.md uses the catalogue of the first.
    'declare const connectionStatusDe: K.ConnectionStatusMessages;',
    'void defaultActivityFeedMessages;',
    ...blocks,
  ].join('\n');
  const dir = mkdtempSync(join(root, '.docs-check-'));
  try {
    writeFileSync(join(dir, 'examples.ts'), source);
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        extends: '../tsconfig.json',
        compilerOptions: { noUnusedLocals: false, allowUnusedLabels: true },
        include: ['examples.ts'],
      }),
    );
    const tsc = spawnSync(
      process.execPath,
      [join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', dir],
      { cwd: root, encoding: 'utf8' },
    );
    assert.equal(tsc.status, 0, `${tsc.stdout}${tsc.stderr}\n${source}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
