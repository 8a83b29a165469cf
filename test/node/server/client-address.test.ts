/**
 * The client's address behind trusted proxies (`CRM_TRUST_PROXY`): behind a trusted proxy each
 * client named in `X-Forwarded-For` has its own failed-handshake allowance and its own handshake
 * ceiling; without the setting, or from a peer that is not trusted, the header is ignored, so a
 * client cannot escape the throttle by writing it.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { WebSocket } from 'ws';
import { runMainToExit } from '../helpers/main-process.js';
import { badHandshake, metrics, TestClient } from '../helpers/server-client.js';
import { startHarness, type Harness } from '../helpers/server-harness.js';
import {
  MAX_FORWARDED_HOPS,
  TrustedProxies,
  addressKey,
  forwardedAddress,
} from '../../../src/server/client-address.js';
import { ConfigError, loadConfig } from '../../../src/server/config.js';
import { createLogger } from '../../../src/server/log.js';
import { createServer } from '../../../src/server/server.js';

const SECRET = 'test-secret-of-sufficient-length-for-hs256';

/** A socket that opens and says nothing, so its handshake stays in flight; or the refusal. */
function silentSocket(
  url: string,
  headers: Record<string, string>,
): Promise<{ ws: WebSocket } | { status: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0 });
      res.resume();
    });
    ws.on('open', () => resolve({ ws }));
    ws.on('error', (error) => {
      if (!/Unexpected server response/.test(String(error))) reject(error);
    });
  });
}

const xff = (value: string | string[]): Record<string, string | string[]> => ({
  'x-forwarded-for': value,
});

