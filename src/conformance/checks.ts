/**
 * The protocol conformance checks: docs/protocol.md read as a backend team that implements the
 * protocol from it alone would read it. Each check drives a server over raw WebSockets, step by
 * step as the document says, and asserts the frames, fields, error codes and close codes it
 * promises; the worked example session is replayed from the document's own text.
 *
 * One list, two runners: the repository's tests run every check against the reference server
 * in-process (test/node/protocol/docs-conformance.test.ts), and `crm-realtime-conformance` runs
 * them against any server at a URL (./cli.ts), skipping those that need control of the server
 * it does not have.
 */
import { LIMITS, PROTOCOL_VERSION } from '../protocol/index.js';
import {
  callConfigFrames,
  cast,
  conforms,
  exampleSession,
  type Comparison,
  type DocFrame,
} from './document.js';
import { CheckFailure, matches, ok, same } from './expect.js';
import { describe, Peer, type RawFrame } from './peer.js';
import { NEEDS, type Credentials, type Need, type ServerSetup, type Target } from './target.js';

/** One check's sockets, closed when it ends, and shortcuts to open them. */
export class CheckRun {
  readonly peers: Peer[] = [];
  constructor(readonly t: Target) {}

  /** Opens a socket (no hello yet). */
  async open(): Promise<Peer> {
    const peer = await Peer.open(this.t.openSocket, this.t.url, this.t.waitMs);
    this.peers.push(peer);
    return peer;
  }

  /** A hello as `user`, with `fields` added. */
  async hello(user: number, fields: Record<string, unknown> = {}): Promise<RawFrame> {
    return {
      type: 'hello',
      id: `hello-${user}`,
      v: PROTOCOL_VERSION,
      clientId: `c-conformance-${user}`,
      ...fields,
      ...(await this.t.credentials(user)),
    };
  }

  /** A socket whose hello as `user` was answered by `welcome`. */
  async welcomed(user = 0): Promise<Peer> {
    const peer = await this.open();
    const hello = await this.hello(user);
    peer.send(hello);
    await welcomeOf(peer, hello.id as string, user);
    return peer;
  }
}

/** Waits for the answer to a hello, which must be `welcome`. */
async function welcomeOf(peer: Peer, id: string, user: number): Promise<RawFrame> {
  const answer = await peer.next(
    (f) => f.type === 'welcome' || ('replyTo' in f && f.replyTo === id),
    `welcome for user ${user + 1}`,
  );
  if (answer.type !== 'welcome') {
    throw new CheckFailure(`the hello of user ${user + 1} was answered ${describe(answer)}`);
  }
  peer.welcome = peer.frames[peer.raw.indexOf(answer)] as Peer['welcome'];
  return answer;
}

export interface Check {
  /** One line: the document's section, and what the server must do. */
  name: string;
  needs?: Need[];
  /** How the in-process runner configures the reference server (see `ServerSetup`). */
  server?: ServerSetup | ((doc: string) => ServerSetup);
  run(c: CheckRun): Promise<void>;
}

/** How the document's frames compare with a server's: see `Target.strict`. */
function comparison(t: Target): Comparison {
  const literal = ['t', 'missed', 'connections', 'devices'];
  return {
    madeUp: new Set(t.strict ? ['connectionId'] : ['connectionId', 'message']),
    literal: new Set(t.strict ? [...literal, 'reconnectMs', 'heartbeatMs'] : literal),
    base: { doc: 0, actual: 0 },
  };
}

const byType = (type: string) => (f: Record<string, unknown>) => f.type === type;

/** The worked example's lines, taken one by one as the checks replay them. */
class Script {
  readonly steps: DocFrame[];
  constructor(doc: string) {
    this.steps = exampleSession(doc);
    ok(this.steps.length >= 15, 'docs/protocol.md: the worked example was not found');
  }

  take(dir: '>' | '<', test: (f: Record<string, unknown>) => boolean): DocFrame {
    const index = this.steps.findIndex((s) => s.dir === dir && test(s.value));
    ok(index >= 0, `docs/protocol.md: the worked example has no such ${dir} line`);
    return this.steps.splice(index, 1)[0]!;
  }
}

/** `hello` as the document shows it, with the target's credentials instead of its token. */
function withCredentials(hello: Record<string, unknown>, credentials: Credentials): RawFrame {
  const { token: _shown, ...rest } = hello;
  return { ...rest, ...credentials };
}

