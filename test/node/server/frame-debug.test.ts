import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SignJWT } from 'jose';
import { loadConfig } from '../../../src/server/config.js';
import { createLogger, type LogLevel } from '../../../src/server/log.js';
import type { CreateServerOptions } from '../../../src/server/server.js';
import { nextId, TestClient } from '../helpers/server-client.js';
import { startHarness, type Harness } from '../helpers/server-harness.js';

const SECRET = 'frame-debug-test-secret-of-enough-length';

async function tokenFor(user: string, now: number): Promise<string> {
  const iat = Math.floor(now / 1000);
  return new SignJWT({ sub: user, name: user })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt(iat)
    .setExpirationTime(iat + 600)
    .sign(new TextEncoder().encode(SECRET));
}

interface Line {
  level: string;
  msg: string;
  conn?: string;
  user?: string;
  room?: string;
  bytes?: number;
  frame?: string;
}

/** A server whose log lines are kept, with alice, bob and carol signed in by token. */
async function scenario(level: LogLevel, debugFrames: CreateServerOptions['debugFrames']) {
  const text: string[] = [];
  const logger = createLogger({ level, write: (line) => void text.push(line) });
  const h: Harness = await startHarness({ auth: { jwtSecret: SECRET }, logger, debugFrames });
  const tokens: string[] = [];
  const connect = async (user: string): Promise<TestClient> => {
    const token = await tokenFor(user, h.clock.now());
    tokens.push(token);
    const client = await TestClient.connect(h.url, { token, clientId: `device-${user}` });
    h.clients.push(client);
    return client;
  };
  const alice = await connect('alice');
  const bob = await connect('bob');
  const carol = await connect('carol');
  await alice.join('customer:42');
  await bob.join('customer:42');
  await carol.join('deal:7');
  await bob.request({
    type: 'emit',
    id: nextId(),
    room: 'customer:42',
    event: 'typing',
    payload: {},
  });
  await carol.request({ type: 'emit', id: nextId(), room: 'deal:7', event: 'typing', payload: {} });
  await alice.next((f) => f.type === 'event' && f.event === 'typing');
  for (const client of [alice, bob, carol]) await client.sync();
  await h.close();
  const lines = text.map((line) => JSON.parse(line) as Line);
  return { text: text.join(''), tokens, frames: lines.filter((l) => l.msg.startsWith('frame ')) };
}

describe('server frame debugging', () => {
  test('a watched user: their frames in and out, nobody else’s, and no token', async () => {
    const { text, tokens, frames } = await scenario('debug', { users: ['alice'] });
    assert.ok(frames.length > 0);
    assert.ok(
      frames.every((l) => l.level === 'debug' && l.user === 'alice'),
      'alice only',
    );
    const hello = frames.find((l) => l.msg === 'frame in' && l.frame?.includes('"hello"'));
    assert.ok(hello, 'her hello is logged');
    assert.match(hello.frame!, /"token":"\[redacted\]"/);
    assert.ok(frames.some((l) => l.msg === 'frame out' && l.frame?.includes('"welcome"')));
    assert.ok(frames.some((l) => l.msg === 'frame out' && l.frame?.includes('"event"')));
    assert.ok(
      frames.every((l) => typeof l.bytes === 'number' && l.bytes > 0),
      'sizes',
    );
    for (const token of tokens) {
      assert.ok(!text.includes(token), 'no token anywhere in the log');
      assert.ok(!text.includes(token.split('.')[2]!), 'not even its signature');
    }
  });

  test('a watched room: its frames whoever sends or receives them, no other room', async () => {
    const { text, tokens, frames } = await scenario('debug', { rooms: ['customer:42'] });
    assert.ok(
      frames.every((l) => l.room === 'customer:42'),
      'customer:42 only',
    );
    const users = new Set(frames.map((l) => `${l.msg} ${l.user}`));
    for (const seen of ['frame in alice', 'frame in bob', 'frame out alice', 'frame out bob']) {
      assert.ok(users.has(seen), seen);
    }
    assert.ok(!frames.some((l) => l.user === 'carol'), 'carol is in another room');
    for (const token of tokens) assert.ok(!text.includes(token));
  });

  test('at the default level nothing is logged, even with a user chosen', async () => {
    const { frames } = await scenario('info', { users: ['alice'], rooms: ['customer:42'] });
    assert.deepEqual(frames, []);
  });

  test('at level debug, nothing is logged when no user or room is chosen', async () => {
    const { frames } = await scenario('debug', undefined);
    assert.deepEqual(frames, []);
  });
});

describe('debug and compression settings', () => {
  const env = { CRM_DEV: '1' };
  test('flags and environment choose users, rooms and compression', () => {
    const config = loadConfig(['--debug-users', 'alice, bob', '--compression', 'on'], {
      ...env,
      CRM_DEBUG_ROOMS: 'customer:42',
      CRM_COMPRESSION_THRESHOLD: '512',
      CRM_LOG_LEVEL: 'debug',
    });
    assert.deepEqual(config.debugFrames, { users: ['alice', 'bob'], rooms: ['customer:42'] });
    assert.deepEqual(config.compression, { enabled: true, threshold: 512 });
    assert.equal(config.logLevel, 'debug');
  });

  test('defaults: compression off with a 1024-byte threshold, nothing watched', () => {
    const config = loadConfig([], env);
    assert.deepEqual(config.compression, { enabled: false, threshold: 1024 });
    assert.deepEqual(config.debugFrames, { users: [], rooms: [] });
  });

  test('a compression value other than on/off is refused', () => {
    assert.throws(() => loadConfig([], { ...env, CRM_COMPRESSION: 'yes' }), /on or off/);
  });
});
