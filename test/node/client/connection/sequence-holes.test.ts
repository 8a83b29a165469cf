/**
 * A hole in a room's sequence on a live socket (an event whose `seq` is more than one above the
 * last, after `joined`): a server of a backend team's own that skipped a number, or lost an event
 * on the way to one socket. The client joins again from the last `seq` it saw, so the server
 * replays what it missed (or answers `gap`, and the stores re-read), once per hole.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import type { ResumeInfo } from '../../../../src/client/index.js';
import type { ActivityInput, ActivityItem } from '../../../../src/protocol/index.js';
import type { AuthorizeHook } from '../../../../src/server/authorize.js';
import { createRig, sampleActivity, type Rig } from '../../../../src/testing/index.js';
import { RealServerSuite, waitFor } from '../../helpers/real-client.js';

const ROOM = 'customer:42';
const bob = { id: 'bob', name: 'Bob' };

/** The server publishes `run` (it is in its replay buffer) but no socket receives what it sends. */
function lostOnTheWay(rig: Rig, run: () => void): void {
  rig.server.blackhole(true);
  run();
  rig.server.blackhole(false);
}

function joinsOf(rig: Rig, room = ROOM) {
  return rig.server.received('join').filter((join) => join.room === room);
}

describe('a hole in the sequence while joined', () => {
  it('joins again from the last seq and hands the missed events over once, in order', async () => {
    const rig = createRig();
    const client = rig.client();
    client.joinRoom(ROOM);
    const seen: number[] = [];
    const resumes: ResumeInfo[] = [];
    client.on('*', (m) => seen.push(m.payload as number));
    client.onResume((info) => resumes.push(info));
    await rig.clock.flush();
    rig.server.broadcast(ROOM, 'n', 1);
    lostOnTheWay(rig, () => rig.server.broadcast(ROOM, 'n', 2));
    rig.server.broadcast(ROOM, 'n', 3);
    await rig.clock.flush();

    assert.deepEqual(seen, [1, 2, 3]);
    assert.deepEqual(
      joinsOf(rig).map((join) => join.since),
      [undefined, 1],
    );
    assert.deepEqual(resumes.at(-1), { room: ROOM, resume: 'replayed', missed: 2 });
    assert.equal(client.lastSeq(ROOM), 3);
    // Later events come as usual, with no other join.
    rig.server.broadcast(ROOM, 'n', 4);
    await rig.clock.flush();
    assert.deepEqual(seen, [1, 2, 3, 4]);
    assert.equal(joinsOf(rig).length, 2);
    rig.close();
  });

  it('events that arrive while that join is in flight come once, in order, with one join', async () => {
    const rig = createRig();
    const client = rig.client();
    client.joinRoom(ROOM);
    const seen: number[] = [];
    client.on('*', (m) => seen.push(m.payload as number));
    await rig.clock.flush();
    const joins = rig.server.hold((frame) => frame.type === 'join');
    rig.server.broadcast(ROOM, 'n', 1);
    lostOnTheWay(rig, () => rig.server.broadcast(ROOM, 'n', 2));
    rig.server.broadcast(ROOM, 'n', 3);
    await rig.clock.flush();
    assert.equal(joins.size, 1); // the join that fills the hole waits on the server
    // The room goes on meanwhile: these reach the client before the replay does, and one more
    // hole among them asks for no second join.
    rig.server.broadcast(ROOM, 'n', 4);
    lostOnTheWay(rig, () => rig.server.broadcast(ROOM, 'n', 5));
    rig.server.broadcast(ROOM, 'n', 6);
    await rig.clock.flush();
    assert.deepEqual(seen, [1]);
    assert.equal(joins.size, 1);
    joins.stop();
    await rig.clock.flush();

    assert.deepEqual(seen, [1, 2, 3, 4, 5, 6]);
    assert.equal(joinsOf(rig).length, 2);
    assert.equal(client.lastSeq(ROOM), 6);
    rig.close();
  });

  it('an activity item lost on the way still reaches the feed', async () => {
    const rig = createRig();
    const feed = rig.client().activity({ kind: 'global' });
    await rig.clock.advance(16);
    lostOnTheWay(rig, () => rig.server.appendActivity(sampleActivity(1)));
    rig.server.appendActivity(sampleActivity(2));
    await rig.clock.advance(16);
    assert.equal(feed.snapshot().items.length, 2);
    rig.close();
  });

  it('a hole the server can no longer replay is a gap: onResume says so and the record is read again', async () => {
    const rig = createRig();
    rig.server.entities.put({ type: 'customer', id: '42', fields: { phone: '555 0100' } });
    const client = rig.client();
    const customer = client.liveData({ entityType: 'customer', entityId: '42' });
    const resumes: ResumeInfo[] = [];
    client.onResume((info) => resumes.push(info));
    await rig.clock.advance(16);
    const reads = rig.server.received('entity.get').length;
    lostOnTheWay(rig, () =>
      rig.server.entities.remoteUpdate('customer', '42', { phone: '555 0199' }, bob),
    );
    rig.server.truncateReplay('customer:42');
    rig.server.broadcast('customer:42', 'note', 'after the hole');
    await rig.clock.advance(16);

    assert.deepEqual(resumes.at(-1), { room: 'customer:42', resume: 'gap', missed: 2 });
    assert.equal(rig.server.received('entity.get').length, reads + 1);
    assert.equal(customer.data.phone, '555 0199');
    assert.equal(joinsOf(rig, 'customer:42').length, 2);
    rig.close();
  });

  it('a skip the protocol allows (members told to resume, answered gap) costs no extra join', async () => {
    const rig = createRig();
    const client = rig.client();
    client.joinRoom(ROOM);
    const resumes: ResumeInfo[] = [];
    const seen: number[] = [];
    client.onResume((info) => resumes.push(info));
    client.on('*', (m) => seen.push(m.payload as number));
    await rig.clock.flush();
    rig.server.broadcast(ROOM, 'n', 1);
    await rig.clock.flush();
    // The server lost event 2 for everyone: it sends `bye`, and the rejoin with since 1 is a gap.
    rig.server.bye(0);
    rig.server.broadcast(ROOM, 'n', 2);
    rig.server.truncateReplay(ROOM);
    await rig.clock.advance(1000);
    assert.deepEqual(resumes.at(-1), { room: ROOM, resume: 'gap', missed: 1 });
    rig.server.broadcast(ROOM, 'n', 3);
    await rig.clock.flush();
    assert.deepEqual(seen, [1, 3]);
    assert.deepEqual(
      joinsOf(rig).map((join) => join.since),
      [undefined, 1],
    );
    rig.close();
  });
});