const workedExample: Check = {
  name: 'worked example: every frame the server sends is the one the document shows',
  // The defaults the document shows; the example's clock moves 25 s, within one heartbeat.
  server: { heartbeatMs: 30_000 },
  async run(c) {
    const { t } = c;
    const script = new Script(t.doc);
    const how = comparison(t);
    const room = (name: string) => t.room(name);

    // Bob is already on customer 42.
    const b = await c.open();
    b.send(await c.hello(1, { id: 'hb', clientId: 'c-bob' }));
    const bobWelcome = await welcomeOf(b, 'hb', 1);
    b.send({ type: 'join', id: 'jb', room: room('customer:42') });
    await b.answer('jb', 'joined');
    await t.elapse(10_000, 20); // Bob arrived before Ada: he is listed first

    // Ada's tab says hello with her token, and is welcomed as who the token says.
    const a = await c.open();
    const hello = script.take('>', byType('hello')).value;
    a.send(withCredentials(hello, await t.credentials(0)));
    const welcome = script.take('<', byType('welcome'));
    const adaWelcome = await welcomeOf(a, hello.id as string, 0);
    // The document's Ada and Bob are the users the server welcomed: on the reference server the
    // tokens are theirs, and their names must be the document's too.
    const users = new Map<string, Record<string, unknown>>();
    if (!t.strict) {
      const [ada, bob] = [adaWelcome.user, bobWelcome.user] as { id: string }[];
      ok(ada!.id !== bob!.id, `users 1 and 2 were welcomed as the same user, ${ada!.id}`);
      users.set('ada', ada as never).set('bob', bob as never);
    }
    const shown = (frame: DocFrame) => cast(frame.value, room, users) as Record<string, unknown>;
    conforms(adaWelcome, shown(welcome), how, welcome.whole, 'welcome');

    // She joins customer 42 and gets the snapshot: Bob, then herself.
    const join = script.take('>', byType('join')).value;
    a.send(shown({ dir: '>', value: join, whole: true }));
    const joined = script.take('<', byType('joined'));
    const actualJoined = await a.next((f) => f.type === 'joined', 'joined');
    how.base = { doc: joined.value.seq as number, actual: actualJoined.seq as number };
    conforms(actualJoined, shown(joined), how, joined.whole, 'joined');

    // Bob starts editing the email field.
    b.send({
      type: 'presence',
      room: room('customer:42'),
      state: { status: 'online', activity: { kind: 'editing', field: 'email' } },
    });
    const diff = script.take('<', byType('presence.diff'));
    conforms(
      await a.next(
        (f) => f.type === 'presence.diff' && f.upsert[0]?.activity.kind === 'editing',
        "presence.diff with Bob's editing",
      ),
      shown(diff),
      how,
      diff.whole,
      'presence.diff',
    );

    // Ada broadcasts that she is typing: the event (to her too) and the ack with its seq.
    a.send(shown(script.take('>', (f) => f.type === 'emit' && f.id !== undefined)));
    const event = script.take('<', byType('event'));
    const ack = script.take('<', byType('ack'));
    conforms(
      await a.next((f) => f.type === 'event', 'event'),
      shown(event),
      how,
      event.whole,
      'event',
    );
    conforms(await a.next((f) => f.type === 'ack', 'ack'), shown(ack), how, ack.whole, 'ack');
    conforms(
      await b.next((f) => f.type === 'event', "Bob's event"),
      shown(event),
      how,
      event.whole,
      "Bob's event",
    );

    // An emit to a room never joined: `not_joined`, no `replyTo` (the emit had no id).
    a.send(shown(script.take('>', byType('emit'))));
    const error = script.take('<', byType('error'));
    conforms(
      await a.next((f) => f.type === 'error', 'error'),
      shown(error),
      how,
      error.whole,
      'error',
    );

    // The heartbeat: `pong` carries the ping's `t`.
    a.send(script.take('>', byType('ping')).value);
    const pong = script.take('<', byType('pong'));
    conforms(await a.next((f) => f.type === 'pong', 'pong'), shown(pong), how, pong.whole, 'pong');

    // The socket dies; Bob sends an event meanwhile.
    a.drop();
    await a.closed;
    const replayed = script.take('<', byType('event'));
    b.send({
      type: 'emit',
      id: 'eb',
      room: room('customer:42'),
      event: replayed.value.event,
      payload: replayed.value.payload,
    });
    await b.answer('eb', 'ack');

    // Ada reconnects with a fresh token and resumes from the last seq she saw: the missed event
    // comes before `joined`, which says `replayed` and how many.
    const back = await c.open();
    const hello2 = script.take('>', byType('hello')).value;
    back.send(withCredentials(hello2, await t.credentials(0)));
    const welcome2 = script.take('<', byType('welcome'));
    conforms(
      await welcomeOf(back, hello2.id as string, 0),
      shown(welcome2),
      how,
      welcome2.whole,
      'second welcome',
    );
    const rejoin = shown(script.take('>', byType('join')));
    back.send({ ...rejoin, since: how.base.actual + (rejoin.since as number) - how.base.doc });
    const rejoined = script.take('<', byType('joined'));
    conforms(
      await back.next((f) => f.type === 'joined', 'joined after resume'),
      shown(rejoined),
      how,
      rejoined.whole,
      'joined after resume',
    );
    conforms(
      await back.next((f) => f.type === 'event', 'replayed event'),
      shown(replayed),
      how,
      replayed.whole,
      'replayed event',
    );
    ok(
      back.indexOf((f) => f.type === 'event') < back.indexOf((f) => f.type === 'joined'),
      'the replayed event must come before joined',
    );

    // Bob saw no "Ada left": she was back within the grace period, which has now run out.
    await t.elapse(15_000);
    await b.sync();
    const adaId = (adaWelcome.user as { id: string }).id;
    ok(
      !b.frames.some((f) => f.type === 'presence.diff' && f.remove.includes(adaId)),
      'Bob was told that Ada left, though she was back within the 15 s grace period',
    );
    // The redeploy that ends the example is the shutdown check's.
    script.take('<', byType('bye'));
    same(
      script.steps.map((s) => `${s.dir} ${JSON.stringify(s.value)}`),
      [],
      'lines of the worked example this check does not replay',
    );
  },
};

