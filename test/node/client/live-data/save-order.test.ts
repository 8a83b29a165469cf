/**
 * The order saves go in when one record keeps failing: a rep whose one record the CRM refuses
 * for now (its write-through answers 5xx: `internal`, `backend_unavailable`, or no answer in time)
 * still saves the others. One entity's changes go in the order they were made, the failing one's
 * wait behind it for the retry; a server that fails everything is asked a few times per try, not
 * once per waiting change; past the user's write budget (`rate_limited`) nothing goes. A failing
 * record's wait grows with its own refusals, whatever the other records' saves do. Driven on a
 * manual clock against a stub of the client's port that answers per record.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Entity, ServerFrame } from '../../../../src/protocol/index.js';
import { Changes, type ChangeOwner } from '../../../../src/client/live-data/changes.js';
import { MemoryOutboxStore, type OutboxStore } from '../../../../src/client/index.js';
import { RealtimeError, type RealtimeErrorCode } from '../../../../src/client/realtime-error.js';
import type { ConnectionStatus, RequestInput } from '../../../../src/client/types.js';
import { ManualClock } from '../../../../src/testing/index.js';

const entity = (id: string): Entity => ({
  type: 'customer',
  id,
  version: 1,
  fields: { phone: '100' },
  updatedAt: 0,
});

/** The client's port: acks every `entity.update`, except for the records told to fail. */
class StubClient {
  status: ConnectionStatus = { state: 'open', since: 0 };
  readonly user = { id: 'ada', name: 'Ada' };
  /** Records whose saves are refused, and with what. */
  readonly failing = new Map<string, RealtimeErrorCode>();
  /** Every update sent, as `id=phone`, in order. */
  readonly sent: string[] = [];
  /** Records whose refusal names a wait (`retryAfterMs`, as a backend's `Retry-After`). */
  readonly retryAfter = new Map<string, number>();
  /** Records whose next update is held until the test answers it. */
  readonly holding = new Set<string>();
  held: (() => void) | undefined;
  private versions = new Map<string, number>();

  async request(frame: RequestInput): Promise<ServerFrame> {
    if (frame.type !== 'entity.update') throw new Error(`unexpected ${frame.type}`);
    const id = frame.entityId;
    this.sent.push(`${id}=${String(frame.fields['phone'])}`);
    if (this.holding.delete(id)) await new Promise<void>((resolve) => (this.held = resolve));
    const code = this.failing.get(id);
    if (code) {
      const wait = this.retryAfter.get(id);
      throw new RealtimeError(code, 'the CRM failed', `customer:${id}`, undefined, wait);
    }
    const version = (this.versions.get(id) ?? 1) + 1;
    this.versions.set(id, version);
    return {
      type: 'entity.ack',
      replyTo: `r${this.sent.length}`,
      mutationId: frame.mutationId,
      entity: { ...entity(id), version, fields: { phone: frame.fields['phone'] ?? null } },
      duplicate: false,
    };
  }
}

const owner = (id: string): ChangeOwner => ({
  entityType: 'customer',
  entityId: id,
  handlesConflicts: false,
  offerConflict: () => {},
});

/**
 * `pageClock`: the time the page reads, when it is not the manual clock's own (set back, say);
 * `store`: the device's outbox storage; `untilRead`: resolves once the outbox was read from it.
 */
