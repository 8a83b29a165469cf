/**
 * The Python verification snippet of docs/webhooks.md, run as written there with the machine's
 * python3 on a delivery of a real server: it accepts the genuine delivery (also while the
 * receiver holds two secrets, during a rotation) and refuses another secret, a changed body, an
 * old timestamp and a missing or malformed header. Skipped where python3 is not installed.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { until } from '../../helpers/server-client.js';
import { startHarness, type Harness } from '../../helpers/server-harness.js';
import { loadDocSnippet, Receiver } from './receiver.js';

const SECRET = 'whsec-test-0123456789abcdef';
const OTHER = 'whsec-other-0123456789abcdef';
const python = spawnSync('python3', ['--version']).status === 0;

/** Reads `[{ body, header, secrets, now }]` (body in base64) on stdin, prints the verdicts. */
const DRIVER = `
import base64, json, sys
cases = json.load(sys.stdin)
print(json.dumps([
    verify_crm_signature(base64.b64decode(c["body"]), c["header"], c["secrets"], 300, c["now"])
    for c in cases
]))
`;

async function pythonSnippet(): Promise<string> {
  const doc = await readFile(new URL('../../../../docs/webhooks.md', import.meta.url), 'utf8');
  const block =
    /<!-- verify-snippet-python:start -->\s*```python\n([\s\S]*?)```\s*<!-- verify-snippet-python:end -->/.exec(
      doc,
    );
  assert.ok(block, 'docs/webhooks.md holds the Python snippet between its markers');
  return block[1]!;
}

let h: Harness;
let receiver: Receiver;
let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crm-webhook-python-'));
  receiver = new Receiver(SECRET, await loadDocSnippet(), () => h.clock.now());
  await receiver.start();
  h = await startHarness({
    webhooks: { url: receiver.url, secret: SECRET, timeoutMs: 86_400_000 },
  });
});

after(async () => {
  await h.close();
  await receiver.close();
  await rm(dir, { recursive: true, force: true });
});

test('the documented Python snippet verifies real deliveries', { skip: !python }, async () => {
  await h.server.entities.update({
    type: 'customer',
    id: 'py-1',
    // Non-ASCII text: the HMAC is over the UTF-8 bytes as sent.
    fields: { name: 'Müller & Söhne — 東京', note: '"quoted" \\ back\u2028slash' },
    source: 'backend',
    create: true,
  });
  await until(() => receiver.accepted.length > 0, 30_000, 'a delivery');
  const { raw, signature } = receiver.accepted[0]!;
  const now = h.clock.now() / 1000;
  const [t, v1] = signature.split(',');
  const body = raw.toString('base64');
  const changed = Buffer.concat([raw, Buffer.from(' ')]).toString('base64');
  const cases = [
    { body, header: signature, secrets: SECRET, now },
    { body, header: `${v1},${t}`, secrets: SECRET, now },
    { body, header: signature, secrets: [OTHER, SECRET], now },
    { body, header: signature, secrets: OTHER, now },
    { body: changed, header: signature, secrets: SECRET, now },
    { body, header: signature, secrets: SECRET, now: now + 301 },
    { body, header: signature, secrets: SECRET, now: now - 301 },
    { body, header: null, secrets: SECRET, now },
    { body, header: `t=${t!.slice(2)}`, secrets: SECRET, now },
    { body, header: `t=١٢,${v1}`, secrets: SECRET, now },
  ];
  const script = join(dir, 'verify.py');
  await writeFile(script, `${await pythonSnippet()}\n${DRIVER}`);
  const run = spawnSync('python3', [script], { input: JSON.stringify(cases), encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout), [
    true,
    true,
    true,
    false,
    false,
    false,
    false,
    false,
    false,
    false,
  ]);
});
