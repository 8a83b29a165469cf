/**
 * docs/protocol.md read as a backend team that implements the protocol from it alone would read
 * it: each test drives the reference server over a raw WebSocket, step by step as the document
 * says, and asserts the frames, fields, error codes and close codes it promises. The worked
 * example session is replayed from the document's own text: its client frames are sent as
 * written, and every server frame must have exactly the fields the document shows, the same
 * strings, and sequence numbers in the same relation to each other.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { SignJWT } from 'jose';
import {
  LIMITS,
  PROTOCOL_VERSION,
  type FrameOf,
  type ServerFrame,
  type UserProfile,
} from '../../../src/protocol/index.js';
import { TestClient } from '../helpers/server-client.js';
import { startHarness, type Harness } from '../helpers/server-harness.js';

const doc = readFileSync(join(import.meta.dirname, '../../../docs/protocol.md'), 'utf8');

/** The text of the document between two headings. */
function section(from: string, to: string): string {
  const start = doc.indexOf(from);
  const end = doc.indexOf(to, start);
  assert.ok(start >= 0 && end > start, `docs/protocol.md has no section "${from}"`);
  return doc.slice(start, end);
}

interface DocFrame {
  dir: '>' | '<';
  /** The frame as shown; `…` outside a string elides the rest of an object or a list. */
  value: Record<string, unknown>;
  /** Whether the document shows every field (nothing elided). */
  whole: boolean;
}

/** The `>` and `<` lines of the worked example, in order. */
function exampleSession(): DocFrame[] {
  const text = section('## A worked example session', '## Checklist');
  return [...text.matchAll(/^([<>]) (\{.*\})$/gm)].map((m) => {
    // An ellipsis outside a string stands for "more of the same": `,…}` or `[…]`.
    const cut = m[2]!.replaceAll(',…}', '}').replaceAll('[…]', '[]');
    return {
      dir: m[1] as '>' | '<',
      value: JSON.parse(cut) as Record<string, unknown>,
      whole: cut === m[2],
    };
  });
}

/** Strings the server makes up per connection: only their type is the document's. */
const MADE_UP = new Set(['connectionId']);
/** Numbers of one series: the document's are compared to its first `joined.seq`. */
const SEQUENCED = new Set(['seq', 'since']);
/** Numbers the document shows literally (a ping's time is the client's own). */
const LITERAL = new Set(['t', 'reconnectMs', 'heartbeatMs', 'missed', 'connections', 'devices']);

/**
 * Asserts that `actual` is what the document shows: the same fields (all of them when `whole`),
 * the same strings and literal numbers, and sequence numbers at the same distance from the
 * room's first `joined.seq` as the document's (`base`: [document's, actual]).
 */
function conforms(
  actual: unknown,
  shown: unknown,
  base: { doc: number; actual: number },
  whole: boolean,
  path = 'frame',
  key = '',
): void {
  if (Array.isArray(shown)) {
    assert.ok(Array.isArray(actual), `${path} is not a list`);
    // An elided list (`[…]`) says nothing of its items.
    if (shown.length === 0 && !whole) return;
    assert.equal(actual.length, shown.length, `${path} has ${actual.length} items`);
    shown.forEach((item, i) => conforms(actual[i], item, base, whole, `${path}[${i}]`, key));
    return;
  }
  if (shown !== null && typeof shown === 'object') {
    assert.ok(actual !== null && typeof actual === 'object', `${path} is not an object`);
    const shownKeys = Object.keys(shown).sort();
    const actualKeys = Object.keys(actual).sort();
    if (whole) assert.deepEqual(actualKeys, shownKeys, `${path} has other fields than shown`);
    else for (const k of shownKeys) assert.ok(actualKeys.includes(k), `${path}.${k} is missing`);
    for (const k of shownKeys) {
      const a = (actual as Record<string, unknown>)[k];
      conforms(a, (shown as Record<string, unknown>)[k], base, whole, `${path}.${k}`, k);
    }
    return;
  }
  if (typeof shown === 'number') {
    assert.equal(typeof actual, 'number', `${path} is not a number`);
    assert.equal(Number.isInteger(actual), Number.isInteger(shown), `${path}: integer or not`);
    if (SEQUENCED.has(key) && path.split('.').length === 2) {
      assert.equal((actual as number) - base.actual, shown - base.doc, `${path}: seq distance`);
    } else if (LITERAL.has(key)) {
      assert.equal(actual, shown, path);
    }
    return;
  }
  if (typeof shown === 'string' && MADE_UP.has(key)) {
    assert.equal(typeof actual, 'string', path);
    return;
  }
  assert.equal(actual, shown, path);
}

