/**
 * The fake server and the reference server give the same answers to the same frames where frame
 * sizes and replay budgets decide: each case runs, unchanged, against both. A test of an app
 * against the fake must not pass on an answer the real server would never give.
 *
 * - a save the CRM backend kept with values grown past what an event carries: acknowledged, the
 *   room told without `previous`; grown past a whole frame: acknowledged `partial`, reads refused;
 * - a conflict too large goes without `base`, then is refused `payload_too_large`;
 * - an addressed emit whose signal frame would exceed the limit is refused, and reaches nobody;
 * - a user joining again and again with `since` is replayed up to a budget a minute, then `gap`;
 * - a save while the CRM backend is down: `backend_unavailable`, naming `retryAfterMs` only when
 *   the backend said when it is back; nothing applied, and the same save applied once it is back;
 * - the unread counts of a user's two tabs: each tab's own, numbered per connection (`unreadSeq`).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  ACCEPTS_PARTIAL_ACK,
  LIMITS,
  PROTOCOL_VERSION,
  type Entity,
  type FrameOf,
  type Notification,
  type ServerFrame,
  type UserProfile,
} from '../../../src/protocol/index.js';
import { createServer, type RealtimeServer } from '../../../src/server/server.js';
import { FakeServer, ManualClock } from '../../../src/testing/index.js';
import { growingBackend } from '../helpers/growing-backend.js';
import { nextId, TestClient } from '../helpers/server-client.js';

type Fields = Record<string, unknown>;
type Request = Record<string, unknown> & { type: string; id: string };

const ada: UserProfile = { id: 'ada', name: 'Ada' };
const bob: UserProfile = { id: 'bob', name: 'Bob' };
/** Scaled down so a replay budget (4 send buffers a minute) is spent in a few joins. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

/** One connection, as a test drives it. */
interface Peer {
  readonly frames: ServerFrame[];
  request(frame: Request): Promise<ServerFrame>;
  /** Everything the server sent this peer so far has arrived. */
  settle(): Promise<void>;
}

/** A server to run the cases against: the fake, or the reference server with a CRM backend. */
interface World {
  readonly name: string;
  /** `accepts`: what the hello names in `accepts` (the kit's client names `partial-ack`). */
  connect(user: UserProfile, device?: string, accepts?: string[]): Promise<Peer>;
  /** An entity at version 1 (in the CRM, for the reference server). */
  seed(type: string, id: string, fields: Fields): void;
  /** A notification to one user from a backend; resolves to its id. */
  notify(userId: string, title: string): Promise<string>;
  /** What the CRM backend stores for a save, over what was sent. */
  grow: (sent: Fields) => Fields;
  /**
   * The CRM backend down for saves (`false`: back), naming when it is back in whole seconds
   * (`Retry-After`) when given.
   */
  backendDown(down: boolean, retryAfterSeconds?: number): void;
  advance(ms: number): Promise<void>;
  close(): Promise<void>;
}

function fakeWorld(): World {
  const clock = new ManualClock();
  const server = new FakeServer({ clock, maxBufferedBytes: MAX_BUFFERED_BYTES });
  const world: World = {
    name: 'the fake server',
    grow: () => ({}),
    async connect(user, device = user.id, accepts) {
      const frames: ServerFrame[] = [];
      const socket = server.socketFactory('fake://');
      socket.onmessage = (e) => void frames.push(JSON.parse(e.data as string) as ServerFrame);
      await clock.flush();
      const peer: Peer = {
        frames,
        settle: () => clock.flush(),
        async request(frame) {
          socket.send(JSON.stringify(frame));
          for (let i = 0; i < 50; i++) {
            await clock.flush();
            const answer = frames.find((f) => 'replyTo' in f && f.replyTo === frame.id);
            if (answer) return answer;
          }
          throw new Error(`no answer to ${frame.type}`);
        },
      };
      const hello = { type: 'hello', id: nextId('h'), v: PROTOCOL_VERSION, devUser: user };
      await peer.request({
        ...hello,
        clientId: nextId(`${device}-`),
        ...(accepts ? { accepts } : {}),
      });
      return peer;
    },
    seed: (type, id, fields) => void server.entities.put({ type, id, fields: fields as never }),
    backendDown: (down, seconds) =>
      server.setBackendDown(down, seconds === undefined ? {} : { retryAfterMs: seconds * 1000 }),
    notify: async (userId, title) => server.notify({ target: { user: userId }, title }).id,
    advance: (ms) => clock.advance(ms),
    close: async () => {},
  };
  server.entities.backendStores = (sent) => world.grow(sent) as never;
  return world;
}