const shutdown: Check = {
  name: 'graceful shutdown: bye as the worked example shows it, then close 1001',
  needs: ['shutdown'],
  server: { heartbeatMs: 30_000 },
  async run(c) {
    const script = new Script(c.t.doc);
    const bye = script.take('<', byType('bye'));
    const peer = await c.welcomed();
    const closing = c.t.shutdown!();
    conforms(
      await peer.next((f) => f.type === 'bye', 'bye'),
      bye.value,
      comparison(c.t),
      bye.whole,
      'bye',
    );
    same((await peer.waitClosed()).code, 1001, 'close code');
    await closing;
  },
};

/** Every other check needs two users the server tells apart. */
const distinctUsers: Check = {
  name: 'handshake: the credentials of users 1 and 2 are welcomed, as two different users',
  async run(c) {
    const ids: string[] = [];
    for (const user of [0, 1]) ids.push((await c.welcomed(user)).welcome!.user.id);
    ok(ids[0] !== ids[1], `users 1 and 2 were both welcomed as ${describe(ids[0])}`);
  },
};

const notHelloFirst: Check = {
  name: 'handshake: a frame other than hello first: not_authenticated (replyTo its id), close 1008',
  async run(c) {
    const peer = await c.open();
    peer.send({ type: 'join', id: 'j1', room: c.t.room('customer:42') });
    same((await peer.error('not_authenticated')).replyTo, 'j1', 'replyTo');
    same((await peer.waitClosed()).code, 1008, 'close code');
  },
};

const helloTimeout: Check = {
  name: 'handshake: no hello within 10 seconds: not_authenticated, close 1008',
  async run(c) {
    const { t } = c;
    const peer = await c.open();
    await t.settle(peer); // the server has set up the socket's session
    // On a real clock the server's 10 s started before the socket opened here.
    await t.elapse(9_999, 9_000);
    await t.settle(peer);
    same(peer.raw.length, 0, 'frames before the 10 s were up');
    await t.elapse(1, 1);
    const error = await peer.error('not_authenticated');
    same(error.replyTo, undefined, 'replyTo');
    same((await peer.waitClosed()).code, 1008, 'close code');
  },
};

const notJsonFirst: Check = {
  name: 'handshake: a frame that is not JSON first is bad_frame, and the handshake still waits',
  async run(c) {
    const peer = await c.open();
    peer.sendRaw('not json');
    await peer.error('bad_frame');
    const hello = await c.hello(0);
    peer.send(hello);
    await welcomeOf(peer, hello.id as string, 0);
  },
};

const otherVersion: Check = {
  name: 'handshake: another version: unsupported_version (replyTo the hello), close 1002',
  async run(c) {
    const peer = await c.open();
    peer.send(await c.hello(0, { id: 'h9', v: PROTOCOL_VERSION + 1 }));
    same((await peer.error('unsupported_version')).replyTo, 'h9', 'replyTo');
    same((await peer.waitClosed()).code, 1002, 'close code');
  },
};

const invalidHello: Check = {
  name: 'handshake: an invalid hello: bad_frame naming the field (replyTo the hello), close 1008',
  async run(c) {
    const peer = await c.open();
    const devUser = { id: 'ada', name: 'Ada', avatarUrl: 'javascript:alert(1)' };
    peer.send({ type: 'hello', id: 'h2', v: 1, clientId: 'c1', devUser });
    const error = await peer.error('bad_frame');
    same(error.replyTo, 'h2', 'replyTo');
    if (c.t.strict) matches(error.message, /invalid avatar URL/, 'message');
    else ok(error.message.length > 0, 'the message names the field: it is empty');
    same((await peer.waitClosed()).code, 1008, 'close code');
  },
};

const noToken: Check = {
  name: 'handshake: no token outside development mode: invalid_token (replyTo the hello), close 1008',
  needs: ['tokens'],
  async run(c) {
    const peer = await c.open();
    peer.send({
      type: 'hello',
      id: 'h3',
      v: 1,
      clientId: 'c1',
      devUser: { id: 'ada', name: 'Ada Lovelace' },
    });
    same((await peer.error('invalid_token')).replyTo, 'h3', 'replyTo');
    same((await peer.waitClosed()).code, 1008, 'close code');
  },
};

