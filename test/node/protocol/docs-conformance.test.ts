/**
 * docs/protocol.md read as a backend team that implements the protocol from it alone would read
 * it: every check of `crm-realtime-conformance` (src/conformance/checks.ts, the same list the
 * command runs against a server at a URL) run against the reference server in-process, each on
 * a server configured as the check asks, with the manual clock, tokens signed here, and the
 * control of the server (shutdown, stored entities, a held join) that a server at a URL does not
 * give. Here no check is skipped, and the document's strings and defaults are compared too.
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { SignJWT } from 'jose';
import { WebSocket } from 'ws';
import type { UserProfile } from '../../../src/protocol/index.js';
import { CHECKS, runCheck, type Check } from '../../../src/conformance/checks.js';
import type { ConformanceSocket } from '../../../src/conformance/peer.js';
import type { Target } from '../../../src/conformance/target.js';
import { WAIT_MS } from '../helpers/server-client.js';
import { startHarness, type Harness } from '../helpers/server-harness.js';

const doc = readFileSync(join(import.meta.dirname, '../../../docs/protocol.md'), 'utf8');

const SECRET = 'docs-conformance-secret-of-32-bytes!';

/** The document's people: Ada and Bob of the worked example, and a third. */
const USERS: UserProfile[] = [
  { id: 'ada', name: 'Ada Lovelace' },
  { id: 'bob', name: 'Bob' },
  { id: 'carol', name: 'Carol Diaz' },
];

function token(h: Harness, user: UserProfile, iat = Math.floor(h.clock.now() / 1000)) {
  return new SignJWT({ sub: user.id, name: user.name })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt(iat)
    .setExpirationTime(iat + 3600)
    .sign(new TextEncoder().encode(SECRET));
}

/** The reference server as `check` asks for it, and the check's view of it. */
async function referenceTarget(check: Check): Promise<{ h: Harness; target: Target }> {
  const setup = typeof check.server === 'function' ? check.server(doc) : (check.server ?? {});
  const slowRoom = 'slow:1';
  let release: (allowed: boolean) => void = () => {};
  const h = await startHarness({
    auth: { jwtSecret: SECRET, ...(setup.devIdentities ? { devIdentities: true } : {}) },
    ...(setup.heartbeatMs !== undefined ? { heartbeatMs: setup.heartbeatMs } : {}),
    ...(setup.maxPresenceBytes !== undefined
      ? { limits: { maxPresenceBytes: setup.maxPresenceBytes } }
      : {}),
    ...(setup.iceServers ? { iceServers: setup.iceServers } : {}),
    // The default hook (everyone everywhere, `user:<id>` rooms their user only) stays for the
    // other checks.
    ...(check.needs?.includes('slow-join')
      ? {
          authorize: ({ room }: { room: string }) =>
            room === slowRoom ? new Promise<boolean>((resolve) => (release = resolve)) : true,
        }
      : {}),
  });
  const target: Target = {
    doc,
    url: h.url,
    waitMs: WAIT_MS,
    strict: true,
    openSocket: (url) => new WebSocket(url) as unknown as ConformanceSocket,
    credentials: async (user) => ({ token: await token(h, USERS[user]!) }),
    room: (name) => name,
    elapse: async (ms) => h.clock.advanceSync(ms),
    settle: async (peer) => {
      const socket = peer.socket as unknown as WebSocket;
      const pong = once(socket, 'pong');
      socket.ping();
      await pong;
    },
    has: () => true,
    expiredToken: (user) => token(h, USERS[user]!, Math.floor(h.clock.now() / 1000) - 7200),
    shutdown: () => h.server.close(),
    seed: async (type, id, fields) => {
      await h.server.entities.update({ type, id, fields, source: 'backend', create: true });
    },
    slowJoin: { room: slowRoom, release: () => release(true) },
  };
  return { h, target };
}

describe('docs/protocol.md: the conformance checks, on the reference server', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  for (const check of CHECKS) {
    test(check.name, async () => {
      const started = await referenceTarget(check);
      h = started.h;
      const result = await runCheck(check, started.target);
      if (result.status !== 'pass') throw new Error(`${result.status}: ${result.reason}`);
    });
  }
});

/**
 * The reference server seen through a socket that drops `field` wherever a frame carries it (the
 * frame, an event's payload, a page's items): a server that sends one of the optional fields and
 * not another, which the protocol allows.
 */
function withoutField(field: string) {
  const strip = (value: unknown): void => {
    if (typeof value !== 'object' || value === null) return;
    const frame = value as Record<string, unknown>;
    delete frame[field];
    strip(frame.payload);
    if (Array.isArray(frame.items)) frame.items.forEach(strip);
  };
  return (url: string): ConformanceSocket => {
    const ws = new WebSocket(url);
    return {
      send: (data) => ws.send(data),
      close: (code, reason) => ws.close(code, reason),
      addEventListener: (type: string, listener: (event: never) => void) => {
        if (type !== 'message') return ws.addEventListener(type as 'open', listener as () => void);
        ws.addEventListener('message', ({ data }) => {
          const frame = JSON.parse(String(data)) as unknown;
          strip(frame);
          (listener as (event: { data: unknown }) => void)({ data: JSON.stringify(frame) });
        });
      },
    } as ConformanceSocket;
  };
}

describe('conformance: the optional fields of unread counts, each without the other', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });
  const check = CHECKS.find((c) => c.name.startsWith('notifications: a read is told'))!;

  for (const field of ['unreadUpTo', 'order']) {
    test(`a server that does not send ${field} passes`, async () => {
      const started = await referenceTarget(check);
      h = started.h;
      const target = { ...started.target, openSocket: withoutField(field) };
      const result = await runCheck(check, target);
      if (result.status !== 'pass') throw new Error(`${result.status}: ${result.reason}`);
    });
  }
});