async function setup(
  pageClock?: (manual: ManualClock) => ManualClock['now'],
  store: OutboxStore = new MemoryOutboxStore(),
  untilRead = true,
) {
  const clock = new ManualClock();
  const client = new StubClient();
  const now = pageClock?.(clock);
  const changes = new Changes(
    client,
    {
      entity: (key) => entity(key.slice('customer:'.length)),
      learned: () => {},
      outdated: () => {},
      notify: () => {},
      takers: () => [],
    },
    {
      clock: now
        ? {
            now,
            setTimeout: (fn: () => void, ms: number) => clock.setTimeout(fn, ms),
            clearTimeout: (handle: unknown) => clock.clearTimeout(handle),
          }
        : clock,
      logger: { warn: () => {} },
      store,
      // The middle of each jitter window: the first wait is 2.5 s.
      random: () => 0.5,
    },
  );
  if (untilRead) await changes.outbox.ready;
  /** Version `v` of the record's phone: based on what the last save there made it. */
  const save = (id: string, phone: string, base = 1) =>
    changes.submit(owner(id), { phone }, base, {});
  /** Lets every microtask run (no time passes): what can be sent now is sent and answered. */
  async function settle(): Promise<void> {
    for (let i = 0; i < 100; i++) await clock.flush();
  }
  const states = (id: string) => changes.changes(`customer:${id}`).map((c) => c.state);
  /** Lets the scheduled retry's wait pass, and what it sends be answered. */
  async function retry(): Promise<void> {
    assert.equal(clock.pending, 1, 'one retry is scheduled');
    await clock.advance(clock.nextTimerAt()! - clock.now());
    await settle();
  }
  /**
   * Records a to e saved while offline, every one refused for now by the CRM, then the
   * connection back: the first try goes.
   */
  async function fiveFailingSavedOffline(): Promise<void> {
    for (const id of ['a', 'b', 'c', 'd', 'e']) client.failing.set(id, 'backend_unavailable');
    client.status = { state: 'reconnecting', attempt: 0, nextRetryAt: 0 };
    changes.connectionLost();
    for (const id of ['a', 'b', 'c', 'd', 'e']) void save(id, `${id}1`);
    client.status = { state: 'open', since: 0 };
    changes.connectionOpened();
    await settle();
  }
  return { clock, client, changes, save, settle, states, retry, fiveFailingSavedOffline };
}