const expiredToken: Check = {
  name: 'handshake: an expired token: invalid_token (replyTo the hello), close 1008',
  needs: ['expired-token'],
  async run(c) {
    const peer = await c.open();
    const token = await c.t.expiredToken!(0);
    peer.send({ type: 'hello', id: 'h4', v: 1, clientId: 'c1', token });
    same((await peer.error('invalid_token')).replyTo, 'h4', 'replyTo');
    same((await peer.waitClosed()).code, 1008, 'close code');
  },
};

const tokenWins: Check = {
  name: 'handshake: a token wins over devUser; welcome carries the limits and heartbeat it enforces',
  needs: ['tokens'],
  server: { devIdentities: true, heartbeatMs: 30_000 },
  async run(c) {
    const plain = await c.welcomed(0);
    const peer = await c.open();
    const claimed = { id: 'mallory', name: 'Mallory' };
    peer.send(await c.hello(0, { id: 'h5', devUser: claimed }));
    await welcomeOf(peer, 'h5', 0);
    const welcome = peer.welcome!;
    same(welcome.user, plain.welcome!.user, "welcome.user (the token's, not the devUser's)");
    if (c.t.strict) {
      same(welcome.user, { id: 'ada', name: 'Ada Lovelace' }, 'welcome.user');
      same(welcome.heartbeatMs, 30_000, 'welcome.heartbeatMs');
      same(
        welcome.limits,
        {
          maxFrameBytes: LIMITS.maxFrameBytes,
          maxRoomsPerConnection: LIMITS.maxRoomsPerConnection,
          maxMessagesPerSecond: LIMITS.maxMessagesPerSecond,
          maxPresenceBytes: LIMITS.maxPresenceBytes,
        },
        'welcome.limits',
      );
    } else {
      ok(
        welcome.limits.maxFrameBytes <= LIMITS.maxFrameBytes,
        `welcome.limits.maxFrameBytes ${welcome.limits.maxFrameBytes} is over 64 KiB, which no client accepts`,
      );
    }
  },
};

const framesAfterHello: Check = {
  name: 'handshake: frames sent after hello wait for its welcome and are answered after it, in order',
  needs: ['reference'],
  async run(c) {
    const peer = await c.open();
    peer.send(await c.hello(0, { id: 'h6' }));
    peer.send({ type: 'join', id: 'j6', room: c.t.room('customer:42') });
    await peer.next((f) => f.type === 'joined', 'joined');
    same(
      peer.raw.slice(0, 2).map((f) => f.type),
      ['welcome', 'joined'],
      'the first frames',
    );
  },
};

const secondHello: Check = {
  name: 'handshake: a second hello: bad_frame (replyTo it), and the connection stays open',
  async run(c) {
    const peer = await c.welcomed();
    peer.send(await c.hello(0, { id: 'h7' }));
    same((await peer.error('bad_frame')).replyTo, 'h7', 'replyTo');
    await peer.sync();
  },
};

const badFrames: Check = {
  name: 'frames in general: not JSON, no schema, unknown type, binary: bad_frame, replyTo when an id was read',
  async run(c) {
    const peer = await c.welcomed();
    const cases: [string | Uint8Array, string | undefined][] = [
      ['{"type":', undefined],
      ['{"type":"join","id":"j1","room":"has space"}', 'j1'],
      ['{"type":"teleport","id":"t1"}', 't1'],
      ['{"type":"leave","room":"customer:42"}', undefined],
      [new TextEncoder().encode('{"type":"ping"}'), undefined],
    ];
    for (const [data, replyTo] of cases) {
      const shown = typeof data === 'string' ? data : '(binary) {"type":"ping"}';
      const before = peer.raw.length;
      peer.sendRaw(data);
      await peer.sync();
      const answer = peer.raw.slice(before, -1).filter((f) => f.type !== 'ping');
      same(answer.length, 1, `answers to ${shown}`);
      same(answer[0]!.code, 'bad_frame', `code of the answer to ${shown}`);
      same(answer[0]!.replyTo, replyTo, `replyTo of the answer to ${shown}`);
    }
  },
};