describe('a server that leaves events out for this user', () => {
  // The reference server leaves out activity items about records the user may not read, live
  // and in replays: holes that are no loss.
  const refuses18: AuthorizeHook = ({ user, action, entity }) =>
    !(
      user.id === 'carol' &&
      action === 'read' &&
      entity?.type === 'customer' &&
      entity.id === '18'
    );
  const suite = new RealServerSuite({
    auth: { devIdentities: true },
    quiet: true,
    authorize: refuses18,
  });
  before(() => suite.start());
  after(() => suite.stop());

  const note = (customer: string, summary: string): ActivityInput => ({
    kind: 'note.added',
    actor: { id: 'alice', name: 'Alice' },
    entity: { type: 'customer', id: customer, label: `Customer ${customer}` },
    summary,
  });

  it('joins again once: a replay that does not fill the hole says the server leaves events out', async () => {
    const sent: string[] = [];
    const client = suite.client('carol', 'carol-device', {
      socketFactory: (url) => {
        const socket = new WebSocket(url);
        const send = socket.send.bind(socket);
        socket.send = (data: string) => (sent.push(data), send(data));
        return socket;
      },
    });
    const FEED = 'activity:global';
    client.joinRoom(FEED);
    const seen: string[] = [];
    const seqs: number[] = [];
    client.on('activity', (m) => {
      seen.push((m.payload as ActivityItem).summary ?? '');
      seqs.push(m.seq);
    });
    await waitFor(() => client.lastSeq(FEED) !== undefined, 'joined');
    const joins = () => sent.filter((text) => text.includes('"join"') && text.includes(FEED));

    for (const [customer, summary] of [
      ['7', 'one'],
      ['18', 'secret'],
      ['7', 'two'],
    ] as const) {
      await suite.server.activity.append(note(customer, summary));
    }
    await waitFor(() => seen.length === 2 && client.heldRooms().has(FEED), 'two items');
    await waitFor(() => joins().length === 2, 'the join from before the hole');
    for (const [customer, summary] of [
      ['18', 'more secret'],
      ['7', 'three'],
    ] as const) {
      await suite.server.activity.append(note(customer, summary));
    }
    await waitFor(() => seen.length === 3, 'the third item');

    assert.deepEqual(seen, ['one', 'two', 'three']);
    assert.equal(joins().length, 2, 'the second hole asks for no join');
    assert.equal(JSON.parse(joins()[1]!).since, seqs[0], 'joined again from the last seq seen');
    assert.deepEqual(
      seqs.map((seq) => seq - seqs[0]!),
      [0, 2, 4],
    );
  });
});