describe("live data: one record's failing save does not hold the others'", () => {
  for (const code of ['internal', 'backend_unavailable', 'timeout'] as const) {
    it(`saves record B while record A keeps failing (${code})`, async () => {
      const { client, save, settle, states } = await setup();
      client.failing.set('a', code);
      void save('a', 'a1');
      await settle();
      void save('b', 'b1');
      await settle();
      assert.deepEqual(states('b'), ['confirmed'], 'B is saved');
      assert.deepEqual(states('a'), ['pending'], 'A still waits');
      // B alone: A waits for its retry, not sent again on a save of another record.
      assert.deepEqual(client.sent, ['a=a1', 'b=b1']);
    });
  }

  it("keeps A's changes in order, behind its failing one, and sends them once it goes through", async () => {
    const { client, save, settle, states, retry } = await setup();
    client.failing.set('a', 'internal');
    void save('a', 'a1');
    await settle();
    void save('a', 'a2', 1);
    void save('b', 'b1');
    await settle();
    assert.deepEqual(states('b'), ['confirmed']);
    assert.deepEqual(states('a'), ['pending', 'pending']);
    await retry(); // still failing: A's second change is never sent before its first
    assert.ok(!client.sent.includes('a=a2'), 'A2 waits behind A1');
    client.failing.delete('a');
    await retry();
    assert.deepEqual(states('a'), ['confirmed', 'confirmed']);
    // A1 tried on each save and retry, A2 only once A1 went through.
    const sentA = client.sent.filter((s) => s.startsWith('a='));
    assert.deepEqual(sentA.slice(-2), ['a=a1', 'a=a2']);
    assert.ok(
      sentA.slice(0, -1).every((s) => s === 'a=a1'),
      sentA.join(' '),
    );
  });

  it("keeps a record's order while the outbox is still being read: its newer save waits behind the one refused", async () => {
    // The device's storage is slow to answer (a busy machine, a large outbox): the page saves
    // meanwhile. Its refused change waits in the outbox, which is not read yet.
    let read!: () => void;
    const reading = new Promise<void>((resolve) => (read = resolve));
    class SlowStore extends MemoryOutboxStore {
      override async load() {
        await reading;
        return super.load();
      }
    }
    const { client, changes, save, settle, states } = await setup(
      undefined,
      new SlowStore(),
      false,
    );
    client.failing.set('a', 'internal');
    void save('a', 'a1');
    await settle();
    assert.deepEqual(client.sent, ['a=a1'], 'a save made now does not wait for the disk');
    client.failing.delete('a');
    void save('a', 'a2', 1);
    void save('b', 'b1');
    await settle();
    assert.deepEqual(client.sent, ['a=a1', 'b=b1'], "A's newer save waits behind its first");
    read();
    await changes.outbox.ready;
    await settle();
    // The user's save of A is the cue to try its first change again: then the newer one.
    assert.deepEqual(client.sent, ['a=a1', 'b=b1', 'a=a1', 'a=a2']);
    assert.deepEqual(states('a'), ['confirmed', 'confirmed']);
  });

  it("keeps a record's order while the outbox is still being read: its newer save waits behind one made offline", async () => {
    // The page saves while its connection is not open yet, and again once it is, before the
    // device's storage (slow to answer) is read: the first save, never tried, waits in the outbox.
    let read!: () => void;
    const reading = new Promise<void>((resolve) => (read = resolve));
    class SlowStore extends MemoryOutboxStore {
      override async load() {
        await reading;
        return super.load();
      }
    }
    const { client, changes, save, settle, states } = await setup(
      undefined,
      new SlowStore(),
      false,
    );
    client.status = { state: 'reconnecting', attempt: 0, nextRetryAt: 0 };
    changes.connectionLost();
    void save('a', 'a1');
    client.status = { state: 'open', since: 0 };
    changes.connectionOpened();
    void save('a', 'a2', 1);
    void save('b', 'b1');
    await settle();
    assert.deepEqual(client.sent, ['b=b1'], "A's newer save waits behind its first");
    read();
    await changes.outbox.ready;
    await settle();
    assert.deepEqual(client.sent, ['b=b1', 'a=a1', 'a=a2']);
    assert.deepEqual(states('a'), ['confirmed', 'confirmed']);
  });

  it("keeps a record's order while other pages' entries are looked for: its newer save waits behind one made offline", async () => {
    // Back online, the page first looks for what closed pages left in the storage; the user
    // saves the record edited offline again meanwhile.
    const { client, changes, save, settle, states } = await setup();
    client.status = { state: 'reconnecting', attempt: 0, nextRetryAt: 0 };
    changes.connectionLost();
    void save('a', 'a1');
    await settle();
    client.status = { state: 'open', since: 0 };
    changes.connectionOpened();
    void save('a', 'a2', 1);
    await settle();
    assert.deepEqual(client.sent, ['a=a1', 'a=a2']);
    assert.deepEqual(states('a'), ['confirmed', 'confirmed']);
  });

  it('sends at most three failing records per try when the server fails everything', async () => {
    const { client, retry, fiveFailingSavedOffline } = await setup();
    await fiveFailingSavedOffline();
    assert.deepEqual(client.sent, ['a=a1', 'b=b1', 'c=c1'], 'three refused in a row: it stops');
    // The retry tries the records not refused yet first, three again.
    await retry();
    assert.deepEqual(client.sent.slice(3), ['d=d1', 'e=e1', 'a=a1']);
    // Those that keep failing take turns, the longest waiting first: none is left out.
    await retry();
    assert.deepEqual(client.sent.slice(6), ['b=b1', 'c=c1', 'd=d1']);
    await retry();
    assert.deepEqual(client.sent.slice(9), ['e=e1', 'a=a1', 'b=b1']);
    // A success between starts the count over.
    client.failing.delete('a');
    client.failing.delete('c');
    await retry();
    assert.deepEqual(client.sent.slice(12), ['c=c1', 'd=d1', 'e=e1', 'a=a1', 'b=b1']);
  });

  it("holds every record's saves while the user's write budget is spent (rate_limited)", async () => {
    const { client, save, settle, states, retry } = await setup();
    client.failing.set('a', 'rate_limited');
    void save('a', 'a1');
    await settle();
    void save('b', 'b1');
    await settle();
    assert.deepEqual(client.sent, ['a=a1'], 'B waits too: the budget is the user’s, not A’s');
    assert.deepEqual(states('b'), ['pending']);
    client.failing.delete('a');
    await retry();
    assert.deepEqual(client.sent, ['a=a1', 'a=a1', 'b=b1'], 'then in the order they were made');
    assert.deepEqual(states('b'), ['confirmed']);
  });

  it('sends a failing record again before its wait is over only when it is saved again', async () => {
    const { client, save, settle, states, retry } = await setup();
    client.failing.set('a', 'internal');
    void save('a', 'a1');
    await settle();
    void save('b', 'b1');
    void save('c', 'c1');
    await settle();
    assert.deepEqual(client.sent, ['a=a1', 'b=b1', 'c=c1'], 'saves elsewhere leave A to its wait');
    void save('a', 'a2', 1);
    await settle();
    // The user saved A again: its waiting change is tried now, and still fails; A2 stays behind.
    assert.deepEqual(client.sent.slice(3), ['a=a1']);
    assert.deepEqual(states('a'), ['pending', 'pending']);
    client.failing.delete('a');
    await retry();
    assert.deepEqual(client.sent.slice(4), ['a=a1', 'a=a2'], 'the wait over, both go in order');
    assert.deepEqual(states('a'), ['confirmed', 'confirmed']);
  });

  it('stops at a lost connection, whatever record was being sent', async () => {
    const { client, save, settle } = await setup();
    client.failing.set('a', 'disconnected');
    void save('a', 'a1');
    await settle();
    void save('b', 'b1');
    await settle();
    assert.deepEqual(client.sent, ['a=a1', 'a=a1'], 'nothing goes after a lost connection');
  });
});