const SECRET = 'docs-conformance-secret-of-32-bytes!';

function token(h: Harness, user: UserProfile): Promise<string> {
  const iat = Math.floor(h.clock.now() / 1000);
  return new SignJWT({ sub: user.id, name: user.name })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt(iat)
    .setExpirationTime(iat + 3600)
    .sign(new TextEncoder().encode(SECRET));
}

/**
 * A raw socket that keeps every frame as the server wrote it (the test client's frames are
 * parsed, which drops fields the schema does not know).
 */
class RawPeer {
  readonly raw: Record<string, unknown>[] = [];
  private constructor(readonly client: TestClient) {
    client.ws.on('message', (data) => {
      this.raw.push(JSON.parse(String(data)) as Record<string, unknown>);
    });
  }

  static async open(h: Harness): Promise<RawPeer> {
    const peer = new RawPeer(await TestClient.open(h.url));
    h.clients.push(peer.client);
    return peer;
  }

  send(frame: Record<string, unknown>): void {
    this.client.send(frame);
  }

  /** The raw form of the first frame, received or to come, that matches. */
  async next(test: (f: ServerFrame) => boolean): Promise<Record<string, unknown>> {
    const frame = await this.client.next(test);
    const index = this.client.frames.indexOf(frame);
    return this.raw[index]!;
  }

  /** The answer to the request `id`, parsed, which must be of type `type`. */
  async answer<T extends ServerFrame['type']>(
    id: string,
    type: T,
  ): Promise<FrameOf<ServerFrame, T>> {
    const frame = await this.client.next((f) => 'replyTo' in f && f.replyTo === id);
    assert.equal(frame.type, type, JSON.stringify(frame));
    return frame as FrameOf<ServerFrame, T>;
  }

  /** Where a frame is among those received (order checks). */
  indexOf(test: (f: ServerFrame) => boolean): number {
    return this.client.frames.findIndex(test);
  }
}

const ada: UserProfile = { id: 'ada', name: 'Ada Lovelace' };
const bob: UserProfile = { id: 'bob', name: 'Bob' };