async function serverWorld(): Promise<World> {
  const backend = await growingBackend();
  const clock = new ManualClock();
  const server: RealtimeServer = createServer({
    auth: { devIdentities: true },
    quiet: true,
    clock,
    heartbeatMs: 3_600_000,
    limits: { maxBufferedBytes: MAX_BUFFERED_BYTES, maxMessagesPerSecond: 10_000 },
    entityBackend: { url: backend.url, timeoutMs: 2000 },
  });
  const { port } = await server.listen(0, '127.0.0.1');
  const sockets: TestClient[] = [];
  const world: World = {
    name: 'the reference server',
    grow: () => ({}),
    async connect(user, device = user.id, accepts) {
      const socket = await TestClient.connect(`ws://127.0.0.1:${port}/`, {
        user,
        clientId: nextId(`${device}-`),
        ...(accepts ? { accepts } : {}),
      });
      sockets.push(socket);
      return {
        frames: socket.frames,
        request: (frame) => socket.request(frame as never),
        settle: () => socket.sync(),
      };
    },
    seed: (type, id, fields) => void backend.records.set(`${type}/${id}`, fields),
    backendDown: (down, seconds) => {
      backend.down = !down ? undefined : seconds === undefined ? {} : { retryAfter: `${seconds}` };
    },
    notify: async (userId, title) => {
      const input = { target: { user: userId }, type: 'info', priority: 'normal', title } as const;
      return (await server.notifications.send(input)).notification.id;
    },
    advance: (ms) => clock.advance(ms),
    async close() {
      for (const s of sockets) s.close();
      await server.close();
      await backend.close();
    },
  };
  backend.grow = (sent) => world.grow(sent);
  return world;
}

const worlds: [string, () => World | Promise<World>][] = [
  ['the fake server', fakeWorld],
  ['the reference server', serverWorld],
];