describe('live data: the countdown of a change sent again early', () => {
  it('says it is being tried now while a newer save sends it again, and the wait again after', async () => {
    const { clock, client, changes, save, settle } = await setup();
    client.failing.set('a', 'internal');
    void save('a', 'a1');
    await settle();
    const info = () => changes.changes('customer:a')[0]!;
    const retryAt = info().retryAt!;
    assert.equal(retryAt, clock.now() + 2500);
    await clock.advance(1000);
    client.holding.add('a');
    void save('a', 'a2', 1); // saved again: A1 goes again before its wait is over
    await settle();
    assert.equal(client.held !== undefined, true, 'A is on its way again');
    assert.equal(info().retryAt, clock.now(), 'no countdown to a later try while it is tried');
    client.held!();
    await settle();
    assert.equal(info().retryAt, retryAt, 'failed again: the wait under way is told again');
    assert.equal(info().error?.code, 'internal');
  });
});

describe('live data: a waiting change sent again early, once per save of its record', () => {
  it('is not sent again on every later save of another record once its record was saved again', async () => {
    const { client, save, settle } = await setup();
    client.failing.set('a', 'internal');
    void save('a', 'a1');
    await settle();
    void save('a', 'a2', 1); // the cue: A1 goes again at once, and fails again
    await settle();
    assert.deepEqual(client.sent, ['a=a1', 'a=a1']);
    // Saves of other records: A2 was already the cue once; A1 waits for its retry now.
    void save('b', 'b1');
    await settle();
    void save('c', 'c1');
    await settle();
    assert.deepEqual(client.sent.slice(2), ['b=b1', 'c=c1']);
    // A new save of A is a new cue.
    void save('a', 'a3', 1);
    await settle();
    assert.deepEqual(client.sent.slice(4), ['a=a1']);
  });

  it('takes a save made while the waiting change was being tried for no cue once that try fails', async () => {
    const { client, save, settle } = await setup();
    client.failing.set('a', 'internal');
    client.holding.add('a');
    void save('a', 'a1');
    await settle();
    void save('a', 'a2', 1); // made while A1 is on its way: that try is the one it would ask for
    await settle();
    client.held!();
    await settle();
    assert.deepEqual(client.sent, ['a=a1'], 'A1 waits for its retry, not sent again at once');
  });
});