const nesting: Check = {
  name: 'frames in general: nesting past 64 levels, or a __proto__ key: bad_frame with replyTo',
  async run(c) {
    const peer = await c.welcomed();
    const room = JSON.stringify(c.t.room('customer:43'));
    const deep = '['.repeat(64) + ']'.repeat(64);
    peer.sendRaw(`{"type":"emit","id":"d1","room":${room},"event":"x","payload":${deep}}`);
    same((await peer.error('bad_frame')).replyTo, 'd1', 'replyTo of the answer to 65 levels');
    peer.sendRaw(`{"type":"emit","id":"d2","room":${room},"event":"x","payload":{"__proto__":1}}`);
    same((await peer.answer('d2', 'error')).code, 'bad_frame', 'the answer to a __proto__ key');
    // 64 levels exactly are fine (the frame is level 1): the answer is about the room instead.
    const fits = '['.repeat(63) + ']'.repeat(63);
    peer.sendRaw(`{"type":"emit","id":"d3","room":${room},"event":"x","payload":${fits}}`);
    same((await peer.answer('d3', 'error')).code, 'not_joined', 'the answer to 64 levels');
  },
};

const unknownFields: Check = {
  name: 'frames in general: unknown fields are ignored',
  async run(c) {
    const peer = await c.welcomed();
    peer.send({ type: 'join', id: 'j1', room: c.t.room('customer:42'), colour: 'blue' });
    await peer.answer('j1', 'joined');
  },
};

const frameTooLarge: Check = {
  name: 'limits: a frame over maxFrameBytes: frame_too_large, without replyTo; over 256 KiB: close 1009',
  async run(c) {
    const peer = await c.welcomed();
    const room = c.t.room('customer:42');
    const payload = 'x'.repeat(peer.welcome!.limits.maxFrameBytes);
    peer.send({ type: 'emit', id: 'big', room, event: 'x', payload });
    const error = await peer.error('frame_too_large');
    same(error.replyTo, undefined, 'replyTo (the frame is not parsed, so its id is not known)');
    await peer.sync();
    peer.send({ type: 'emit', room, event: 'x', payload: 'x'.repeat(4 * LIMITS.maxFrameBytes) });
    same((await peer.waitClosed()).code, 1009, 'close code');
  },
};

const waitingFrames: Check = {
  name: 'limits: more than 100 frames waiting behind a slow handler: rate_limited, close 1008',
  needs: ['slow-join'],
  async run(c) {
    const { t } = c;
    const peer = await c.welcomed();
    // The authorization of the join has not answered yet: later frames wait behind it.
    peer.send({ type: 'join', id: 'slow', room: t.slowJoin!.room });
    // A ping is answered at once, ahead of the frames waiting ("Heartbeat").
    peer.send({ type: 'ping', t: 7 });
    await peer.next((f) => f.type === 'pong' && f.t === 7, 'pong ahead of the waiting join');
    const waiting = 2 * LIMITS.maxMessagesPerSecond; // the ping took no place among them
    for (let i = 0; i < waiting; i++) {
      // Within the message rate: only the frames waiting count here.
      if (i % 40 === 39) {
        await t.settle(peer);
        await t.elapse(1000);
      }
      peer.send({ type: 'pong' });
    }
    await t.settle(peer);
    same(peer.raw.length, 2, 'frames before the limit (the welcome and the pong: the rest wait)');
    peer.send({ type: 'pong' });
    matches((await peer.error('rate_limited')).message, /waiting/, 'message');
    same((await peer.waitClosed()).code, 1008, 'close code');
    t.slowJoin!.release();
  },
};

const rate: Check = {
  name: 'limits: more than maxMessagesPerSecond frames a second: rate_limited, replyTo for a dropped request',
  async run(c) {
    const peer = await c.welcomed();
    const { maxMessagesPerSecond } = peer.welcome!.limits;
    for (let i = 0; i < maxMessagesPerSecond; i++) peer.send({ type: 'pong' });
    peer.send({ type: 'join', id: 'j51', room: c.t.room('customer:42') });
    // The hello took one of the 50: the last pong is dropped unanswered, the join with an answer.
    same((await peer.answer('j51', 'error')).code, 'rate_limited', 'the answer to the join');
    same(
      peer.raw.filter((f) => f.code === 'rate_limited').map((f) => f.replyTo),
      [undefined, 'j51'],
      'replyTo of the rate_limited errors (the last pong, then the join)',
    );
    await c.t.elapse(1000);
    await peer.sync();
  },
};

/** Sends a join that must be refused; resolves to its error code, checking it names the room. */
async function refusal(peer: Peer, frame: Record<string, unknown>): Promise<string> {
  peer.send(frame);
  const answer = await peer.answer(frame.id as string, 'error');
  same(answer.room, frame.room, `room of the refusal of join ${describe(frame).slice(0, 80)}`);
  return answer.code;
}

/** Joins rooms until the connection holds `maxRoomsPerConnection`. */
async function fillRooms(c: CheckRun, peer: Peer): Promise<void> {
  for (let i = 0; i < peer.welcome!.limits.maxRoomsPerConnection; i++) {
    peer.send({ type: 'join', id: `r${i}`, room: c.t.room(`room:${i}`) });
    await peer.answer(`r${i}`, 'joined');
    if (i % 40 === 39) await c.t.elapse(1000); // stay under the message rate
  }
}

