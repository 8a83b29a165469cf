/**
 * Re-sending a change the server could not settle ("the CRM did not answer", a timeout): the
 * edit is kept and sent again for as long as it takes, but a CRM that stays down is asked less and
 * less often — a jittered wait whose ceiling starts at 5 s and doubles to 60 s — and the wait
 * starts over once an answer comes. A connection opening again sends it at once, and a record
 * that still fails then goes on waiting as long as before. Driven on a manual clock
 * against a stub of the client's port, so the server's answer is whatever the test says.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Entity, ServerFrame } from '../../../../src/protocol/index.js';
import { Changes, type ChangeOwner } from '../../../../src/client/live-data/changes.js';
import { MemoryOutboxStore } from '../../../../src/client/index.js';
import { RealtimeError } from '../../../../src/client/realtime-error.js';
import type { ConnectionStatus, RequestInput } from '../../../../src/client/types.js';
import { ManualClock } from '../../../../src/testing/index.js';

const entity: Entity = {
  type: 'customer',
  id: '42',
  version: 1,
  fields: { phone: '100' },
  updatedAt: 0,
};

/** The client's port, answering every `entity.update` with `answer`. */
class StubClient {
  status: ConnectionStatus = { state: 'open', since: 0 };
  readonly user = { id: 'ada', name: 'Ada' };
  answer: 'backend_unavailable' | 'rate_limited' | 'ack' | 'partial-ack' = 'backend_unavailable';
  /** With `rate_limited`: the wait the server names. */
  retryAfterMs: number | undefined;
  updates = 0;

  async request(frame: RequestInput): Promise<ServerFrame> {
    assert.equal(frame.type, 'entity.update');
    if (frame.type !== 'entity.update') throw new Error('unexpected frame');
    this.updates += 1;
    if (this.answer === 'ack') {
      const version = entity.version + this.updates;
      return {
        type: 'entity.ack',
        replyTo: `r${this.updates}`,
        mutationId: frame.mutationId,
        entity: { ...entity, version, fields: { ...entity.fields, ...frame.fields } },
        duplicate: false,
      };
    }
    if (this.answer === 'partial-ack') {
      // Applied, the entity too large to come along (a CRM backend grew its values).
      return {
        type: 'entity.ack',
        replyTo: `r${this.updates}`,
        mutationId: frame.mutationId,
        entity: { ...entity, version: entity.version + this.updates, fields: {} },
        duplicate: false,
        partial: true,
      };
    }
    throw new RealtimeError(
      this.answer,
      'the CRM did not answer; try again later',
      'customer:42',
      undefined,
      this.answer === 'rate_limited' ? this.retryAfterMs : undefined,
    );
  }
}

const owner: ChangeOwner = {
  entityType: 'customer',
  entityId: '42',
  handlesConflicts: false,
  offerConflict: () => {},
};

async function setup() {
  const clock = new ManualClock();
  const client = new StubClient();
  /** What the changes told the views: entities learned from answers, entities to read again. */
  const told: string[] = [];
  const store = new MemoryOutboxStore();
  const changes = new Changes(
    client,
    {
      entity: () => entity,
      learned: (key, learned) => void told.push(`learned ${key}@${learned.version}`),
      outdated: (key, version) => void told.push(`outdated ${key}@${version}`),
      notify: () => {},
      takers: () => [],
    },
    // The middle of each jitter window, so a wait is half its ceiling.
    { clock, logger: { warn: () => {} }, store, random: () => 0.5 },
  );
  // What a page before left is in line before these tests' saves.
  await changes.outbox.ready;
  /** Resolves once the client has sent `n` updates in all (microtasks only; no time passes). */
  async function sent(n: number): Promise<void> {
    for (let i = 0; i < 100 && client.updates < n; i++) await clock.flush();
    assert.equal(client.updates, n, `${n} updates sent`);
  }
  /** The wait scheduled before the next re-send. */
  function wait(): number {
    assert.equal(clock.pending, 1, 'one re-send is scheduled');
    return clock.nextTimerAt()! - clock.now();
  }
  /** Lets the scheduled wait pass, up to the re-send it leads to; returns how long it was. */
  async function retry(): Promise<number> {
    const ms = wait();
    const before = client.updates;
    await clock.advance(ms);
    await sent(before + 1);
    return ms;
  }
  return { clock, client, changes, sent, wait, retry, told, store };
}

