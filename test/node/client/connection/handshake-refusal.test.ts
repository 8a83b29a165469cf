/**
 * A handshake the server refuses: a bad identity is final and explained (status `closed` with the
 * refusal), a refused token is retried once with a fresh one, a token that expires on an open
 * connection still reconnects, and `retryNow` tries again after the page fixed the cause.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  RealtimeError,
  type ConnectionStatus,
  type RealtimeClient,
} from '../../../../src/client/index.js';
import { createRig, fakeToken } from '../../../../src/testing/index.js';

// A function, not a property read: TypeScript would narrow `client.status` after the first assert.
const statusOf = (client: RealtimeClient): ConnectionStatus => client.status;

const ada = { id: 'ada', name: 'Ada Lovelace' };
const TEN_MINUTES = 10 * 60_000;

describe('a refused handshake', () => {
  it('an invalid development identity is final: closed, with the reason, and no retry', async () => {
    const rig = createRig();
    const statuses: ConnectionStatus[] = [];
    const client = rig.client({ devUser: { ...ada, avatarUrl: 'javascript:alert(1)' } });
    client.onStatus((s) => statuses.push(s));
    await rig.clock.flush();
    assert.deepEqual(statusOf(client), {
      state: 'closed',
      reason: 'sign-in refused (bad_frame: invalid avatar URL)',
      refusal: { code: 'bad_frame', message: 'invalid avatar URL' },
    });
    await rig.clock.advance(TEN_MINUTES);
    rig.env.setOnline(false);
    rig.env.setOnline(true); // the network coming back does not revive a refused sign-in
    await rig.clock.advance(TEN_MINUTES);
    assert.equal(rig.server.violations.length, 1, 'one hello, refused as invalid');
    assert.deepEqual(
      statuses.map((s) => s.state),
      ['closed'],
    );
    rig.close();
  });

  it('a token source that knows there is no session ends the retries with its refusal', async () => {
    const rig = createRig();
    let calls = 0;
    const client = rig.client({
      devUser: undefined,
      getToken: () => {
        calls += 1;
        throw new RealtimeError('invalid_token', 'no session: sign in again');
      },
    });
    await rig.clock.flush();
    assert.deepEqual(statusOf(client), {
      state: 'closed',
      reason: 'sign-in refused (invalid_token: no session: sign in again)',
      refusal: { code: 'invalid_token', message: 'no session: sign in again' },
    });
    await rig.clock.advance(TEN_MINUTES);
    assert.equal(calls, 1, 'no retry loop');
    assert.equal(rig.server.received('hello').length, 0);
    rig.close();
  });

  it('any other token failure is one failed attempt, retried, with the reason', async () => {
    const rig = createRig();
    let calls = 0;
    const client = rig.client({
      devUser: undefined,
      getToken: () => {
        calls += 1;
        if (calls === 1) throw new TypeError('Failed to fetch');
        return fakeToken('ada');
      },
    });
    await rig.clock.flush();
    const status = statusOf(client);
    assert.equal(status.state, 'reconnecting');
    assert.equal(
      status.state === 'reconnecting' && status.lastError,
      'getToken failed: Failed to fetch',
    );
    rig.close();
  });

  it('a refused token is retried once with a fresh one; refused again, it is final', async () => {
    const rig = createRig({ server: { verifyToken: () => undefined } });
    let issued = 0;
    const client = rig.client({ devUser: undefined, getToken: () => `token-${++issued}` });
    await rig.clock.flush();
    assert.equal(statusOf(client).state, 'reconnecting');
    await rig.clock.advance(TEN_MINUTES);
    assert.deepEqual(statusOf(client), {
      state: 'closed',
      reason: 'sign-in refused (invalid_token: token refused)',
      refusal: { code: 'invalid_token', message: 'token refused' },
    });
    assert.equal(issued, 2);
    assert.deepEqual(
      rig.server.received('hello').map((h) => h.token),
      ['token-1', 'token-2'],
    );
    rig.close();
  });

  it('retryNow tries again after a refusal, with a fresh token', async () => {
    let valid = 'none';
    const rig = createRig({ server: { verifyToken: (t) => (t === valid ? ada : undefined) } });
    let issued = 0;
    const client = rig.client({ devUser: undefined, getToken: () => `token-${++issued}` });
    await rig.clock.advance(TEN_MINUTES);
    assert.equal(statusOf(client).state, 'closed');
    valid = 'token-3'; // the user signed in again
    client.retryNow();
    await rig.clock.flush();
    assert.equal(statusOf(client).state, 'open');
    assert.equal(client.user?.id, 'ada');
    rig.close();
  });

  it('a token expiring on an open connection still reconnects with a fresh one', async () => {
    const tokens = [fakeToken('ada'), 'refused', fakeToken('ada')];
    const rig = createRig({ server: { users: [ada] } });
    const client = rig.client({ devUser: undefined, getToken: () => tokens.shift() });
    await rig.clock.flush();
    assert.equal(statusOf(client).state, 'open');
    // What the reference server does when a token expires: invalid_token, then close 1008.
    rig.server.sendRaw(
      JSON.stringify({
        type: 'error',
        code: 'invalid_token',
        message: 'token expired: reconnect with a fresh token',
      }),
    );
    rig.server.dropConnections(1008, 'token expired');
    await rig.clock.flush();
    assert.equal(statusOf(client).state, 'reconnecting');
    // The next token is refused: the first refusal since the welcome, so one more try.
    await rig.clock.advance(TEN_MINUTES);
    assert.equal(statusOf(client).state, 'open');
    assert.equal(rig.server.received('hello').length, 3);
    rig.close();
  });
});