const joinRefusals: Check = {
  name: "rooms: another user's user:<id> room: forbidden; past maxRoomsPerConnection: too_many_rooms",
  async run(c) {
    const bob = (await c.welcomed(1)).welcome!.user.id;
    const peer = await c.welcomed(0);
    same(
      await refusal(peer, { type: 'join', id: 'j2', room: `user:${bob}` }),
      'forbidden',
      `the answer to joining user:${bob} as another user`,
    );
    await fillRooms(c, peer);
    same(
      await refusal(peer, { type: 'join', id: 'j3', room: c.t.room('customer:42') }),
      'too_many_rooms',
      'the answer to one join too many',
    );
    // Joining a room already joined is allowed at the limit: it is how a socket resumes.
    peer.send({ type: 'join', id: 'j4', room: c.t.room('room:0') });
    await peer.answer('j4', 'joined');
  },
};

const joinRefusalOrder: Check = {
  name: 'rooms: join refusals in the documented order: too_many_rooms, payload_too_large, forbidden',
  needs: ['small-presence-limit'],
  // A state the schema accepts stays far below the default 1,024 bytes: a lower limit shows
  // the check.
  server: { maxPresenceBytes: 64 },
  async run(c) {
    const bob = (await c.welcomed(1)).welcome!.user.id;
    const peer = await c.welcomed(0);
    const oversized = { status: 'online', activity: { kind: 'editing', field: 'f'.repeat(64) } };
    const room = `user:${bob}`;
    // Bob's room is his alone, and the presence is too large: the size is checked first.
    same(
      await refusal(peer, { type: 'join', id: 'j1', room, presence: oversized }),
      'payload_too_large',
      "the answer to an oversized presence in another user's room",
    );
    await fillRooms(c, peer);
    same(
      await refusal(peer, { type: 'join', id: 'j3', room, presence: oversized }),
      'too_many_rooms',
      'the answer to one join too many, with an oversized presence',
    );
  },
};

const notJoined: Check = {
  name: 'rooms: leave, presence and emit of a room not joined: not_joined with the room',
  async run(c) {
    const peer = await c.welcomed();
    const room = c.t.room('customer:42');
    peer.send({ type: 'leave', id: 'l1', room });
    const leave = await peer.answer('l1', 'error');
    same([leave.code, leave.room], ['not_joined', room], 'code and room of the answer to leave');
    peer.send({ type: 'presence', room, state: { status: 'away', activity: { kind: 'viewing' } } });
    const presence = await peer.next(
      (f) => f.type === 'error' && f.replyTo === undefined,
      'error for the presence',
    );
    same([presence.code, presence.room], ['not_joined', room], 'code and room for the presence');
    peer.send({ type: 'join', id: 'j1', room });
    await peer.answer('j1', 'joined');
    peer.send({ type: 'leave', id: 'l2', room });
    const left = await peer.next((f) => f.type === 'left', 'left');
    same(left, { type: 'left', replyTo: 'l2', room }, 'left');
  },
};

const emitRules: Check = {
  name: 'generic broadcast: server-written events cannot be emitted; a too large event uses no sequence number',
  async run(c) {
    const peer = await c.welcomed();
    const room = c.t.room('customer:42');
    peer.send({ type: 'join', id: 'j1', room });
    const joined = await peer.answer('j1', 'joined');
    for (const event of ['activity', 'entity.change', 'entity.deleted']) {
      peer.send({ type: 'emit', id: event, room, event, payload: {} });
      same(
        (await peer.answer(event, 'error')).code,
        'forbidden',
        `the answer to emitting ${event}`,
      );
    }
    // Exactly the frame limit as an emit, so over it as the event (with seq, from and at).
    const empty = { type: 'emit', id: 'big', room, event: 'x', payload: '' };
    const payload = 'x'.repeat(peer.welcome!.limits.maxFrameBytes - JSON.stringify(empty).length);
    peer.send({ ...empty, payload });
    const tooLarge = await peer.answer('big', 'error');
    same(
      [tooLarge.code, tooLarge.room],
      ['payload_too_large', room],
      'the answer to the large emit',
    );
    peer.send({ type: 'emit', id: 'e1', room, event: 'x', payload: 1 });
    const ack = await peer.answer('e1', 'ack');
    same(ack.seq, joined.seq + 1, 'ack.seq (the next event follows joined.seq by exactly one)');
  },
};