describe('docs/protocol.md: the worked example session, replayed on the reference server', () => {
  let h: Harness;
  afterEach(() => h?.close());

  test('every frame the server sends is the one the document shows', async () => {
    const steps = exampleSession();
    assert.ok(steps.length >= 15, 'the worked example was not found');
    const take = (dir: '>' | '<', test: (f: Record<string, unknown>) => boolean): DocFrame => {
      const index = steps.findIndex((s) => s.dir === dir && test(s.value));
      assert.ok(index >= 0, `the worked example has no such ${dir} line`);
      return steps.splice(index, 1)[0]!;
    };
    const type = (t: string) => (f: Record<string, unknown>) => f.type === t;
    // The defaults the document shows; the example's clock moves 25 s, within one heartbeat.
    h = await startHarness({ auth: { jwtSecret: SECRET }, heartbeatMs: 30_000 });
    let base = { doc: 0, actual: 0 };

    // Bob is already on customer 42.
    const b = await RawPeer.open(h);
    b.send({ type: 'hello', id: 'hb', v: 1, clientId: 'c-bob', token: await token(h, bob) });
    await b.next((f) => f.type === 'welcome');
    b.send({ type: 'join', id: 'jb', room: 'customer:42' });
    await b.next((f) => f.type === 'joined');
    h.clock.advanceSync(10_000); // Bob arrived before Ada: he is listed first

    // Ada's tab says hello with her token, and is welcomed as who the token says.
    const a = await RawPeer.open(h);
    const hello = take('>', type('hello')).value;
    a.send({ ...hello, token: await token(h, ada) });
    const welcome = take('<', type('welcome'));
    conforms(await a.next((f) => f.type === 'welcome'), welcome.value, base, welcome.whole);

    // She joins customer 42 and gets the snapshot: Bob, then herself.
    const join = take('>', type('join')).value;
    a.send(join);
    const joined = take('<', type('joined'));
    const actualJoined = await a.next((f) => f.type === 'joined');
    base = { doc: joined.value.seq as number, actual: actualJoined.seq as number };
    conforms(actualJoined, joined.value, base, joined.whole);

    // Bob starts editing the email field.
    b.send({
      type: 'presence',
      room: 'customer:42',
      state: { status: 'online', activity: { kind: 'editing', field: 'email' } },
    });
    const diff = take('<', type('presence.diff'));
    conforms(
      await a.next((f) => f.type === 'presence.diff' && f.upsert[0]?.activity.kind === 'editing'),
      diff.value,
      base,
      diff.whole,
    );

    // Ada broadcasts that she is typing: the event (to her too) and the ack with its seq.
    a.send(take('>', (f) => f.type === 'emit' && f.id !== undefined).value);
    const event = take('<', type('event'));
    const ack = take('<', type('ack'));
    conforms(await a.next((f) => f.type === 'event'), event.value, base, event.whole);
    conforms(await a.next((f) => f.type === 'ack'), ack.value, base, ack.whole);
    conforms(await b.next((f) => f.type === 'event'), event.value, base, event.whole);

    // An emit to a room never joined: `not_joined`, no `replyTo` (the emit had no id).
    a.send(take('>', type('emit')).value);
    const error = take('<', type('error'));
    conforms(await a.next((f) => f.type === 'error'), error.value, base, error.whole);

    // The heartbeat: `pong` carries the ping's `t`.
    a.send(take('>', type('ping')).value);
    const pong = take('<', type('pong'));
    conforms(await a.next((f) => f.type === 'pong'), pong.value, base, pong.whole);

    // The socket dies; Bob sends an event meanwhile.
    a.client.ws.terminate();
    await a.client.closed;
    const replayed = take('<', type('event'));
    b.send({
      type: 'emit',
      id: 'eb',
      room: 'customer:42',
      event: replayed.value.event,
      payload: replayed.value.payload,
    });
    await b.next((f) => f.type === 'ack' && f.replyTo === 'eb');

    // Ada reconnects with a fresh token and resumes from the last seq she saw: the missed event
    // comes before `joined`, which says `replayed` and how many.
    const back = await RawPeer.open(h);
    const hello2 = take('>', type('hello')).value;
    back.send({ ...hello2, token: await token(h, ada) });
    const welcome2 = take('<', type('welcome'));
    conforms(await back.next((f) => f.type === 'welcome'), welcome2.value, base, welcome2.whole);
    const rejoin = take('>', type('join')).value;
    back.send({ ...rejoin, since: base.actual + (rejoin.since as number) - base.doc });
    const rejoined = take('<', type('joined'));
    conforms(await back.next((f) => f.type === 'joined'), rejoined.value, base, rejoined.whole);
    conforms(await back.next((f) => f.type === 'event'), replayed.value, base, replayed.whole);
    assert.ok(
      back.indexOf((f) => f.type === 'event') < back.indexOf((f) => f.type === 'joined'),
      'the replayed event comes before joined',
    );

    // Bob saw no "Ada left": she was back within the grace period, which has now run out.
    h.clock.advanceSync(15_000);
    await b.client.sync();
    assert.ok(
      !b.client.ofType('presence.diff').some((d) => d.remove.includes('ada')),
      'Bob was told that Ada left',
    );

    // The server is redeployed: `bye`, then close 1001.
    const bye = take('<', type('bye'));
    const closing = h.server.close();
    conforms(await back.next((f) => f.type === 'bye'), bye.value, base, bye.whole);
    assert.equal((await back.client.waitClosed()).code, 1001);
    await closing;
    assert.deepEqual(
      steps.map((s) => `${s.dir} ${JSON.stringify(s.value)}`),
      [],
      'lines of the worked example this test does not replay',
    );
  });
});

/** The `error` frame among `frames`, as the server wrote it. */
async function errorOf(
  peer: RawPeer,
  code: string,
): Promise<{ type: 'error'; code: string; message: string; replyTo?: string; room?: string }> {
  const frame = await peer.next((f) => f.type === 'error' && f.code === code);
  return frame as never;
}