describe('client address behind a trusted proxy', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  test('two clients named by a trusted proxy are throttled apart', async () => {
    const lines: string[] = [];
    const logger = createLogger({ write: (line) => void lines.push(line) });
    h = await startHarness({
      auth: { jwtSecret: SECRET },
      limits: { failedHandshakeBurst: 3, failedHandshakesPerMinute: 6 },
      trustProxy: ['127.0.0.1'],
      logger,
    });
    // The proxy appends the address it received each request from.
    const first = xff('203.0.113.7, 127.0.0.1');
    const second = xff('198.51.100.9');
    for (let i = 0; i < 3; i++)
      assert.deepEqual(await badHandshake(h.url, first), { closed: 1008 });
    assert.deepEqual(await badHandshake(h.url, first), { status: 429 });
    // Another client behind the same proxy still gets its own allowance.
    assert.deepEqual(await badHandshake(h.url, second), { closed: 1008 });
    assert.deepEqual(await badHandshake(h.url, first), { status: 429 });
    const throttled = lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((entry) => entry['msg'] === 'handshake throttled');
    assert.deepEqual(
      throttled.map((entry) => entry['address']),
      ['203.0.113.7', '203.0.113.7'],
      'the log names the client, not the proxy',
    );
  });

  test('the log lines of a socket name the client a trusted proxy names, not the proxy', async () => {
    // An operator looking for who presents bad tokens, or from where a user connected, reads
    // these lines; behind a proxy every one of them would otherwise be the proxy's.
    const lines: string[] = [];
    const logger = createLogger({ write: (line) => void lines.push(line) });
    h = await startHarness({
      auth: { jwtSecret: SECRET, devIdentities: true },
      allowedOrigins: ['https://crm.example.com'],
      trustProxy: ['127.0.0.1'],
      logger,
    });
    assert.deepEqual(await badHandshake(h.url, xff('203.0.113.7')), { closed: 1008 });
    assert.deepEqual(
      await badHandshake(h.url, { ...xff('198.51.100.9'), origin: 'https://evil.example' }),
      { status: 403 },
    );
    // The welcome is sent right before its log line is written, in the same turn.
    const client = await TestClient.connect(
      h.url,
      { user: { id: 'alice', name: 'Alice' } },
      { headers: { 'x-forwarded-for': '192.0.2.44, 127.0.0.1' } },
    );
    client.ws.close();
    const address = (msg: string): unknown[] =>
      lines
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((entry) => entry['msg'] === msg)
        .map((entry) => entry['address']);
    assert.deepEqual(address('handshake refused'), ['203.0.113.7']);
    assert.deepEqual(address('websocket origin refused'), ['198.51.100.9']);
    assert.deepEqual(address('connected'), ['192.0.2.44']);
  });

  test('each client named by a trusted proxy has its own handshake ceiling', async () => {
    h = await startHarness({
      limits: { maxHandshakesPerAddress: 1 },
      trustProxy: 'loopback',
    });
    const held = await silentSocket(h.url, { 'x-forwarded-for': '203.0.113.7' });
    assert.ok('ws' in held, 'the first socket opens');
    try {
      assert.deepEqual(await silentSocket(h.url, { 'x-forwarded-for': '203.0.113.7' }), {
        status: 429,
      });
      const other = await silentSocket(h.url, { 'x-forwarded-for': '198.51.100.9' });
      assert.ok('ws' in other, "another client's socket opens beside it");
      other.ws.terminate();
    } finally {
      held.ws.terminate();
    }
  });

  test('addresses of one IPv6 /64 share a throttle and a handshake ceiling', async () => {
    // One host holds a whole /64 and may use a new address of it per socket: counted by the
    // address, it met neither limit, and its failures could push everyone else out of the
    // throttle's memory.
    h = await startHarness({
      auth: { jwtSecret: SECRET },
      limits: { failedHandshakeBurst: 2, failedHandshakesPerMinute: 6, maxHandshakesPerAddress: 2 },
      trustProxy: 'loopback',
    });
    assert.deepEqual(await badHandshake(h.url, xff('2001:db8:0:1::1')), { closed: 1008 });
    assert.deepEqual(await badHandshake(h.url, xff('2001:db8:0:1::2')), { closed: 1008 });
    assert.deepEqual(await badHandshake(h.url, xff('2001:db8:0:1:ffff::3')), { status: 429 });
    // Another /64 has its own allowance.
    assert.deepEqual(await badHandshake(h.url, xff('2001:db8:0:2::1')), { closed: 1008 });

    const held: WebSocket[] = [];
    try {
      for (const address of ['2001:db8:0:3::1', '2001:db8:0:3::2']) {
        const socket = await silentSocket(h.url, { 'x-forwarded-for': address });
        assert.ok('ws' in socket, `${address} opens`);
        held.push(socket.ws);
      }
      assert.deepEqual(await silentSocket(h.url, { 'x-forwarded-for': '2001:db8:0:3::3' }), {
        status: 429,
      });
    } finally {
      for (const ws of held) ws.terminate();
    }
  });

  test('without the setting, a forwarded address a client writes does not escape the throttle', async () => {
    h = await startHarness({
      auth: { jwtSecret: SECRET },
      limits: { failedHandshakeBurst: 3, failedHandshakesPerMinute: 6 },
    });
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(await badHandshake(h.url, xff(`203.0.113.${i}`)), { closed: 1008 });
    }
    assert.deepEqual(await badHandshake(h.url, xff('198.51.100.9')), { status: 429 });
    assert.match(await metrics(h.server.port), /^crm_handshakes_throttled_total 1$/m);
  });

  test('a peer that is not a trusted proxy has its forwarded address ignored', async () => {
    h = await startHarness({
      auth: { jwtSecret: SECRET },
      limits: { failedHandshakeBurst: 3, failedHandshakesPerMinute: 6 },
      // The test connects from 127.0.0.1, which is not in these ranges.
      trustProxy: ['10.0.0.0/8', 'fd00::/8'],
    });
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(await badHandshake(h.url, xff(`203.0.113.${i}`)), { closed: 1008 });
    }
    assert.deepEqual(await badHandshake(h.url, xff('198.51.100.9')), { status: 429 });
  });

  test('a client cannot pick its address by writing to the left of the proxy', async () => {
    h = await startHarness({
      auth: { jwtSecret: SECRET },
      limits: { failedHandshakeBurst: 3, failedHandshakesPerMinute: 6 },
      trustProxy: ['127.0.0.1'],
    });
    // The proxy appended the real client (203.0.113.7) to whatever the client sent.
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(await badHandshake(h.url, xff(`10.9.9.${i}, 203.0.113.7`)), {
        closed: 1008,
      });
    }
    assert.deepEqual(await badHandshake(h.url, xff('10.9.9.200, 203.0.113.7')), { status: 429 });
    // Two headers are one list: the last one's last entry is nearest.
    assert.deepEqual(await badHandshake(h.url, xff(['10.9.9.201', '203.0.113.7'])), {
      status: 429,
    });
  });
});