describe('live data: re-sending when the CRM did not answer', () => {
  it('keeps re-sending, each wait twice the last up to a minute (jittered)', async () => {
    const { client, changes, sent, retry } = await setup();
    const saving = changes.submit(owner, { phone: '200' }, 1, { phone: '100' });
    await sent(1);
    const waits: number[] = [];
    for (let i = 0; i < 7; i++) waits.push(await retry());
    // Ceilings 5, 10, 20, 40, 60, 60, 60 s; the stub's randomness picks the middle of each.
    assert.deepEqual(waits, [2500, 5000, 10_000, 20_000, 30_000, 30_000, 30_000]);
    client.answer = 'ack';
    await retry();
    assert.equal((await saving).state, 'confirmed', 'never given up, confirmed once answered');
  });

  it('starts over from the first wait after an answer', async () => {
    const { client, changes, sent, retry, wait } = await setup();
    changes.submit(owner, { phone: '200' }, 1, { phone: '100' });
    await sent(1);
    await retry();
    await retry();
    client.answer = 'ack';
    await retry(); // answered: confirmed
    client.answer = 'backend_unavailable';
    changes.submit(owner, { phone: '300' }, 2, { phone: '200' });
    await sent(5);
    assert.equal(wait(), 2500);
  });

  it('sends it at once when the connection opens again, and the wait goes on growing if it fails', async () => {
    const { client, changes, sent, retry, wait } = await setup();
    changes.submit(owner, { phone: '200' }, 1, { phone: '100' });
    await sent(1);
    for (let i = 0; i < 3; i++) await retry();
    assert.equal(wait(), 20_000);
    client.status = { state: 'reconnecting', attempt: 0, nextRetryAt: 0 };
    changes.connectionLost();
    client.status = { state: 'open', since: 0 };
    changes.connectionOpened();
    await sent(5); // sent again on the new connection, without waiting out the 20 s
    // Refused on the new connection too: the record is still failing, so it is not asked at the
    // first waits again (ceiling 80 s, capped at 60 s).
    assert.equal(wait(), 30_000);
  });
});

