/**
 * The shared entity's snapshot read: an answer that says "not now" (the CRM's backend or its
 * authorization did not answer) is read again after a jittered, doubling wait; a final one is
 * shown and not read again.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RealtimeError } from '../../../../src/client/index.js';
import { LiveEntity, type LiveEntityHost } from '../../../../src/client/live-data/live-entity.js';
import type { Entity, ServerFrame } from '../../../../src/protocol/index.js';
import { ManualClock } from '../../../../src/testing/index.js';

const entity: Entity = {
  type: 'customer',
  id: '42',
  version: 3,
  fields: { name: 'Acme' },
  updatedAt: 1,
};

/** A host already joined to the room, whose reads are answered by `answers`, in turn. */
function host(answers: (() => Promise<ServerFrame>)[]) {
  const clock = new ManualClock();
  let reads = 0;
  const h: LiveEntityHost & { reads(): number } = {
    clock,
    random: () => 0.5,
    request: () => {
      reads++;
      const next = answers.shift();
      return next ? next() : new Promise<ServerFrame>(() => undefined);
    },
    joinRoom: () => ({ room: 'customer:42', release: () => undefined }),
    isOpen: () => true,
    lastSeq: () => 7,
    notify: () => undefined,
    deleted: () => undefined,
    reads: () => reads,
  };
  return { h, clock };
}

const notNow = () =>
  Promise.reject(new RealtimeError('backend_unavailable', 'the CRM did not answer'));
const snapshot = () =>
  Promise.resolve({ type: 'entity.snapshot', replyTo: 'r', entity } as ServerFrame);

describe('LiveEntity', () => {
  it('reads again after "not now", waiting longer each time, until the snapshot comes', async () => {
    const { h, clock } = host([notNow, notNow, snapshot]);
    const live = new LiveEntity(h, 'customer', '42');
    await clock.flush();
    assert.equal(h.reads(), 1);
    assert.equal(live.status, 'loading', 'still loading, not an error: it will be read again');

    await clock.advance(2499); // half of the first 5 s ceiling (random 0.5)
    assert.equal(h.reads(), 1);
    await clock.advance(1);
    assert.equal(h.reads(), 2);

    await clock.advance(4999); // then half of 10 s
    assert.equal(h.reads(), 2);
    await clock.advance(1);
    assert.equal(h.reads(), 3);
    assert.equal(live.status, 'ready');
    assert.equal(live.entity?.version, 3);

    await clock.runAll();
    assert.equal(h.reads(), 3, 'nothing more once read');
  });

  it('reads again no sooner than the wait the server named (the CRM said when it is back)', async () => {
    const named = () =>
      Promise.reject(
        new RealtimeError(
          'backend_unavailable',
          'the CRM did not answer',
          undefined,
          undefined,
          20_000,
        ),
      );
    const { h, clock } = host([named, snapshot]);
    const live = new LiveEntity(h, 'customer', '42');
    await clock.flush();
    await clock.advance(19_999); // the backoff alone would have read again at 2.5 s
    assert.equal(h.reads(), 1);
    await clock.advance(1);
    assert.equal(h.reads(), 2);
    assert.equal(live.status, 'ready');
  });

  it('a named wait longer than a minute (an hour) is read again after a minute', async () => {
    const named = () =>
      Promise.reject(
        new RealtimeError('backend_unavailable', 'down', undefined, undefined, 3_600_000),
      );
    const { h, clock } = host([named, snapshot]);
    const live = new LiveEntity(h, 'customer', '42');
    await clock.flush();
    await clock.advance(59_999);
    assert.equal(h.reads(), 1);
    await clock.advance(1);
    assert.equal(h.reads(), 2, 'read again after the longest wait the protocol names');
    assert.equal(live.status, 'ready');
  });

  it('a read two callers shared (a resume while it was under way) is read again once', async () => {
    let answer: ((frame: ServerFrame) => void) | undefined;
    let fail: ((error: unknown) => void) | undefined;
    const { h, clock } = host([
      () =>
        new Promise<ServerFrame>((resolve, reject) => {
          answer = resolve;
          fail = reject;
        }),
      snapshot,
    ]);
    const live = new LiveEntity(h, 'customer', '42');
    live.resumed({ room: 'customer:42', resume: 'gap', missed: 0 });
    assert.equal(h.reads(), 1, 'the resume joined the read under way');
    fail!(new RealtimeError('backend_unavailable', 'the CRM did not answer'));
    await clock.flush();
    assert.equal(clock.pending, 1, 'one wait, not one per caller');
    await clock.runAll();
    assert.equal(h.reads(), 2);
    assert.equal(live.status, 'ready');
    assert.ok(answer);
  });

  it('a final answer is shown and not read again; a released entity is not read again', async () => {
    const refused = host([() => Promise.reject(new RealtimeError('forbidden', 'no'))]);
    const live = new LiveEntity(refused.h, 'customer', '42');
    await refused.clock.runAll();
    assert.equal(live.status, 'error');
    assert.equal(refused.h.reads(), 1);

    const released = host([notNow, snapshot]);
    const gone = new LiveEntity(released.h, 'customer', '42');
    await released.clock.flush();
    gone.dispose();
    await released.clock.runAll();
    assert.equal(released.h.reads(), 1);
  });

  // A save acknowledged `partial` (the CRM grew the record past what the ack carries) names the
  // version it made; the entity is read again until it shows that version, not merely once.
  it('reads again after a partial ack, and again after a read that left before that version', async () => {
    let answer: ((frame: ServerFrame) => void) | undefined;
    const newer: Entity = { ...entity, version: 4, fields: { name: 'Acme', notes: 'grown' } };
    const { h, clock } = host([
      snapshot,
      () => new Promise<ServerFrame>((resolve) => (answer = resolve)),
      () =>
        Promise.resolve({ type: 'entity.snapshot', replyTo: 'r', entity: newer } as ServerFrame),
    ]);
    const live = new LiveEntity(h, 'customer', '42');
    await clock.flush();
    assert.equal(live.entity?.version, 3);
    live.resumed({ room: 'customer:42', resume: 'gap', missed: 1 }); // a read under way, sent before version 4
    await clock.flush();
    assert.equal(h.reads(), 2);
    live.outdated(4);
    answer!({ type: 'entity.snapshot', replyTo: 'r', entity } as ServerFrame);
    await clock.flush();
    assert.equal(h.reads(), 3, 'read again once the older read came back');
    assert.equal(live.entity?.version, 4);
    assert.equal(live.entity?.fields['notes'], 'grown');
    live.outdated(4);
    await clock.flush();
    assert.equal(h.reads(), 3, 'nothing more once it has that version');
  });
});