describe('reading X-Forwarded-For', () => {
  const trusted = TrustedProxies.parse(['10.0.0.0/8', 'fd00::/8', '127.0.0.1']);
  const peer = '10.0.0.2';
  const cases: [header: string | string[] | undefined, client: string, why: string][] = [
    [undefined, '10.0.0.2', 'no header: the peer'],
    ['203.0.113.7', '203.0.113.7', 'one hop'],
    ['  203.0.113.7  ,10.1.1.1 , 10.0.0.9', '203.0.113.7', 'spaces; trusted hops skipped'],
    ['1.1.1.1, 203.0.113.7', '203.0.113.7', 'the first untrusted from the right'],
    ['203.0.113.7:5678', '203.0.113.7', 'IPv4 with a port'],
    ['[2001:db8::1]:443', '2001:db8::1', 'IPv6 in brackets with a port'],
    ['[2001:DB8::1]', '2001:db8::1', 'IPv6 in brackets'],
    ['2001:db8::1', '2001:db8::1', 'bare IPv6'],
    ['::ffff:203.0.113.7', '203.0.113.7', 'IPv4-mapped IPv6 is IPv4'],
    ['fd00::5, 10.0.0.3', 'fd00::5', 'all trusted: the leftmost'],
    ['unknown', '10.0.0.2', '`unknown`: the last trusted hop reached'],
    ['203.0.113.7, unknown, 10.0.0.3', '10.0.0.3', 'garbage mid-chain stops at the trusted hop'],
    ['203.0.113.7, <script>', '10.0.0.2', 'garbage: the peer'],
    ['203.0.113.7,', '10.0.0.2', 'an empty entry is garbage'],
    ['999.1.1.1', '10.0.0.2', 'not an address'],
    ['fe80::1%eth0', '10.0.0.2', 'a zone is not a client address'],
    [['198.51.100.1', '203.0.113.7, 10.0.0.4'], '203.0.113.7', 'several headers joined'],
    [
      ['203.0.113.7', ...Array.from({ length: MAX_FORWARDED_HOPS + 4 }, () => '10.0.0.9')].join(),
      '10.0.0.9',
      'more trusted hops than the limit: the last one read',
    ],
  ];
  for (const [header, client, why] of cases) {
    test(`${why}: ${JSON.stringify(header)} → ${client}`, () => {
      assert.equal(trusted.clientAddress(peer, header), client);
    });
  }

  test('an untrusted peer is the client whatever the header says', () => {
    assert.equal(trusted.clientAddress('203.0.113.50', '198.51.100.1'), '203.0.113.50');
    assert.equal(TrustedProxies.none.clientAddress('10.0.0.2', '198.51.100.1'), '10.0.0.2');
  });

  test('an IPv4-mapped IPv6 peer is matched as IPv4', () => {
    assert.equal(trusted.clientAddress('::ffff:10.0.0.5', '198.51.100.1'), '198.51.100.1');
    const mapped = TrustedProxies.parse(['::ffff:10.0.0.0/104']);
    assert.equal(mapped.clientAddress('10.3.2.1', '198.51.100.1'), '198.51.100.1');
  });

  test('named ranges', () => {
    const named = TrustedProxies.parse(['loopback', 'private', 'linklocal']);
    for (const address of [
      '127.0.0.9',
      '::1',
      '10.1.2.3',
      '172.20.0.1',
      '192.168.1.1',
      'fd12::1',
    ]) {
      assert.ok(named.trusts(address), address);
    }
    for (const address of ['172.32.0.1', '203.0.113.7', '2001:db8::1']) {
      assert.ok(!named.trusts(address), address);
    }
    assert.ok(named.trusts('169.254.1.1'));
  });

  test('forwardedAddress', () => {
    assert.equal(forwardedAddress(' [::1]:80 '), '::1');
    assert.equal(forwardedAddress('1.2.3.4:99999'), undefined);
    assert.equal(forwardedAddress('[1.2.3.4]'), undefined);
    assert.equal(forwardedAddress('_hidden'), undefined);
  });
});