/** A socket with its hello answered by `welcome`, as a development identity. */
async function welcomed(h: Harness, user: UserProfile = ada): Promise<RawPeer> {
  const peer = await RawPeer.open(h);
  peer.send({
    type: 'hello',
    id: 'h1',
    v: PROTOCOL_VERSION,
    clientId: `c-${user.id}`,
    devUser: user,
  });
  await peer.next((f) => f.type === 'welcome');
  return peer;
}

describe('docs/protocol.md, "Handshake": what a server answers before `welcome`', () => {
  let h: Harness;
  afterEach(() => h?.close());

  test('a frame other than hello first: not_authenticated (replyTo its id), close 1008', async () => {
    h = await startHarness();
    const peer = await RawPeer.open(h);
    peer.send({ type: 'join', id: 'j1', room: 'customer:42' });
    const error = await errorOf(peer, 'not_authenticated');
    assert.equal(error.replyTo, 'j1');
    assert.equal((await peer.client.waitClosed()).code, 1008);
  });

  test('no hello within 10 seconds: not_authenticated, close 1008', async () => {
    h = await startHarness();
    const peer = await RawPeer.open(h);
    await peer.client.wsRoundTrip(); // the server has set up the socket's session
    h.clock.advanceSync(9_999);
    await peer.client.wsRoundTrip();
    assert.equal(peer.raw.length, 0, 'answered before the 10 s were up');
    h.clock.advanceSync(1);
    const error = await errorOf(peer, 'not_authenticated');
    assert.equal(error.replyTo, undefined);
    assert.equal((await peer.client.waitClosed()).code, 1008);
  });

  test('a frame that is not JSON first is bad_frame, and the handshake still waits', async () => {
    h = await startHarness();
    const peer = await RawPeer.open(h);
    peer.client.sendRaw('not json');
    await errorOf(peer, 'bad_frame');
    peer.send({ type: 'hello', id: 'h1', v: 1, clientId: 'c1', devUser: ada });
    await peer.next((f) => f.type === 'welcome');
  });

  test('another version: unsupported_version (replyTo the hello), close 1002', async () => {
    h = await startHarness();
    const peer = await RawPeer.open(h);
    peer.send({ type: 'hello', id: 'h9', v: PROTOCOL_VERSION + 1, clientId: 'c1', devUser: ada });
    const error = await errorOf(peer, 'unsupported_version');
    assert.equal(error.replyTo, 'h9');
    assert.equal((await peer.client.waitClosed()).code, 1002);
  });

  test('an invalid hello: bad_frame naming the field (replyTo the hello), close 1008', async () => {
    h = await startHarness();
    const peer = await RawPeer.open(h);
    const devUser = { id: 'ada', name: 'Ada', avatarUrl: 'javascript:alert(1)' };
    peer.send({ type: 'hello', id: 'h2', v: 1, clientId: 'c1', devUser });
    const error = await errorOf(peer, 'bad_frame');
    assert.equal(error.replyTo, 'h2');
    assert.match(error.message, /invalid avatar URL/);
    assert.equal((await peer.client.waitClosed()).code, 1008);
  });

  test('no token outside development mode, or an expired one: invalid_token, close 1008', async () => {
    h = await startHarness({ auth: { jwtSecret: SECRET } });
    const none = await RawPeer.open(h);
    none.send({ type: 'hello', id: 'h3', v: 1, clientId: 'c1', devUser: ada });
    assert.equal((await errorOf(none, 'invalid_token')).replyTo, 'h3');
    assert.equal((await none.client.waitClosed()).code, 1008);

    const stale = await token(h, ada);
    h.clock.advanceSync(2 * 3600_000);
    const expired = await RawPeer.open(h);
    expired.send({ type: 'hello', id: 'h4', v: 1, clientId: 'c1', token: stale });
    assert.equal((await errorOf(expired, 'invalid_token')).replyTo, 'h4');
    assert.equal((await expired.client.waitClosed()).code, 1008);
  });

  test('a token wins over devUser; welcome carries the limits and heartbeat it enforces', async () => {
    h = await startHarness({
      auth: { jwtSecret: SECRET, devIdentities: true },
      heartbeatMs: 30_000,
    });
    const peer = await RawPeer.open(h);
    const claimed = { id: 'mallory', name: 'Mallory' };
    peer.send({
      type: 'hello',
      id: 'h5',
      v: 1,
      clientId: 'c1',
      token: await token(h, ada),
      devUser: claimed,
    });
    const welcome = await peer.next((f) => f.type === 'welcome');
    assert.deepEqual(welcome.user, ada);
    assert.equal(welcome.heartbeatMs, 30_000);
    assert.deepEqual(welcome.limits, {
      maxFrameBytes: LIMITS.maxFrameBytes,
      maxRoomsPerConnection: LIMITS.maxRoomsPerConnection,
      maxMessagesPerSecond: LIMITS.maxMessagesPerSecond,
      maxPresenceBytes: LIMITS.maxPresenceBytes,
    });
  });

  test('frames sent after hello wait for its welcome and are answered after it, in order', async () => {
    h = await startHarness({ auth: { jwtSecret: SECRET } });
    const peer = await RawPeer.open(h);
    peer.send({ type: 'hello', id: 'h6', v: 1, clientId: 'c1', token: await token(h, ada) });
    peer.send({ type: 'join', id: 'j6', room: 'customer:42' });
    await peer.next((f) => f.type === 'joined');
    assert.deepEqual(
      peer.raw.slice(0, 2).map((f) => f.type),
      ['welcome', 'joined'],
    );
  });

  test('a second hello: bad_frame (replyTo it), and the connection stays open', async () => {
    h = await startHarness();
    const peer = await welcomed(h);
    peer.send({ type: 'hello', id: 'h7', v: 1, clientId: 'c1', devUser: ada });
    assert.equal((await errorOf(peer, 'bad_frame')).replyTo, 'h7');
    await peer.client.sync();
  });
});

