import assert from 'node:assert/strict';
import { createServer as createHttpServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, test } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { PROTOCOL_VERSION } from '../../../src/protocol/index.js';
import { DEFAULT_JWT_CLOCK_TOLERANCE_S } from '../../../src/server/config.js';
import { TestClient } from '../helpers/server-client.js';
import { alice, startHarness, type Harness } from '../helpers/server-harness.js';

const SECRET = 'test-secret-of-sufficient-length-for-hs256';

function sign(
  claims: Record<string, unknown>,
  options: {
    secret?: string;
    expiresIn?: number | null;
    now: number;
    issuer?: string;
    /** Sets `nbf` to `iat`, as token services that stamp "valid from now" do. */
    notBefore?: boolean;
  },
): Promise<string> {
  const iat = Math.floor(options.now / 1000);
  let jwt = new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt(iat);
  if (options.notBefore) jwt = jwt.setNotBefore(iat);
  // `null`: no `exp` at all.
  if (options.expiresIn !== null) jwt = jwt.setExpirationTime(iat + (options.expiresIn ?? 600));
  if (options.issuer) jwt = jwt.setIssuer(options.issuer);
  return jwt.sign(new TextEncoder().encode(options.secret ?? SECRET));
}

/** A token for `rs-user` signed with `privateKey` (key id `k1`), valid a minute on `h`'s clock. */
async function rsToken(h: Harness, privateKey: CryptoKey): Promise<string> {
  const iat = Math.floor(h.clock.now() / 1000);
  return new SignJWT({ sub: 'rs-user' })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuedAt(iat)
    .setExpirationTime(iat + 60)
    .sign(privateKey);
}

async function refused(h: Harness, hello: Record<string, unknown>) {
  const client = await h.open();
  client.send({ type: 'hello', id: 'h1', v: PROTOCOL_VERSION, clientId: 'c1', ...hello });
  const error = await client.next((f) => f.type === 'error');
  const closed = await client.waitClosed();
  return { error, closed, client };
}