describe('live data: the countdown of changes waiting for one retry', () => {
  it('moves to the wait a later refusal named, for the changes that waited for the earlier one', async () => {
    const { clock, client, changes, save, settle } = await setup();
    client.failing.set('a', 'internal');
    void save('a', 'a1');
    await settle();
    // The CRM said when it is back: the one retry waits that long, for A as well.
    client.failing.set('b', 'backend_unavailable');
    client.retryAfter.set('b', 20_000);
    void save('b', 'b1');
    await settle();
    const next = clock.nextTimerAt();
    assert.equal(changes.changes('customer:b')[0]!.retryAt, next);
    assert.equal(changes.changes('customer:a')[0]!.retryAt, next, "A's countdown is to that try");
  });
});

describe('live data: the countdown of failing records left for the next try', () => {
  it('counts down to the next try for a record the last try did not reach, not "now"', async () => {
    const { clock, client, changes, retry, fiveFailingSavedOffline } = await setup();
    await fiveFailingSavedOffline();
    await retry(); // D, E and A tried: three refused, B and C are left for the next try
    assert.deepEqual(client.sent.slice(3), ['d=d1', 'e=e1', 'a=a1']);
    const next = clock.nextTimerAt()!;
    for (const id of ['b', 'c']) {
      const info = changes.changes(`customer:${id}`)[0]!;
      assert.equal(info.retryAt, next, `${id} counts down to the next try`);
    }
    // Then they go first, and every record gets its turn before any goes twice.
    await retry();
    assert.deepEqual(client.sent.slice(6), ['b=b1', 'c=c1', 'd=d1']);
    await retry();
    assert.deepEqual(client.sent.slice(9), ['e=e1', 'a=a1', 'b=b1']);
  });
});

describe('live data: the end of a wait is the retry, whatever the clock says', () => {
  it('sends a waiting change when its retry comes though the clock was set back meanwhile', async () => {
    /** The page's time: the computer's clock, set back a second while the save waits. */
    let offset = 0;
    const {
      clock: manual,
      client,
      changes,
      settle,
    } = await setup((manual) => () => manual.now() + offset);
    client.failing.set('a', 'backend_unavailable');
    void changes.submit(owner('a'), { phone: 'a1' }, 1, {});
    await settle();
    assert.deepEqual(client.sent, ['a=a1']);
    offset = -1000;
    client.failing.delete('a');
    assert.equal(manual.pending, 1, 'one retry is scheduled');
    await manual.advance(manual.nextTimerAt()! - manual.now());
    await settle();
    assert.deepEqual(client.sent, ['a=a1', 'a=a1'], 'the retry sends it');
    assert.deepEqual(
      changes.changes('customer:a').map((c) => c.state),
      ['confirmed'],
    );
  });
});

describe("live data: a failing record's own wait", () => {
  it('keeps growing while saves of other records go through', async () => {
    const { clock, client, changes, save, settle, retry } = await setup();
    client.failing.set('a', 'internal');
    void save('a', 'a1');
    await settle();
    const waitOfA = () => changes.changes('customer:a')[0]!.retryAt! - clock.now();
    const waits = [waitOfA()];
    for (const id of ['b', 'c', 'd']) {
      void save(id, `${id}1`); // saved at once, while A waits
      await settle();
      assert.deepEqual(changes.changes(`customer:${id}`)[0]!.state, 'confirmed');
      await retry(); // A's wait is over: tried, refused again
      waits.push(waitOfA());
    }
    // Ceilings 5, 10, 20, 40 s (the middle of each): not the first wait after every other save.
    assert.deepEqual(waits, [2500, 5000, 10_000, 20_000]);
    assert.deepEqual(
      client.sent.filter((s) => s.startsWith('a=')),
      ['a=a1', 'a=a1', 'a=a1', 'a=a1'],
    );
  });

  it('starts over once a save of that record goes through', async () => {
    const { clock, client, changes, save, settle, retry } = await setup();
    client.failing.set('a', 'internal');
    void save('a', 'a1');
    await settle();
    await retry();
    await retry();
    client.failing.delete('a');
    await retry();
    assert.deepEqual(changes.changes('customer:a')[0]!.state, 'confirmed');
    client.failing.set('a', 'internal');
    void save('a', 'a2', 2);
    await settle();
    assert.equal(changes.changes('customer:a')[1]!.retryAt, clock.now() + 2500);
  });
});