describe('docs/protocol.md, "Frames in general" and "Limits": bad frames keep the connection', () => {
  let h: Harness;
  afterEach(() => h?.close());

  test('not JSON, no schema, unknown type, binary: bad_frame, replyTo when an id was read', async () => {
    h = await startHarness();
    const peer = await welcomed(h);
    const cases: [string | Buffer, string | undefined][] = [
      ['{"type":', undefined],
      ['{"type":"join","id":"j1","room":"has space"}', 'j1'],
      ['{"type":"teleport","id":"t1"}', 't1'],
      ['{"type":"leave","room":"customer:42"}', undefined],
      [Buffer.from('{"type":"ping"}'), undefined],
    ];
    for (const [data, replyTo] of cases) {
      const before = peer.raw.length;
      peer.client.sendRaw(data);
      await peer.client.sync();
      const answer = peer.raw.slice(before, -1);
      assert.equal(answer.length, 1, `one answer to ${String(data)}`);
      assert.equal(answer[0]!.code, 'bad_frame', String(data));
      assert.equal(answer[0]!.replyTo, replyTo, String(data));
    }
  });

  test('nesting past 64 levels, or a __proto__ key: bad_frame with replyTo', async () => {
    h = await startHarness();
    const peer = await welcomed(h);
    const deep = '['.repeat(64) + ']'.repeat(64);
    peer.client.sendRaw(
      `{"type":"emit","id":"d1","room":"customer:42","event":"x","payload":${deep}}`,
    );
    assert.equal((await errorOf(peer, 'bad_frame')).replyTo, 'd1');
    peer.client.sendRaw(
      '{"type":"emit","id":"d2","room":"customer:42","event":"x","payload":{"__proto__":1}}',
    );
    await peer.next((f) => f.type === 'error' && f.replyTo === 'd2' && f.code === 'bad_frame');
    // 64 levels exactly are fine (the frame is level 1): the answer is about the room instead.
    const fits = '['.repeat(63) + ']'.repeat(63);
    peer.client.sendRaw(
      `{"type":"emit","id":"d3","room":"customer:42","event":"x","payload":${fits}}`,
    );
    await peer.next((f) => f.type === 'error' && f.replyTo === 'd3' && f.code === 'not_joined');
  });

  test('unknown fields are ignored', async () => {
    h = await startHarness();
    const peer = await welcomed(h);
    peer.send({ type: 'join', id: 'j1', room: 'customer:42', colour: 'blue' });
    await peer.next((f) => f.type === 'joined' && f.replyTo === 'j1');
  });

  test('a frame over 64 KiB: frame_too_large, without replyTo; over 4 times that: close 1009', async () => {
    h = await startHarness();
    const peer = await welcomed(h);
    const payload = 'x'.repeat(LIMITS.maxFrameBytes);
    peer.send({ type: 'emit', id: 'big', room: 'customer:42', event: 'x', payload });
    const error = await errorOf(peer, 'frame_too_large');
    assert.equal(error.replyTo, undefined, 'the frame is not parsed, so its id is not known');
    await peer.client.sync();
    peer.send({ type: 'emit', room: 'customer:42', event: 'x', payload: payload.repeat(4) });
    assert.equal((await peer.client.waitClosed()).code, 1009);
  });

  test('more than 100 frames waiting behind a slow handler: rate_limited, close 1008', async () => {
    // The authorization hook of the join has not answered yet: later frames wait behind it.
    let answer: (allowed: boolean) => void = () => {};
    h = await startHarness({
      authorize: ({ room }) =>
        room === 'slow:1' ? new Promise<boolean>((resolve) => (answer = resolve)) : true,
    });
    const peer = await welcomed(h);
    peer.send({ type: 'join', id: 'slow', room: 'slow:1' });
    // A ping is answered at once, ahead of the frames waiting ("Heartbeat").
    peer.send({ type: 'ping', t: 7 });
    await peer.next((f) => f.type === 'pong' && f.t === 7);
    const waiting = 2 * LIMITS.maxMessagesPerSecond; // the ping took no place among them
    for (let i = 0; i < waiting; i++) {
      // Within the message rate: only the frames waiting count here.
      if (i % 40 === 39) {
        await peer.client.wsRoundTrip();
        h.clock.advanceSync(1000);
      }
      peer.send({ type: 'pong' });
    }
    await peer.client.wsRoundTrip();
    assert.equal(peer.raw.length, 2, 'nothing but the welcome and the pong: the frames wait');
    peer.send({ type: 'pong' });
    const error = await errorOf(peer, 'rate_limited');
    assert.match(error.message, /waiting/);
    assert.equal((await peer.client.waitClosed()).code, 1008);
    answer(true);
  });

  test('more than 50 frames a second: rate_limited, replyTo for a dropped request', async () => {
    h = await startHarness();
    const peer = await welcomed(h);
    for (let i = 0; i < LIMITS.maxMessagesPerSecond; i++) peer.send({ type: 'pong' });
    peer.send({ type: 'join', id: 'j51', room: 'customer:42' });
    // The hello took one of the 50: the last pong is dropped unanswered, the join with an answer.
    await peer.next((f) => f.type === 'error' && f.code === 'rate_limited' && f.replyTo === 'j51');
    assert.deepEqual(
      peer.raw.filter((f) => f.code === 'rate_limited').map((f) => f.replyTo),
      [undefined, 'j51'],
    );
    h.clock.advanceSync(1000);
    await peer.client.sync();
  });
});