const resume: Check = {
  name: 'sequence numbers: `since` at the current seq: replayed, 0 missed; from outside the range: gap',
  async run(c) {
    const peer = await c.welcomed();
    const room = c.t.room('customer:42');
    peer.send({ type: 'join', id: 'j1', room });
    const joined = await peer.answer('j1', 'joined');
    peer.send({ type: 'emit', id: 'e1', room, event: 'x', payload: 1 });
    const ack = await peer.answer('e1', 'ack');
    ok(ack.seq !== undefined, 'the ack of an emit with an id carries its seq');
    const cases: [number, string, number][] = [
      [ack.seq, 'replayed', 0],
      [joined.seq, 'replayed', 1],
      [ack.seq + 10, 'gap', 0],
      [0, 'gap', 0],
    ];
    for (const [since, resume, missed] of cases) {
      const id = `since-${since}`;
      peer.send({ type: 'join', id, room, since });
      const rejoined = await peer.answer(id, 'joined');
      same(
        [rejoined.resume, rejoined.missed, rejoined.seq],
        [resume, missed, ack.seq],
        `[resume, missed, seq] of a join with since ${since} (the room's seq is ${ack.seq})`,
      );
    }
  },
};

const heartbeat: Check = {
  name: 'heartbeat: a ping is answered with a pong carrying its `t`, or none without one',
  async run(c) {
    const peer = await c.welcomed();
    const before = peer.raw.length;
    peer.send({ type: 'ping', t: 42 });
    peer.send({ type: 'ping' });
    await peer.sync();
    same(
      peer.raw.slice(before, before + 2),
      [{ type: 'pong', t: 42 }, { type: 'pong' }],
      'the answers to two pings',
    );
  },
};

const callConfig: Check = {
  name: 'calls: call.config is answered as the document shows, with the configured ICE servers',
  server: (doc) => ({ iceServers: callConfigFrames(doc)[1].iceServers as { urls: string }[] }),
  async run(c) {
    const [request, answer] = callConfigFrames(c.t.doc);
    const peer = await c.welcomed();
    peer.send(request);
    const actual = await peer.answer(request.id as string, 'call.config');
    // The ICE servers are each server's own: another server's answer has the document's shape.
    if (c.t.strict) conforms(peer.raw[peer.frames.indexOf(actual)], answer, comparison(c.t), true);
  },
};

const liveData: Check = {
  name: 'live data: get, a merged save, a conflict, a replayed mutation id and an unknown entity',
  needs: ['seed'],
  async run(c) {
    await c.t.seed!('customer', '42', { email: 'a@acme.test', phone: '100' });
    const peer = await c.welcomed();
    peer.send({ type: 'entity.get', id: 'g1', entityType: 'customer', entityId: '42' });
    await peer.answer('g1', 'entity.snapshot');
    const snapshot = peer.raw[peer.indexOf((f) => f.type === 'entity.snapshot')]!;
    same(Object.keys(snapshot).sort(), ['entity', 'replyTo', 'type'], 'entity.snapshot fields');
    same((snapshot.entity as { version: number }).version, 1, 'version (created at version 1)');
    const save = (
      id: string,
      baseVersion: number,
      fields: Record<string, string>,
      m = `m-${id}-0000`,
    ) =>
      peer.send({
        type: 'entity.update',
        id,
        mutationId: m,
        entityType: 'customer',
        entityId: '42',
        baseVersion,
        fields,
      });

    save('u1', 1, { email: 'b@acme.test' });
    const ack = await peer.answer('u1', 'entity.ack');
    same([ack.duplicate, ack.entity.version], [false, 2], '[duplicate, version] of the first save');

    // Based on version 1, a change of another field merges; one of the same field conflicts.
    save('u2', 1, { phone: '200' });
    await peer.answer('u2', 'entity.ack');
    save('u3', 1, { email: 'c@acme.test' });
    const conflict = await peer.answer('u3', 'entity.conflict');
    same(conflict.current.version, 3, 'current.version of the conflict');
    same(
      conflict.conflicts.map(({ field, base, mine, theirs }) => ({ field, base, mine, theirs })),
      [{ field: 'email', base: 'a@acme.test', mine: 'c@acme.test', theirs: 'b@acme.test' }],
      'conflicts',
    );
    // A version ahead of the entity conflicts on every field it would change, without `base`.
    save('u4', 9, { phone: '300' });
    const ahead = await peer.answer('u4', 'entity.conflict');
    same(
      ahead.conflicts.map((f) => [f.field, 'base' in f]),
      [['phone', false]],
      '[field, has base] of the conflicts of a version ahead',
    );

    // The same mutation id again: the first answer, `duplicate: true`, nothing applied again.
    save('u5', 1, { email: 'b@acme.test' }, 'm-u1-0000');
    const again = await peer.answer('u5', 'entity.ack');
    same([again.duplicate, again.entity.version], [true, 2], '[duplicate, version] of a repeat');

    peer.send({ type: 'entity.get', id: 'g2', entityType: 'customer', entityId: '404' });
    same((await peer.answer('g2', 'error')).code, 'not_found', 'the answer to an unknown entity');
  },
};

