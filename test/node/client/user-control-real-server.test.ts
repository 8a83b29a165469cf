/**
 * What a page does when a backend cuts its user off or takes a room away, with the real client
 * against the reference server: a revoked user ends signed out ("sign-in refused") after a
 * bounded number of attempts, never a hot reconnect loop; a room taken away reads as refused, as
 * a refused join does, so its widgets say "not allowed".
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { WebSocket } from 'ws';
import {
  RealtimeClient,
  RealtimeError,
  type RealtimeClientOptions,
} from '../../../src/client/index.js';
import { ManualClock } from '../../../src/testing/index.js';
import { realClientOptions, RealServerSuite, waitFor } from '../helpers/real-client.js';

const SECRET = 'user-control-client-secret-of-32-bytes-or-more';
const KEY = 'user-control-client-key';
const TEN_MINUTES = 10 * 60_000;

const refusedRooms = new Set<string>();
const suite = new RealServerSuite({
  auth: { jwtSecret: SECRET, devIdentities: true },
  apiKeys: [KEY],
  quiet: true,
  authorize: ({ user, room }) => !(user.id === 'ivy' && refusedRooms.has(room)),
});
before(() => suite.start());
after(() => suite.stop());

function token(sub: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ name: sub })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(new TextEncoder().encode(SECRET));
}

async function post(path: string): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${suite.server.port}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}` },
  });
  assert.equal(res.status, 200, await res.text());
}

/** A client whose timers run on a manual clock and which counts the sockets it opens. */
function countedClient(options: Partial<RealtimeClientOptions>) {
  const clock = new ManualClock();
  const opened = { sockets: 0 };
  const client = new RealtimeClient(
    realClientOptions(suite.url, {
      clock,
      socketFactory: (u) => {
        opened.sockets += 1;
        return new WebSocket(u);
      },
      ...options,
    }),
  );
  return { client, clock, opened };
}

describe('a user the backend disconnected', () => {
  it('holding an old token: refused twice, then signed out, with no loop', async () => {
    const held = await token('frank'); // the page's token, issued before the disconnect
    const { client, clock, opened } = countedClient({ getToken: () => held });
    try {
      client.connect();
      await waitFor(() => client.status.state === 'open', 'open');
      await post('/api/users/frank/disconnect');
      await waitFor(() => client.status.state === 'reconnecting', 'the close');
      // The retries run on the client's clock: two attempts, both refused, then it stops.
      for (let i = 0; i < 10 && client.status.state !== 'closed'; i++) {
        const sockets = opened.sockets;
        await clock.advance(5000);
        await waitFor(
          () => client.status.state !== 'connecting' && opened.sockets > sockets,
          'an attempt',
        );
      }
      const status = client.status;
      assert.equal(status.state, 'closed');
      assert.equal(status.state === 'closed' && status.refusal?.code, 'invalid_token');
      assert.match((status.state === 'closed' && status.refusal?.message) || '', /revoked/);
      assert.equal(opened.sockets, 3);
      await clock.advance(TEN_MINUTES);
      assert.equal(opened.sockets, 3, 'nothing tried after the refusal');
    } finally {
      client.close();
    }
  });

  it('whose token source refuses: signed out at the first attempt', async () => {
    let signedOut = false;
    const { client, clock, opened } = countedClient({
      getToken: async () => {
        if (signedOut) throw new RealtimeError('invalid_token', 'no session');
        return token('gail');
      },
    });
    try {
      client.connect();
      await waitFor(() => client.status.state === 'open', 'open');
      signedOut = true; // the CRM ended the session, then told the realtime server
      await post('/api/users/gail/disconnect');
      await waitFor(() => client.status.state === 'reconnecting', 'the close');
      await clock.advance(5000);
      await waitFor(() => client.status.state === 'closed', 'signed out');
      const status = client.status;
      assert.equal(status.state === 'closed' && status.refusal?.code, 'invalid_token');
      assert.equal(opened.sockets, 1);
    } finally {
      client.close();
    }
  });
});

describe('a room the user may no longer join', () => {
  it('reads as refused for good, as a refused join, and the user leaves its presence', async () => {
    await suite.server.entities.update({
      type: 'customer',
      id: '42',
      fields: { name: 'Acme' },
      source: 'backend',
      create: true,
    });
    const ivy = suite.client('ivy');
    const jo = suite.client('jo');
    const refusals: (string | undefined)[] = [];
    ivy.joinRoom('customer:42', (refusal) => refusals.push(refusal?.code));
    const record = ivy.liveData({ entityType: 'customer', entityId: '42' });
    await waitFor(() => record.status === 'ready', 'the record shown');
    ivy.joinRoom('customer:7');
    const seen = jo.presence('customer:42');
    await waitFor(() => seen.snapshot().people.length === 2, 'both present');

    refusedRooms.add('customer:42');
    await post('/api/users/ivy/permissions-changed');
    await waitFor(() => refusals.includes('forbidden'), 'the room refused');
    await waitFor(() => seen.snapshot().people.length === 1, 'ivy gone from the room');
    assert.equal(ivy.presence('customer:42').snapshot().refused?.code, 'forbidden');
    // The record's form says "not allowed", as for a record refused at the start.
    assert.deepEqual([record.status, record.error?.code], ['error', 'forbidden']);
    assert.equal(ivy.status.state, 'open'); // the connection and its other rooms stay
  });
});