describe('docs/protocol.md, "Rooms" and "Generic broadcast": refusals name the request and room', () => {
  let h: Harness;
  afterEach(() => h?.close());

  test('join refusals, checked in the documented order: too_many_rooms, payload_too_large, forbidden', async () => {
    // A state the schema accepts stays far below the default 1,024 bytes: a lower limit shows
    // the check.
    h = await startHarness({ limits: { maxPresenceBytes: 64 } });
    const peer = await welcomed(h);
    const oversized = { status: 'online', activity: { kind: 'editing', field: 'f'.repeat(64) } };
    const refusal = async (frame: Record<string, unknown>) => {
      peer.send(frame);
      const answer = await peer.next((f) => 'replyTo' in f && f.replyTo === frame.id);
      assert.equal(answer.type, 'error');
      assert.equal(answer.room, frame.room, 'the refusal names the room');
      return answer.code as string;
    };
    // `user:bob` is Bob's alone, and the presence is too large: the size is checked first.
    assert.equal(
      await refusal({ type: 'join', id: 'j1', room: 'user:bob', presence: oversized }),
      'payload_too_large',
    );
    assert.equal(await refusal({ type: 'join', id: 'j2', room: 'user:bob' }), 'forbidden');
    for (let i = 0; i < LIMITS.maxRoomsPerConnection; i++) {
      peer.send({ type: 'join', id: `r${i}`, room: `room:${i}` });
      await peer.next((f) => f.type === 'joined' && f.replyTo === `r${i}`);
      if (i % 40 === 39) h.clock.advanceSync(1000); // stay under the message rate
    }
    assert.equal(
      await refusal({ type: 'join', id: 'j3', room: 'user:bob', presence: oversized }),
      'too_many_rooms',
    );
    // Joining a room already joined is allowed at the limit: it is how a socket resumes.
    peer.send({ type: 'join', id: 'j4', room: 'room:0' });
    await peer.next((f) => f.type === 'joined' && f.replyTo === 'j4');
  });

  test('leave, presence and emit of a room not joined: not_joined with the room', async () => {
    h = await startHarness();
    const peer = await welcomed(h);
    peer.send({ type: 'leave', id: 'l1', room: 'customer:42' });
    const leave = await peer.next((f) => f.type === 'error' && f.replyTo === 'l1');
    assert.deepEqual([leave.code, leave.room], ['not_joined', 'customer:42']);
    peer.send({
      type: 'presence',
      room: 'customer:42',
      state: { status: 'away', activity: { kind: 'viewing' } },
    });
    const presence = await peer.next((f) => f.type === 'error' && f.replyTo === undefined);
    assert.deepEqual([presence.code, presence.room], ['not_joined', 'customer:42']);
    peer.send({ type: 'join', id: 'j1', room: 'customer:42' });
    await peer.next((f) => f.type === 'joined');
    peer.send({ type: 'leave', id: 'l2', room: 'customer:42' });
    const left = await peer.next((f) => f.type === 'left');
    assert.deepEqual(left, { type: 'left', replyTo: 'l2', room: 'customer:42' });
  });

  test('server-written events cannot be emitted; a too large event uses no sequence number', async () => {
    h = await startHarness();
    const peer = await welcomed(h);
    peer.send({ type: 'join', id: 'j1', room: 'customer:42' });
    const joined = await peer.answer('j1', 'joined');
    for (const event of ['activity', 'entity.change', 'entity.deleted']) {
      peer.send({ type: 'emit', id: event, room: 'customer:42', event, payload: {} });
      const refusal = await peer.next((f) => f.type === 'error' && f.replyTo === event);
      assert.equal(refusal.code, 'forbidden', event);
    }
    // Fits the frame limit as an emit, but not as the event (with seq, from and at).
    const payload = 'x'.repeat(LIMITS.maxFrameBytes - 90);
    peer.send({ type: 'emit', id: 'big', room: 'customer:42', event: 'x', payload });
    const tooLarge = await peer.next((f) => f.type === 'error' && f.replyTo === 'big');
    assert.deepEqual([tooLarge.code, tooLarge.room], ['payload_too_large', 'customer:42']);
    peer.send({ type: 'emit', id: 'e1', room: 'customer:42', event: 'x', payload: 1 });
    const ack = await peer.answer('e1', 'ack');
    assert.equal(ack.seq, joined.seq + 1, 'the next event follows joined.seq by exactly one');
  });
});