for (const [name, make] of worlds) {
  describe(`frame sizes and replay budgets on ${name}`, () => {
    let world: World;
    let n = 0;
    before(async () => {
      world = await make();
    });
    after(() => world.close());

    function save(peer: Peer, id: string, fields: Fields, baseVersion = 1) {
      return peer.request({
        type: 'entity.update',
        id: nextId('upd'),
        mutationId: nextId('mutation-'),
        entityType: 'customer',
        entityId: id,
        baseVersion,
        fields,
      });
    }

    function read(peer: Peer, id: string) {
      return peer.request({
        type: 'entity.get',
        id: nextId('get'),
        entityType: 'customer',
        entityId: id,
      });
    }

    function join(peer: Peer, room: string, extra: Fields = {}) {
      return peer.request({ type: 'join', id: nextId('join'), room, ...extra });
    }

    const changes = (peer: Peer) =>
      peer.frames.filter(
        (f): f is FrameOf<ServerFrame, 'event'> =>
          f.type === 'event' && f.event === 'entity.change',
      );

    it('acknowledges a save the CRM grew past what an event carries; the room gets it without previous', async () => {
      const id = `p${++n}`;
      world.seed('customer', id, { name: 'Acme', notes: 'o'.repeat(30_000) });
      const grown = 'N'.repeat(40_000);
      world.grow = () => ({ notes: grown });
      const a = await world.connect(ada);
      const b = await world.connect(bob);
      await read(a, id);
      await join(b, `customer:${id}`);
      const reply = await save(a, id, { notes: 'typed' });
      assert.equal(reply.type, 'entity.ack', JSON.stringify(reply).slice(0, 300));
      const ack = reply as FrameOf<ServerFrame, 'entity.ack'>;
      assert.equal(ack.partial, undefined);
      assert.equal(ack.entity.version, 2);
      assert.equal(ack.entity.fields['notes'], grown);
      await b.settle();
      const [event] = changes(b);
      const change = event?.payload as { entity: Entity; previous: Fields; previousOmitted?: true };
      assert.equal(change.entity.fields['notes'], grown);
      assert.deepEqual(change.previous, {});
      assert.equal(change.previousOmitted, true);
      world.grow = () => ({});
    });

    it('acknowledges it partial when the entity is over a frame; a read is refused payload_too_large', async () => {
      const id = `p${++n}`;
      world.seed('customer', id, { name: 'Acme', notes: 'o' });
      world.grow = () => ({ notes: 'N'.repeat(70_000) });
      const a = await world.connect(ada, ada.id, [ACCEPTS_PARTIAL_ACK]);
      const b = await world.connect(bob);
      await read(a, id);
      await join(b, `customer:${id}`);
      const reply = await save(a, id, { notes: 'typed' });
      assert.equal(reply.type, 'entity.ack', JSON.stringify(reply).slice(0, 300));
      const ack = reply as FrameOf<ServerFrame, 'entity.ack'>;
      assert.equal(ack.partial, true);
      assert.equal(ack.entity.version, 2);
      assert.deepEqual(ack.entity.fields, {});
      const again = await read(a, id);
      assert.equal(again.type === 'error' && again.code, 'payload_too_large');
      await b.settle();
      assert.equal(changes(b).length, 0, 'no event a client would drop');
      world.grow = () => ({});
    });

    it('refuses `payload_too_large`, not `partial`, a client whose hello did not accept it; the save is kept once', async () => {
      // A page of the release before `partial` (still open during a rolling deploy) would take
      // the ack's empty fields for the record's.
      const id = `p${++n}`;
      world.seed('customer', id, { name: 'Acme', notes: 'o' });
      let asked = 0;
      world.grow = () => {
        asked += 1;
        return { notes: 'N'.repeat(70_000) };
      };
      const a = await world.connect(ada);
      await read(a, id);
      const update = {
        type: 'entity.update',
        mutationId: nextId('mutation-'),
        entityType: 'customer',
        entityId: id,
        baseVersion: 1,
        fields: { notes: 'typed' },
      };
      const reply = await a.request({ ...update, id: nextId('upd') });
      assert.equal(
        reply.type === 'error' && reply.code,
        'payload_too_large',
        JSON.stringify(reply),
      );
      assert.match((reply as FrameOf<ServerFrame, 'error'>).message, /kept/);
      const again = await a.request({ ...update, id: nextId('upd') });
      assert.equal(again.type === 'error' && again.code, 'payload_too_large');
      assert.equal(asked, 1, 'the retry is the same save, not a second one');
      assert.equal(
        a.frames.filter((f) => f.type === 'entity.ack').length,
        0,
        'no ack with empty fields',
      );
      world.grow = () => ({});
    });

    it('refuses a save whose own event would exceed the frame limit, before the CRM hears of it', async () => {
      const id = `p${++n}`;
      world.seed('customer', id, { name: 'Acme', notes: 'o'.repeat(40_000) });
      let asked = 0;
      world.grow = () => {
        asked += 1;
        return {};
      };
      const a = await world.connect(ada);
      await read(a, id);
      const reply = await save(a, id, { summary: 's'.repeat(30_000) });
      assert.equal(reply.type === 'error' && reply.code, 'payload_too_large');
      assert.equal(asked, 0);
      const snapshot = (await read(a, id)) as FrameOf<ServerFrame, 'entity.snapshot'>;
      assert.equal(snapshot.entity.version, 1);
      world.grow = () => ({});
    });

    it('sends a conflict too large without base, and refuses one still too large', async () => {
      const id = `p${++n}`;
      world.seed('customer', id, { name: 'Acme', notes: 'a'.repeat(20_000) });
      const a = await world.connect(ada);
      const b = await world.connect(bob);
      await read(a, id);
      assert.equal((await save(b, id, { notes: 'b'.repeat(20_000) })).type, 'entity.ack');
      // base, mine, theirs and the current entity: about 80 KB, 60 KB without base.
      const reply = await save(a, id, { notes: 'c'.repeat(20_000) });
      assert.equal(reply.type, 'entity.conflict', JSON.stringify(reply).slice(0, 300));
      const [conflict] = (reply as FrameOf<ServerFrame, 'entity.conflict'>).conflicts;
      assert.equal(conflict?.field, 'notes');
      assert.equal('base' in conflict!, false);
      assert.equal(conflict?.theirs, 'b'.repeat(20_000));
      assert.equal(conflict?.mine, 'c'.repeat(20_000));
      // Without base still about 70 KB.
      const refused = await save(a, id, { notes: 'd'.repeat(28_000) });
      assert.equal(refused.type === 'error' && refused.code, 'payload_too_large');
    });

    it('refuses an addressed emit whose signal frame would exceed the limit; nobody gets it', async () => {
      const room = `team/s${++n}`;
      const a = await world.connect(ada);
      const b = await world.connect(bob);
      await join(a, room);
      await join(b, room);
      const emit = { type: 'emit', id: 'e0000001', room, event: 'cursor', to: 'bob' };
      const bare = Buffer.byteLength(JSON.stringify({ ...emit, payload: { s: '' } }));
      // The emit fits, with 8 bytes to spare; the signal adds `from` and `at`.
      const s = 'x'.repeat(LIMITS.maxFrameBytes - bare - 8);
      const refused = await a.request({ ...emit, id: nextId('e0000'), payload: { s } });
      assert.equal(refused.type === 'error' && refused.code, 'payload_too_large');
      const ok = await a.request({ ...emit, id: nextId('e0000'), payload: { s: 'small' } });
      assert.equal(ok.type, 'ack');
      await b.settle();
      const signals = b.frames.filter((f) => f.type === 'signal');
      assert.deepEqual(
        signals.map((f) => (f as FrameOf<ServerFrame, 'signal'>).payload),
        [{ s: 'small' }],
      );
    });

    it('replays a user joining again and again up to a budget a minute, then answers gap', async () => {
      const room = `team/r${++n}`;
      const publisher = await world.connect(ada);
      await join(publisher, room);
      const seqs: number[] = [];
      for (let i = 0; i < 5; i++) {
        const ack = await publisher.request({
          type: 'emit',
          id: nextId('e'),
          room,
          event: 'blob',
          payload: { i, blob: 'x'.repeat(60_000) },
        });
        assert.equal(ack.type, 'ack', JSON.stringify(ack).slice(0, 200));
        seqs.push((ack as { seq: number }).seq);
      }
      const since = seqs[0]! - 1;
      const reader = await world.connect(bob);
      const resumes: string[] = [];
      for (let i = 0; i < 30 && !resumes.includes('gap'); i++) {
        const joined = await join(reader, room, { since, watch: i % 2 === 0 });
        resumes.push((joined as FrameOf<ServerFrame, 'joined'>).resume);
      }
      const replayed = resumes.filter((r) => r === 'replayed').length;
      assert.equal(resumes.at(-1), 'gap', `${replayed} replays and no gap`);
      assert.ok(replayed >= 10 && replayed <= 14, `${replayed} replays of ~300 KB in 4 MiB`);
      // Another device of the same user gets no more; another user has a budget of their own.
      const other = await world.connect(bob, 'bob-other');
      assert.equal(((await join(other, room, { since })) as { resume: string }).resume, 'gap');
      const own = (await join(publisher, room, { since })) as { resume: string };
      assert.equal(own.resume, 'replayed');
      await world.advance(60_000);
      assert.equal(
        ((await join(reader, room, { since })) as { resume: string }).resume,
        'replayed',
      );
    });
  });

  describe(`the CRM backend down for saves on ${name}`, () => {
    let world: World;
    before(async () => {
      world = await make();
    });
    after(() => world.close());

    it('answers backend_unavailable, with retryAfterMs only when the backend named a wait; the same save goes once it is back', async () => {
      world.seed('customer', 'down1', { name: 'Acme' });
      const a = await world.connect(ada);
      await a.request({
        type: 'entity.get',
        id: nextId('get'),
        entityType: 'customer',
        entityId: 'down1',
      });
      const update = {
        type: 'entity.update',
        entityType: 'customer',
        entityId: 'down1',
        mutationId: nextId('mutation-'),
        baseVersion: 1,
        fields: { phone: '5550100' },
      };
      const withoutReply = (frame: ServerFrame) => {
        const { replyTo: _, ...rest } = frame as ServerFrame & { replyTo?: string };
        return rest;
      };
      world.backendDown(true, 20);
      const named = await a.request({ ...update, id: nextId('upd') });
      assert.deepEqual(withoutReply(named), {
        type: 'error',
        code: 'backend_unavailable',
        message: 'the CRM did not answer; try again later',
        room: 'customer:down1',
        retryAfterMs: 20_000,
      });
      world.backendDown(true);
      const unnamed = await a.request({ ...update, id: nextId('upd') });
      assert.deepEqual(withoutReply(unnamed), {
        type: 'error',
        code: 'backend_unavailable',
        message: 'the CRM did not answer; try again later',
        room: 'customer:down1',
      });
      world.backendDown(false);
      const saved = await a.request({ ...update, id: nextId('upd') });
      assert.equal(saved.type, 'entity.ack', JSON.stringify(saved));
      assert.equal((saved as FrameOf<ServerFrame, 'entity.ack'>).entity.version, 2);
    });

    it('names at most a minute when the backend names an hour, and no wait for "0"', async () => {
      world.seed('customer', 'down2', { name: 'Acme' });
      const a = await world.connect(ada);
      await a.request({
        type: 'entity.get',
        id: nextId('get'),
        entityType: 'customer',
        entityId: 'down2',
      });
      const save = () =>
        a.request({
          type: 'entity.update',
          id: nextId('upd'),
          entityType: 'customer',
          entityId: 'down2',
          mutationId: nextId('mutation-'),
          baseVersion: 1,
          fields: { phone: '5550100' },
        });
      world.backendDown(true, 3600);
      const hour = await save();
      world.backendDown(true, 0);
      const none = await save();
      world.backendDown(false);
      assert.equal(hour.type, 'error');
      assert.equal((hour as FrameOf<ServerFrame, 'error'>).retryAfterMs, 60_000);
      assert.equal(none.type, 'error');
      assert.equal('retryAfterMs' in none, false, JSON.stringify(none));
    });
  });

  describe(`unread counts on ${name}`, () => {
    let world: World;
    before(async () => {
      world = await make();
    });
    after(() => world.close());

    it('a read in one tab: each tab is sent its own count, numbered per connection', async () => {
      const carol: UserProfile = { id: 'carol', name: 'Carol' };
      const laptop = await world.connect(carol, 'laptop');
      const phone = await world.connect(carol, 'phone');
      for (const tab of [laptop, phone]) {
        await tab.request({ type: 'join', id: nextId('join'), room: 'user:carol' });
      }
      const first = await world.notify('carol', 'One');
      await world.notify('carol', 'Two');
      await laptop.settle();
      // How far a count reaches is the order of the newest notification it counted, which its
      // live event names.
      const orders = laptop.frames.flatMap((f) =>
        f.type === 'event' && f.event === 'notification' ? [(f.payload as Notification).order] : [],
      );
      assert.equal(orders.length, 2);
      assert.ok(orders[0]! < orders[1]!, `orders grow: ${JSON.stringify(orders)}`);
      const unreadUpTo = orders[1]!;
      const page = await laptop.request({ type: 'notification.list', id: nextId('l') });
      assert.deepEqual(
        page.type === 'notification.page' && [page.unread, page.unreadSeq, page.unreadUpTo],
        [2, 1, unreadUpTo],
      );
      const answer = await laptop.request({
        type: 'notification.read',
        id: nextId('r'),
        ids: [first],
      });
      assert.deepEqual(
        answer.type === 'notification.read-state' && [
          answer.unread,
          answer.unreadSeq,
          answer.unreadUpTo,
        ],
        [1, 2, unreadUpTo],
      );
      await phone.settle();
      await laptop.settle();
      const pushes = (peer: Peer) =>
        peer.frames
          .filter((f) => f.type === 'notification.read-state' && f.replyTo === undefined)
          .map((f) => JSON.stringify(f));
      const push = (unreadSeq: number) =>
        JSON.stringify({
          type: 'notification.read-state',
          ids: [first],
          unread: 1,
          unreadSeq,
          unreadUpTo,
        });
      assert.deepEqual(pushes(phone), [push(1)]);
      assert.deepEqual(pushes(laptop), [push(3)]);
    });
  });
}