const notificationCounts: Check = {
  name: "notifications: a read is told to the user's other connections in their room, with the count; unreadSeq, when sent, grows per connection; unreadUpTo, when sent with an order, reaches it",
  async run(c) {
    const tab1 = await c.welcomed(0);
    const tab2 = await c.welcomed(0);
    const user = tab1.welcome!.user.id;
    const room = `user:${user}`;
    for (const [i, tab] of [tab1, tab2].entries()) {
      tab.send({ type: 'join', id: `nj${i}`, room });
      await tab.answer(`nj${i}`, 'joined');
    }
    // A notification to oneself, through one's own room (allowed by default).
    const title = `Conformance ${Math.floor(Math.random() * 1e9)}`;
    tab1.send({
      type: 'emit',
      id: 'ne1',
      room,
      event: 'notification',
      payload: { target: { user }, title },
    });
    await tab1.answer('ne1', 'ack');
    const event = await tab2.next(
      (f) =>
        f.type === 'event' &&
        f.event === 'notification' &&
        (f.payload as { title?: unknown } | undefined)?.title === title,
      `the notification "${title}" in ${room}`,
    );
    const id = (event.payload as { id: string }).id;
    tab1.send({ type: 'notification.list', id: 'nl1' });
    const page = await tab1.answer('nl1', 'notification.page');
    ok(page.unread >= 1, `notification.page unread: expected at least 1, got ${page.unread}`);
    tab1.send({ type: 'notification.read', id: 'nr1', ids: [id] });
    const answer = await tab1.answer('nr1', 'notification.read-state');
    same([answer.ids, answer.unread], [[id], page.unread - 1], '[ids, unread] of the answer');
    const pushed = (await tab2.next(
      (f) => f.type === 'notification.read-state' && f.replyTo === undefined,
      "the read-state frame sent to the user's other connection",
    )) as { ids?: unknown; unread?: unknown; unreadSeq?: unknown; unreadUpTo?: unknown };
    // Both connections are the same user with the same credentials: the same count.
    same([pushed.ids, pushed.unread], [[id], answer.unread], '[ids, unread] of the pushed frame');
    const stamps = [page.unreadSeq, answer.unreadSeq];
    if (stamps.some((s) => s !== undefined)) {
      ok(
        stamps.every((s) => s !== undefined) && stamps[0]! < stamps[1]!,
        `unreadSeq of one connection's page, then of its read's answer: expected growing numbers, got ${describe(stamps)}`,
      );
      ok(pushed.unreadSeq !== undefined, 'the pushed read-state frame carries unreadSeq too');
    }
    // Counts made after the notification was stored reach its order: a client that got a count
    // first does not count its live event again. Each field is optional on its own (without
    // either, a client adds one per live event, as before): compared when both are sent.
    const order = (event.payload as { order?: unknown }).order;
    const reaches = [page.unreadUpTo, answer.unreadUpTo, pushed.unreadUpTo];
    if (typeof order === 'number') {
      ok(
        reaches.every((r) => r === undefined || (typeof r === 'number' && r >= order)),
        `order of the live notification, then unreadUpTo of the page, the answer and the pushed frame: expected counts that say how far they reach to reach it, got ${describe([order, ...reaches])}`,
      );
    }
  },
};

/**
 * Every check, in the order a run takes them: credentials first (nothing else works without
 * them), then the worked example, which needs its room to itself, then the document's sections.
 */
export const CHECKS: readonly Check[] = [
  distinctUsers,
  workedExample,
  notHelloFirst,
  helloTimeout,
  notJsonFirst,
  otherVersion,
  invalidHello,
  noToken,
  expiredToken,
  tokenWins,
  framesAfterHello,
  secondHello,
  badFrames,
  nesting,
  unknownFields,
  frameTooLarge,
  waitingFrames,
  rate,
  joinRefusals,
  joinRefusalOrder,
  notJoined,
  emitRules,
  resume,
  heartbeat,
  callConfig,
  liveData,
  notificationCounts,
  shutdown,
];

export interface CheckResult {
  name: string;
  status: 'pass' | 'fail' | 'skip';
  /** Why it failed, or what it needs that the target lacks. */
  reason?: string;
  ms: number;
}

/** Runs one check: skipped with what it needs, failed with the first thing that was wrong. */
export async function runCheck(check: Check, t: Target): Promise<CheckResult> {
  const missing = (check.needs ?? []).filter((need) => !t.has(need));
  const start = Date.now();
  if (missing.length > 0) {
    return {
      name: check.name,
      status: 'skip',
      reason: `needs ${missing.map((need) => NEEDS[need]).join('; ')}`,
      ms: 0,
    };
  }
  const c = new CheckRun(t);
  try {
    await check.run(c);
    const invalid = c.peers.flatMap((p) => p.invalid);
    if (invalid.length > 0) {
      throw new CheckFailure(
        `the server sent ${invalid.length} frame(s) that fail the protocol's ServerFrame schema, which a browser client drops: ${invalid[0]}`,
      );
    }
    return { name: check.name, status: 'pass', ms: Date.now() - start };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { name: check.name, status: 'fail', reason, ms: Date.now() - start };
  } finally {
    for (const peer of c.peers) peer.close();
  }
}
