/**
 * The example CRM backend (examples/crm-backend/server.mjs), started as its README says: its own
 * process on loopback, with the secret and keys the reference server is given too. Tests that
 * follow the example's README (write-through, the authorization callback, webhooks) run it.
 *
 *   const example = await startExample();
 *   // CRM_ENTITY_BACKEND_URL=example.url, CRM_AUTHORIZE_URL=`${example.url}/authorize`, …
 *   example.child.kill();
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const EXAMPLE_PROGRAM = fileURLToPath(
  new URL('../../examples/crm-backend/server.mjs', import.meta.url),
);
export const EXAMPLE_WEBHOOK_SECRET = 'example-webhook-secret-0123456789';
export const EXAMPLE_ENTITY_KEY = 'example-entity-key-0123456789';
export const EXAMPLE_AUTHORIZE_KEY = 'example-authorize-key-0123456789';

/** What the reference server needs to sit in front of the example (its environment). */
export function exampleServerEnv(url: string): Record<string, string> {
  return {
    CRM_ENTITY_BACKEND_URL: url,
    CRM_ENTITY_BACKEND_KEY: EXAMPLE_ENTITY_KEY,
    CRM_AUTHORIZE_URL: `${url}/authorize`,
    CRM_AUTHORIZE_KEY: EXAMPLE_AUTHORIZE_KEY,
    CRM_WEBHOOK_URL: `${url}/webhooks`,
    CRM_WEBHOOK_SECRET: EXAMPLE_WEBHOOK_SECRET,
  };
}

/** Starts the example on `port` (0: a free one); resolves with its URL once it listens. */
export async function startExample(port = 0): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [EXAMPLE_PROGRAM], {
    env: {
      ...process.env,
      PORT: String(port),
      QUIET: '1',
      CRM_WEBHOOK_SECRET: EXAMPLE_WEBHOOK_SECRET,
      CRM_ENTITY_BACKEND_KEY: EXAMPLE_ENTITY_KEY,
      CRM_AUTHORIZE_KEY: EXAMPLE_AUTHORIZE_KEY,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`the example exited (${String(code)}) before listening`);
  });
  const listening = (async () => {
    for await (const line of lines) {
      const match = /^crm-backend listening on (http:\/\/\S+)$/.exec(line);
      if (match) return match[1]!;
    }
    throw new Error('the example closed stdout before listening');
  })();
  const url = await Promise.race([listening, exited]);
  return { child, url };
}

/** Stops the example (when it still runs) and waits for its exit. */
export async function stopExample(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = once(child, 'exit');
  child.kill();
  await exited;
}