describe('docs/protocol.md, "Sequence numbers and resume"', () => {
  let h: Harness;
  afterEach(() => h?.close());

  test('`since` at the current seq: replayed, 0 missed; from outside the range: gap, 0 missed', async () => {
    h = await startHarness();
    const peer = await welcomed(h);
    peer.send({ type: 'join', id: 'j1', room: 'customer:42' });
    const joined = await peer.answer('j1', 'joined');
    peer.send({ type: 'emit', id: 'e1', room: 'customer:42', event: 'x', payload: 1 });
    const ack = await peer.answer('e1', 'ack');
    const cases: [number, string, number][] = [
      [ack.seq!, 'replayed', 0],
      [joined.seq, 'replayed', 1],
      [ack.seq! + 10, 'gap', 0],
      [0, 'gap', 0],
    ];
    for (const [since, resume, missed] of cases) {
      const id = `since-${since}`;
      peer.send({ type: 'join', id, room: 'customer:42', since });
      const rejoined = await peer.answer(id, 'joined');
      assert.deepEqual(
        [rejoined.resume, rejoined.missed, rejoined.seq],
        [resume, missed, ack.seq],
        `since ${since}`,
      );
    }
  });
});

describe('docs/protocol.md, "Heartbeat"', () => {
  let h: Harness;
  afterEach(() => h?.close());

  test('a ping is answered with a pong carrying its `t`, or none without one', async () => {
    h = await startHarness();
    const peer = await welcomed(h);
    peer.send({ type: 'ping', t: 42 });
    peer.send({ type: 'ping' });
    await peer.client.sync();
    assert.deepEqual(peer.raw.slice(1, 3), [{ type: 'pong', t: 42 }, { type: 'pong' }]);
  });
});