describe('live data: a failing record sent again early because it was saved again', () => {
  /**
   * Record A refused three times while B's saves went through between (the wait under way is
   * the fourth, 20 s), then the clock moved `into` that wait.
   */
  async function grownWait(into: number) {
    const set = await setup();
    const { clock, client, changes, save, settle, retry } = set;
    client.failing.set('a', 'internal');
    void save('a', 'a1');
    await settle();
    for (const id of ['b', 'c', 'd']) {
      void save(id, `${id}1`);
      await settle();
      await retry();
    }
    const info = () => changes.changes('customer:a')[0]!;
    const retryAt = info().retryAt!;
    assert.equal(retryAt, clock.now() + 20_000);
    await clock.advance(into);
    return { ...set, info, retryAt };
  }

  it('counts down to the try under way again when that early try fails, then waits longer', async () => {
    const { clock, client, save, settle, retry, info, retryAt } = await grownWait(5000);
    void save('a', 'a2', 1); // the cue: A1 goes now
    await settle();
    assert.equal(client.sent.at(-1), 'a=a1');
    assert.equal(info().retryAt, retryAt, 'refused again: the countdown goes on where it was');
    await retry();
    assert.equal(clock.now(), retryAt);
    // Its sixth refusal: ceiling 160 s, capped at 60 s.
    assert.equal(info().retryAt, clock.now() + 30_000, 'the next wait grew');
  });

  it('waits its grown wait when the early try is refused after its wait ended', async () => {
    const { clock, client, save, settle, info, retryAt } = await grownWait(19_000);
    client.holding.add('a');
    void save('a', 'a2', 1); // the cue: A1 goes now, and the CRM is slow to refuse it
    await settle();
    assert.ok(client.held, 'A1 is on its way');
    await clock.advance(retryAt - clock.now() + 1000); // its try's time passes meanwhile
    await settle();
    const sent = client.sent.length;
    client.held!();
    await settle();
    assert.equal(client.sent.length, sent, 'not sent again at once');
    // Its fifth refusal: ceiling 80 s, capped at 60 s; not the first wait again.
    assert.equal(info().retryAt, clock.now() + 30_000);
  });
});

describe("live data: a hold of every failing save beside a record's own wait", () => {
  it("sends again when the user's budget holds again, though a failing record waits longer", async () => {
    const { clock, client, changes, save, settle, retry } = await setup();
    client.failing.set('a', 'internal');
    void save('a', 'a1');
    await settle();
    for (const id of ['b', 'c', 'd']) {
      void save(id, `${id}1`);
      await settle();
      await retry();
    }
    const waitOfA = changes.changes('customer:a')[0]!.retryAt!;
    assert.equal(waitOfA, clock.now() + 20_000, "A's own wait has grown to 20 s");
    // The budget is spent for 3 s (and a tenth of that more, at most: 150 ms in the middle).
    client.failing.set('e', 'rate_limited');
    client.retryAfter.set('e', 3000);
    void save('e', 'e1');
    await settle();
    void save('f', 'f1'); // held with E: the budget is the user's
    await settle();
    assert.equal(changes.changes('customer:e')[0]!.retryAt, clock.now() + 3150);
    assert.equal(changes.changes('customer:f')[0]!.state, 'pending');
    client.failing.delete('e');
    const sent = client.sent.length;
    await retry();
    assert.equal(clock.now(), waitOfA - 20_000 + 3150, 'the hold ended when it said');
    assert.deepEqual(client.sent.slice(sent), ['e=e1', 'f=f1'], 'A waits on, alone');
    assert.equal(changes.changes('customer:a')[0]!.retryAt, waitOfA, 'its countdown unchanged');
    await retry();
    assert.equal(clock.now(), waitOfA);
    assert.equal(client.sent.at(-1), 'a=a1');
  });
});