describe('live data: a change refused for now, on an open connection', () => {
  // The page says "waiting to be saved, trying again in 3 s" rather than "offline": the change
  // tells why it waits and when it is tried again, for as long as that holds.
  it('tells why it waits and when it is tried again, until an answer comes', async () => {
    const { clock, client, changes, sent, retry } = await setup();
    client.answer = 'rate_limited';
    const saving = changes.submit(owner, { phone: '200' }, 1, { phone: '100' });
    await sent(1);
    let [info] = changes.changes('customer:42');
    assert.equal(info?.state, 'pending');
    assert.equal(info?.queued, true);
    assert.equal(info?.error?.code, 'rate_limited');
    assert.equal(info?.retryAt, clock.now() + 2500);
    await retry(); // refused again: the next, longer wait
    [info] = changes.changes('customer:42');
    assert.equal(info?.retryAt, clock.now() + 5000);
    client.answer = 'ack';
    await retry();
    const outcome = await saving;
    assert.equal(outcome.state, 'confirmed');
    assert.equal(outcome.retryAt, undefined);
    assert.equal(outcome.error, undefined);
  });

  it("waits as long as the server says its budget needs (retryAfterMs), not the backoff's guess", async () => {
    const { clock, client, changes, sent, wait } = await setup();
    client.answer = 'rate_limited';
    client.retryAfterMs = 17_000;
    changes.submit(owner, { phone: '200' }, 1, { phone: '100' });
    await sent(1);
    // 17 s, and a tenth of at most a second more (here half of it: random is 0.5).
    assert.equal(wait(), 17_500);
    assert.equal(changes.changes('customer:42')[0]?.retryAt, clock.now() + 17_500);
  });

  it('waits at most a minute however long the server names (past what a timer holds, too)', async () => {
    const { clock, client, changes, sent, wait } = await setup();
    client.answer = 'rate_limited';
    client.retryAfterMs = 2 ** 31; // a timer given this fires at once
    changes.submit(owner, { phone: '200' }, 1, { phone: '100' });
    await sent(1);
    // A minute, and a tenth of at most a second more (half of it: random is 0.5).
    assert.equal(wait(), 60_500);
    for (let i = 0; i < 20; i++) await clock.flush();
    assert.equal(client.updates, 1, 'not sent again at once');
  });

  it('sends nothing before the wait is over, not even for a newer save', async () => {
    const { clock, client, changes, sent, wait } = await setup();
    client.answer = 'rate_limited';
    changes.submit(owner, { phone: '200' }, 1, { phone: '100' });
    await sent(1);
    const retryAt = clock.now() + wait();
    changes.submit(owner, { phone: '300' }, 1, { phone: '200' });
    for (let i = 0; i < 20; i++) await clock.flush();
    assert.equal(client.updates, 1, 'the first one is not sent again at once');
    client.answer = 'ack';
    await clock.advance(retryAt - clock.now());
    await sent(3); // then both go, in order
    assert.deepEqual(
      changes.changes('customer:42').map((c) => c.state),
      ['confirmed', 'confirmed'],
    );
  });

  it("after a failure that may be one record's (the CRM did not answer), a newer save goes at once", async () => {
    const { client, changes, sent } = await setup();
    client.answer = 'backend_unavailable';
    changes.submit(owner, { phone: '200' }, 1, { phone: '100' });
    await sent(1);
    client.answer = 'ack';
    changes.submit(owner, { phone: '300' }, 1, { phone: '200' });
    await sent(3); // the waiting one and the newer one, in order, without waiting
    assert.deepEqual(
      changes.changes('customer:42').map((c) => c.state),
      ['confirmed', 'confirmed'],
    );
  });

  it('no longer tells a retry time once the connection is lost: it waits for the connection', async () => {
    const { client, changes, sent } = await setup();
    client.answer = 'rate_limited';
    changes.submit(owner, { phone: '200' }, 1, { phone: '100' });
    await sent(1);
    assert.notEqual(changes.changes('customer:42')[0]?.retryAt, undefined);
    client.status = { state: 'reconnecting', attempt: 0, nextRetryAt: 0 };
    changes.connectionLost();
    const [info] = changes.changes('customer:42');
    assert.equal(info?.queued, true, 'still waiting in the outbox');
    assert.equal(info?.retryAt, undefined);
  });
});

describe('live data: a save acknowledged without its values', () => {
  // The CRM kept the save but grew its values past what a frame carries: the answer is an ack
  // with `partial` and no fields. The save succeeded: it must end confirmed, never be sent again
  // nor given back to the user, and the entity (not the empty fields) be read again.
  it('is confirmed once, not re-sent, and the entity is read again instead of learned', async () => {
    const { client, changes, sent, clock, told, store } = await setup();
    client.answer = 'partial-ack';
    const saving = changes.submit(owner, { phone: '200' }, 1, { phone: '100' });
    await sent(1);
    const outcome = await saving;
    assert.equal(outcome.state, 'confirmed');
    assert.equal(outcome.error, undefined);
    assert.deepEqual(told, ['outdated customer:42@2'], 'read again, the empty fields never taken');
    assert.equal(clock.pending, 0, 'no re-send scheduled');
    // Taken out of the outbox as settled (its removal is written after the answer).
    for (let i = 0; i < 100 && (await store.load()).length > 0; i++) await clock.flush();
    assert.deepEqual(await store.load(), [], 'gone from the outbox');
    await clock.advance(120_000);
    assert.equal(client.updates, 1, 'sent once');
  });
});