describe('server authentication', () => {
  let h: Harness;
  afterEach(() => h.close());

  test('a valid token yields the user of its claims', async () => {
    h = await startHarness({ auth: { jwtSecret: SECRET, issuer: 'crm' } });
    const token = await sign(
      { sub: 'u-17', name: 'Dana Lee', picture: 'https://img.example/dana.png' },
      { now: h.clock.now(), issuer: 'crm' },
    );
    const client = await TestClient.connect(h.url, { token });
    h.clients.push(client);
    const welcome = client.ofType('welcome')[0]!;
    assert.deepEqual(welcome.user, {
      id: 'u-17',
      name: 'Dana Lee',
      avatarUrl: 'https://img.example/dana.png',
    });
    assert.equal(welcome.v, PROTOCOL_VERSION);
    await client.join('customer:1');
  });

  test('a dangerous avatar URL in the claims is dropped', async () => {
    h = await startHarness({ auth: { jwtSecret: SECRET } });
    const token = await sign({ sub: 'u', picture: 'javascript:alert(1)' }, { now: h.clock.now() });
    const client = await TestClient.connect(h.url, { token });
    h.clients.push(client);
    assert.deepEqual(client.ofType('welcome')[0]!.user, { id: 'u', name: 'u' });
  });

  for (const [name, makeToken] of [
    ['malformed', async () => 'not.a.jwt'],
    ['expired', (now: number) => sign({ sub: 'u' }, { now: now - 3_600_000, expiresIn: 60 })],
    [
      'wrongly signed',
      (now: number) => sign({ sub: 'u' }, { now, secret: 'another-secret-entirely-0123456789' }),
    ],
    ['from another issuer', (now: number) => sign({ sub: 'u' }, { now, issuer: 'evil' })],
    ['without a subject', (now: number) => sign({ name: 'x' }, { now })],
    ['never expiring', (now: number) => sign({ sub: 'u' }, { now, expiresIn: null })],
  ] as const) {
    test(`a ${name} token is refused: invalid_token, then close 1008`, async () => {
      h = await startHarness({ auth: { jwtSecret: SECRET, issuer: 'crm' } });
      const token = await makeToken(h.clock.now());
      const { error, closed } = await refused(h, { token });
      assert.equal(error.type === 'error' && error.code, 'invalid_token');
      assert.equal(error.type === 'error' && error.replyTo, 'h1');
      assert.equal(closed.code, 1008);
      assert.equal(h.server.metrics.authFailures, 1);
    });
  }

  test('a token that was valid is refused once expired (checked on every connect)', async () => {
    h = await startHarness({ auth: { jwtSecret: SECRET } });
    const token = await sign({ sub: 'u' }, { now: h.clock.now(), expiresIn: 60 });
    h.clients.push(await TestClient.connect(h.url, { token }));
    // Past `exp` and past the clock-skew allowance after it.
    h.clock.advanceSync((60 + DEFAULT_JWT_CLOCK_TOLERANCE_S) * 1000);
    const { error } = await refused(h, { token });
    assert.equal(error.type === 'error' && error.message, 'token expired');
  });

  test('a token from an issuer whose clock runs a second ahead (nbf = iat) is accepted', async () => {
    h = await startHarness({ auth: { jwtSecret: SECRET } });
    const token = await sign(
      { sub: 'u' },
      { now: h.clock.now() + 2000, notBefore: true, expiresIn: 600 },
    );
    const client = await TestClient.connect(h.url, { token });
    h.clients.push(client);
    assert.equal(client.ofType('welcome')[0]!.user.id, 'u');
  });

  test('a token not valid before the clock-skew allowance has passed is refused', async () => {
    h = await startHarness({ auth: { jwtSecret: SECRET } });
    const ahead = (DEFAULT_JWT_CLOCK_TOLERANCE_S + 1) * 1000;
    const token = await sign({ sub: 'u' }, { now: h.clock.now() + ahead, notBefore: true });
    const { error, closed } = await refused(h, { token });
    assert.equal(error.type === 'error' && error.code, 'invalid_token');
    assert.match(error.type === 'error' ? error.message : '', /nbf/);
    assert.equal(closed.code, 1008);
  });

  test('auth.clockToleranceS sets the allowance: 0 refuses a token valid 2 s from now', async () => {
    h = await startHarness({ auth: { jwtSecret: SECRET, clockToleranceS: 0 } });
    const future = await sign({ sub: 'u' }, { now: h.clock.now() + 2000, notBefore: true });
    const early = (await refused(h, { token: future })).error;
    assert.match(early.type === 'error' ? early.message : '', /nbf/);
    const expired = await sign({ sub: 'u' }, { now: h.clock.now() - 61_000, expiresIn: 60 });
    const { error } = await refused(h, { token: expired });
    assert.equal(error.type === 'error' && error.message, 'token expired');
  });

  test('a token expired by less than the allowance connects, and is closed at once: its exp holds for an open connection', async () => {
    h = await startHarness({ auth: { jwtSecret: SECRET } });
    const token = await sign({ sub: 'u' }, { now: h.clock.now() - 61_000, expiresIn: 60 });
    const client = await TestClient.connect(h.url, { token });
    h.clients.push(client);
    assert.equal(client.ofType('welcome')[0]!.user.id, 'u');
    h.clock.advanceSync(0);
    const error = await client.next((f) => f.type === 'error');
    assert.equal(error.type === 'error' && error.code, 'invalid_token');
    assert.equal((await client.waitClosed()).code, 1008);
  });

  test('a connection that outlives its token is closed with 1008 when the token expires (at exp, without the clock-skew allowance)', async () => {
    h = await startHarness({ auth: { jwtSecret: SECRET } });
    const token = await sign({ sub: 'u' }, { now: h.clock.now(), expiresIn: 60 });
    const client = await TestClient.connect(h.url, { token });
    h.clients.push(client);
    await client.join('customer:1');
    h.clock.advanceSync(59_000);
    await client.sync();
    assert.equal(client.ws.readyState, client.ws.OPEN, 'open until the token expires');
    h.clock.advanceSync(1_000);
    const error = await client.next((f) => f.type === 'error');
    assert.equal(error.type === 'error' && error.code, 'invalid_token');
    assert.match(error.type === 'error' ? error.message : '', /token expired/);
    assert.equal((await client.waitClosed()).code, 1008);
  });

  test('a token valid for longer than a timer can wait still closes the connection when it expires', async () => {
    const DAY = 86_400_000;
    // No heartbeat inside the clock's jumps of days: the client has no chance to answer it.
    h = await startHarness({ auth: { jwtSecret: SECRET }, heartbeatMs: 1000 * DAY });
    const token = await sign({ sub: 'u' }, { now: h.clock.now(), expiresIn: 40 * 86_400 });
    const client = await TestClient.connect(h.url, { token });
    h.clients.push(client);
    h.clock.advanceSync(30 * DAY);
    await client.sync();
    assert.equal(client.ws.readyState, client.ws.OPEN, 'not closed at the 24.8-day timer limit');
    h.clock.advanceSync(10 * DAY);
    assert.equal((await client.waitClosed()).code, 1008);
  });

  test('a development identity is refused when the server is not in dev mode', async () => {
    h = await startHarness({ auth: { jwtSecret: SECRET, devIdentities: false } });
    const { error, closed } = await refused(h, { devUser: alice });
    assert.equal(error.type === 'error' && error.code, 'invalid_token');
    assert.match(error.type === 'error' ? error.message : '', /development identities/);
    assert.equal(closed.code, 1008);
  });

  test('a hello with an invalid development identity is refused at once, saying which field', async () => {
    h = await startHarness({ auth: { devIdentities: true } });
    // Not left to the handshake timeout: the client would only send the same hello again.
    const { error, closed } = await refused(h, {
      devUser: { ...alice, avatarUrl: 'javascript:alert(1)' },
    });
    assert.deepEqual(error, {
      type: 'error',
      code: 'bad_frame',
      message: 'invalid avatar URL',
      replyTo: 'h1',
    });
    assert.equal(closed.code, 1008);
  });

  test('a development identity is accepted in dev mode', async () => {
    h = await startHarness({ auth: { devIdentities: true } });
    const client = await h.connect(alice);
    assert.deepEqual(client.ofType('welcome')[0]!.user, alice);
  });

  test('another protocol version is refused with close 1002', async () => {
    h = await startHarness();
    const { error, closed } = await refused(h, { v: PROTOCOL_VERSION + 1, devUser: alice });
    assert.equal(error.type === 'error' && error.code, 'unsupported_version');
    assert.equal(closed.code, 1002);
  });

  test('a frame before hello is refused with not_authenticated', async () => {
    h = await startHarness();
    const client = await h.open();
    client.send({ type: 'join', id: 'j1', room: 'customer:1' });
    const error = await client.next((f) => f.type === 'error');
    assert.equal(error.type === 'error' && error.code, 'not_authenticated');
    assert.equal((await client.waitClosed()).code, 1008);
  });

  test('a socket that never says hello is closed after the handshake timeout', async () => {
    h = await startHarness({ limits: { handshakeTimeoutMs: 5000 } });
    const client = await h.open();
    h.clock.advanceSync(4999);
    await client.wsRoundTrip();
    assert.equal(client.ws.readyState, client.ws.OPEN);
    assert.equal(client.frames.length, 0);
    h.clock.advanceSync(1);
    assert.equal((await client.waitClosed()).code, 1008);
    assert.equal(client.ofType('error')[0]?.code, 'not_authenticated');
  });

  describe('with a JWKS endpoint', () => {
    let jwksServer: Server | undefined;
    afterEach(
      () =>
        new Promise<void>((resolve) =>
          jwksServer ? jwksServer.close(() => resolve()) : resolve(),
        ),
    );

    test('an RS256 token signed by a published key is accepted, others are not', async () => {
      const { publicKey, privateKey } = await generateKeyPair('RS256');
      const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
      jwksServer = createHttpServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ keys: [jwk] }));
      });
      await new Promise<void>((resolve) => jwksServer!.listen(0, '127.0.0.1', resolve));
      const { port } = jwksServer.address() as AddressInfo;
      h = await startHarness({ auth: { jwksUrl: `http://127.0.0.1:${port}/jwks.json` } });
      const iat = Math.floor(h.clock.now() / 1000);
      const good = await new SignJWT({ sub: 'rs-user', name: 'RS' })
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setIssuedAt(iat)
        .setExpirationTime(iat + 60)
        .sign(privateKey);
      const client = await TestClient.connect(h.url, { token: good });
      h.clients.push(client);
      assert.equal(client.ofType('welcome')[0]!.user.id, 'rs-user');

      const stranger = await generateKeyPair('RS256');
      const bad = await new SignJWT({ sub: 'x' })
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setIssuedAt(iat)
        .setExpirationTime(iat + 60)
        .sign(stranger.privateKey);
      const { error } = await refused(h, { token: bad });
      assert.equal(error.type === 'error' && error.code, 'invalid_token');
      // HMAC tokens are not accepted by a JWKS-only server.
      const hmac = await sign({ sub: 'x' }, { now: h.clock.now() });
      assert.equal((await refused(h, { token: hmac })).error.type, 'error');
    });

    // An identity provider that is down, slow or misnamed leaves every token uncheckable. That is
    // an outage to retry (`backend_unavailable`, close 1013), not a refused token: the browser
    // client gives up on `invalid_token` after two tries, which would sign every user out until
    // each clicked "Retry now". Nor may it count against the client's address, or one office
    // behind a NAT would be throttled (429) for the provider's outage.
    const brokenKeySets: [string, (res: ServerResponse) => void][] = [
      ['a 500', (res) => res.writeHead(500).end('oops')],
      [
        'an HTML login page',
        (res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>Sign in</html>'),
      ],
      [
        'JSON that is not a key set',
        (res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'),
      ],
    ];
    for (const [what, answer] of brokenKeySets) {
      test(`a JWKS endpoint answering ${what} is an outage the client retries, not a refused token`, async () => {
        const { privateKey } = await generateKeyPair('RS256');
        jwksServer = createHttpServer((_req, res) => answer(res));
        await new Promise<void>((resolve) => jwksServer!.listen(0, '127.0.0.1', resolve));
        const { port } = jwksServer.address() as AddressInfo;
        h = await startHarness({ auth: { jwksUrl: `http://127.0.0.1:${port}/jwks.json` } });
        const token = await rsToken(h, privateKey);
        for (let i = 0; i < 25; i++) {
          const { error, closed } = await refused(h, { token });
          assert.equal(error.type === 'error' && error.code, 'backend_unavailable');
          assert.equal(closed.code, 1013);
        }
        assert.equal(h.server.metrics.authFailures, 0);
        // 25 in a row from one address: still not throttled (20 refusals would be).
        const again = await refused(h, { token });
        assert.equal(again.error.type === 'error' && again.error.code, 'backend_unavailable');
      });
    }

    test('a JWKS endpoint that refuses connections is an outage too', async () => {
      const { privateKey } = await generateKeyPair('RS256');
      jwksServer = createHttpServer();
      await new Promise<void>((resolve) => jwksServer!.listen(0, '127.0.0.1', resolve));
      const { port } = jwksServer.address() as AddressInfo;
      await new Promise<void>((resolve) => jwksServer!.close(() => resolve()));
      jwksServer = undefined;
      h = await startHarness({ auth: { jwksUrl: `http://127.0.0.1:${port}/jwks.json` } });
      const token = await rsToken(h, privateKey);
      const { error, closed } = await refused(h, { token });
      assert.equal(error.type === 'error' && error.code, 'backend_unavailable');
      assert.equal(closed.code, 1013);
    });
  });
});