describe("live data: a failing record's wait when the clock was set back", () => {
  it('grows from the retry that came, not from the time the clock then says', async () => {
    /** The page's time: the computer's clock, set back an hour while the save waits. */
    let offset = 0;
    const {
      clock: manual,
      client,
      changes,
      settle,
      retry,
    } = await setup((manual) => () => manual.now() + offset);
    client.failing.set('a', 'backend_unavailable');
    void changes.submit(owner('a'), { phone: 'a1' }, 1, {});
    await settle();
    offset = -3_600_000;
    await retry(); // refused again
    assert.deepEqual(client.sent, ['a=a1', 'a=a1']);
    assert.equal(manual.nextTimerAt()! - manual.now(), 5000, 'its second wait, not an hour');
    assert.equal(changes.changes('customer:a')[0]!.retryAt, manual.now() + offset + 5000);
  });
});

describe("live data: a failing record's wait when the clock was set back", () => {
  it('is not stretched by the set-back when another record is refused after it', async () => {
    let offset = 0;
    const {
      clock: manual,
      client,
      changes,
      settle,
      retry,
    } = await setup((manual) => () => manual.now() + offset);
    client.failing.set('a', 'backend_unavailable');
    client.failing.set('b', 'backend_unavailable');
    void changes.submit(owner('a'), { phone: 'a1' }, 1, {});
    await settle();
    const start = manual.now();
    offset = -3_600_000; // the computer's clock set back an hour while A waits
    void changes.submit(owner('b'), { phone: 'b1' }, 1, {});
    await settle();
    // B's tries come and go (the one retry is planned anew after each); A's wait was 2.5 s.
    while (client.sent.filter((s) => s === 'a=a1').length < 2) {
      await retry();
      assert.ok(manual.now() - start <= 61_000, 'A is tried again within the longest wait');
    }
  });
});

describe("live data: a failing record's count when its waiting change is withdrawn", () => {
  it('goes on with the next change of the record, sent at once', async () => {
    const { clock, client, changes, save, settle, retry } = await setup();
    client.failing.set('a', 'internal');
    void save('a', 'a1');
    await settle();
    await retry();
    await retry();
    void save('a', 'a2', 1); // the cue: A1 tried early, refused a fourth time
    await settle();
    changes.withdraw('customer:a', (m) => m.fields['phone'] === 'a1');
    await settle();
    assert.equal(client.sent.at(-1), 'a=a2', 'A2 goes at once');
    // Its fifth refusal: ceiling 80 s, capped at 60 s; not the first wait again.
    assert.equal(changes.changes('customer:a').at(-1)!.retryAt, clock.now() + 30_000);
  });
});

describe('live data: records refused one at a time while the server fails everything', () => {
  it('takes them for an outage: their tries go three at a time, at the pace of an outage', async () => {
    const { clock, client, save, settle, retry } = await setup();
    for (const id of ['a', 'b', 'c', 'd', 'e']) client.failing.set(id, 'backend_unavailable');
    // Saved a second apart, each refused on its own, nothing answered between.
    for (const id of ['a', 'b', 'c', 'd', 'e']) {
      void save(id, `${id}1`);
      await settle();
      await clock.advance(1000);
      await settle();
    }
    // A, B and C refused in a row were an outage: they went again together when it held no
    // more (inside the last second), not each when its own wait ended.
    assert.deepEqual(client.sent, ['a=a1', 'b=b1', 'c=c1', 'd=d1', 'e=e1', 'a=a1', 'b=b1', 'c=c1']);
    await retry();
    assert.deepEqual(client.sent.slice(8), ['d=d1', 'e=e1', 'a=a1'], 'three in one try');
    await retry();
    assert.deepEqual(client.sent.slice(11), ['b=b1', 'c=c1', 'd=d1']);
  });
});