describe('CRM_TRUST_PROXY', () => {
  const dev = ['--dev'];

  test('accepts addresses, ranges and names, from the flag or the environment', () => {
    assert.deepEqual(loadConfig(dev, {}).trustProxy, []);
    assert.deepEqual(
      loadConfig(dev, { CRM_TRUST_PROXY: '10.0.0.0/8, fd00::/8,127.0.0.1,::ffff:10.0.0.5' })
        .trustProxy,
      ['10.0.0.0/8', 'fd00::/8', '127.0.0.1', '::ffff:10.0.0.5'],
    );
    assert.deepEqual(
      loadConfig([...dev, '--trust-proxy', 'loopback,private'], { CRM_TRUST_PROXY: '1.2.3.4' })
        .trustProxy,
      ['loopback', 'private'],
    );
  });

  for (const bad of [
    '10.0.0.300',
    '10.0.0.0/33',
    'fd00::/129',
    'proxy.internal',
    '10.0.0.0/x',
    'all',
  ]) {
    test(`refuses ${JSON.stringify(bad)}, naming it`, () => {
      assert.throws(
        () => loadConfig(dev, { CRM_TRUST_PROXY: `127.0.0.1,${bad}` }),
        (error: unknown) =>
          error instanceof ConfigError &&
          error.message.startsWith('CRM_TRUST_PROXY') &&
          error.message.includes(JSON.stringify(bad)),
      );
    });
  }

  test('createServer refuses a bad entry before opening anything', () => {
    assert.throws(
      () =>
        createServer({ auth: { devIdentities: true }, quiet: true, trustProxy: ['10.0.0.0/99'] }),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.message.startsWith('trustProxy') &&
        error.message.includes('"10.0.0.0/99"'),
    );
  });

  test('the server process stops at start with exit code 2 and names the entry', async () => {
    const { code, output } = await runMainToExit([
      '--dev',
      '--port',
      '0',
      '--trust-proxy',
      '10.0.0.0/8,nginx',
    ]);
    assert.equal(code, 2, output);
    assert.match(output, /CRM_TRUST_PROXY \(--trust-proxy\): "nginx" is not an IP address/);
  });
});

describe('addressKey', () => {
  test('an IPv4 address is its own key; an IPv6 one is counted by its /64', () => {
    assert.equal(addressKey('203.0.113.7'), '203.0.113.7');
    assert.equal(addressKey('::ffff:203.0.113.7'), '203.0.113.7');
    assert.equal(addressKey('2001:db8::1'), '2001:db8:0:0::/64');
    assert.equal(addressKey('2001:0DB8:0000:0000:ffff:1:2:3'), '2001:db8:0:0::/64');
    assert.equal(addressKey('2001:db8:a:b:c:d:e:f'), '2001:db8:a:b::/64');
    assert.equal(addressKey('::1'), '0:0:0:0::/64');
    assert.equal(addressKey('64:ff9b::198.51.100.9'), '64:ff9b:0:0::/64');
    assert.equal(addressKey('fe80::1:2:3:4'), 'fe80:0:0:0::/64');
    assert.equal(addressKey('not an address'), 'not an address');
  });
});
