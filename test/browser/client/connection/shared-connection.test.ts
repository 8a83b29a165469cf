/**
 * The shared connection's `SharedWorker` in Chromium: a tab attached to it hears the worker's
 * socket (its status), and when the worker's own script is served with a Content-Security-Policy
 * that refuses the socket (a worker runs under its script's policy, not the page's), the worker
 * says so and the tabs elect a leader tab to hold the socket instead of waiting forever.
 * `?csp=no-connect` makes the test server send such a policy (web-test-runner.config.mjs).
 *
 * And a leader tab that stops running script while it lives on (frozen, or kept in the
 * back/forward cache) lets go of the leadership first, and queues for it again when it runs
 * again (the events are dispatched here; test/e2e/frozen-tab.test.ts freezes real tabs).
 */
import { expect } from '@open-wc/testing';
import { RealtimeClient, type ConnectionStatus } from '../../../../src/client/index.js';
import { sharedConnection } from '../../../../src/client/connection/shared-connection.js';
import { HUB_PROTOCOL } from '../../../../src/client/connection/transport.js';

/** Nobody listens there: the socket fails and retries, which is all these tests need. */
const URL_NOBODY = 'ws://127.0.0.1:9/realtime';
const clients: RealtimeClient[] = [];

function workerUrl(query = ''): URL {
  return new URL(`/src/client/connection/shared-worker.ts${query}`, location.origin);
}

function open(user: string, url: URL, warnings: string[] = [], mode?: 'leader'): RealtimeClient {
  const client = new RealtimeClient({
    url: URL_NOBODY,
    devUser: { id: user, name: user },
    reconnectInterval: 50,
    logger: { warn: (...args: unknown[]) => warnings.push(args.join(' ')) },
    transport: sharedConnection({ workerUrl: url, ...(mode ? { mode } : {}) }),
  });
  clients.push(client);
  return client;
}

/** Waits for a state, checking on every frame (the test's timeout bounds it). */
async function until(ok: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await ok())) await new Promise((resolve) => requestAnimationFrame(resolve));
}

async function heldLocks(): Promise<string[]> {
  const { held = [] } = await navigator.locks.query();
  return held.map((lock) => lock.name ?? '');
}

/** Named with the version of the tabs' messages: tabs of another kit build elect their own. */
const leaderLock = (user: string) => `crm-realtime:leader:v${HUB_PROTOCOL} ${URL_NOBODY} ${user}`;

afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

describe('shared connection: the SharedWorker', () => {
  it("holds the socket and the tab hears it: the socket's failed attempts reach the tab", async () => {
    const client = open('worker-ok', workerUrl());
    const seen: ConnectionStatus[] = [];
    client.onStatus((status) => seen.push(status));
    await until(() => seen.some((s) => s.state === 'reconnecting' && s.lastError !== undefined));
    expect(await heldLocks()).not.to.include(leaderLock('worker-ok'), 'no leader tab');
  });

  it("refused the socket by its script's Content-Security-Policy: the tabs elect a leader", async () => {
    const warned: string[] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => warned.push(args.join(' '));
    try {
      const first = open('worker-csp', workerUrl('?csp=no-connect'));
      await until(async () => (await heldLocks()).includes(leaderLock('worker-csp')));
      // A tab that comes later is told at once, and follows the leader.
      const second = open('worker-csp', workerUrl('?csp=no-connect'));
      await until(() => warned.length >= 2);
      expect(warned[0]).to.contain('Content-Security-Policy');
      // The leader tab's own socket (under the page's policy) tries and fails, as it reports.
      for (const client of [first, second]) {
        await until(() => client.status.state === 'reconnecting');
      }
    } finally {
      console.warn = warn;
    }
  });
});

describe('shared connection: a leader tab that stops running script', () => {
  const ways = [
    {
      name: 'frozen',
      stop: () => document.dispatchEvent(new Event('freeze')),
      start: () => document.dispatchEvent(new Event('resume')),
    },
    {
      name: 'kept in the back/forward cache',
      stop: () => window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: true })),
      start: () => window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true })),
    },
  ];
  for (const { name, stop, start } of ways) {
    it(`${name}: lets go of the leadership, and takes it again when it runs again`, async () => {
      const user = `paused-${name.length}`;
      const client = open(user, workerUrl(), [], 'leader');
      await until(async () => (await heldLocks()).includes(leaderLock(user)));
      await until(() => client.status.state === 'reconnecting'); // the leader's socket tries

      stop();
      expect(client.status.state).to.equal('connecting');
      await until(async () => !(await heldLocks()).includes(leaderLock(user)));

      start();
      await until(async () => (await heldLocks()).includes(leaderLock(user)));
      await until(() => client.status.state === 'reconnecting');
    });
  }
});