describe('docs/protocol.md, frames quoted in its text', () => {
  let h: Harness;
  afterEach(() => h?.close());

  test('call.config is answered as the text shows, with the configured ICE servers', async () => {
    const [request, answer] = [
      ...section('### Addressed events', '## Capabilities').matchAll(
        /`(\{ "type": "call\.config"[^`]*\})`/g,
      ),
    ].map((m) => JSON.parse(m[1]!) as Record<string, unknown>);
    assert.ok(request && answer, 'the call.config frames were not found');
    h = await startHarness({ iceServers: answer.iceServers as { urls: string }[] });
    const peer = await welcomed(h);
    peer.send(request);
    const actual = await peer.next((f) => f.type === 'call.config');
    conforms(actual, answer, { doc: 0, actual: 0 }, true);
  });
});

describe('docs/protocol.md, "Live data"', () => {
  let h: Harness;
  afterEach(() => h?.close());

  test('get, a merged save, a conflict, a replayed mutation id and an unknown entity', async () => {
    h = await startHarness();
    await h.server.entities.update({
      type: 'customer',
      id: '42',
      fields: { email: 'a@acme.test', phone: '100' },
      source: 'backend',
      create: true,
    });
    const peer = await welcomed(h);
    peer.send({ type: 'entity.get', id: 'g1', entityType: 'customer', entityId: '42' });
    const snapshot = await peer.next((f) => f.type === 'entity.snapshot');
    assert.deepEqual(Object.keys(snapshot).sort(), ['entity', 'replyTo', 'type']);
    assert.equal((snapshot.entity as { version: number }).version, 1, 'created at version 1');
    const save = (
      id: string,
      baseVersion: number,
      fields: Record<string, string>,
      mutationId = `m-${id}-0000`,
    ) =>
      peer.send({
        type: 'entity.update',
        id,
        mutationId,
        entityType: 'customer',
        entityId: '42',
        baseVersion,
        fields,
      });

    save('u1', 1, { email: 'b@acme.test' });
    const ack = await peer.answer('u1', 'entity.ack');
    assert.equal(ack.duplicate, false);
    assert.equal(ack.entity.version, 2);

    // Based on version 1, a change of another field merges; one of the same field conflicts.
    save('u2', 1, { phone: '200' });
    await peer.answer('u2', 'entity.ack');
    save('u3', 1, { email: 'c@acme.test' });
    const conflict = await peer.answer('u3', 'entity.conflict');
    assert.equal(conflict.current.version, 3);
    assert.deepEqual(
      conflict.conflicts.map(({ field, base, mine, theirs }) => ({ field, base, mine, theirs })),
      [{ field: 'email', base: 'a@acme.test', mine: 'c@acme.test', theirs: 'b@acme.test' }],
    );
    // A version ahead of the entity conflicts on every field it would change, without `base`.
    save('u4', 9, { phone: '300' });
    const ahead = await peer.answer('u4', 'entity.conflict');
    assert.deepEqual(
      ahead.conflicts.map((c) => [c.field, 'base' in c]),
      [['phone', false]],
    );

    // The same mutation id again: the first answer, `duplicate: true`, nothing applied again.
    save('u5', 1, { email: 'b@acme.test' }, 'm-u1-0000');
    const again = await peer.answer('u5', 'entity.ack');
    assert.deepEqual([again.duplicate, again.entity.version], [true, 2]);

    peer.send({ type: 'entity.get', id: 'g2', entityType: 'customer', entityId: '404' });
    assert.equal((await peer.answer('g2', 'error')).code, 'not_found');
  });
});
