/**
 * Property-based fuzzing of a real server (loopback, free port): several clients at once send
 * generated, then mutated, frames (`fuzz-frames.ts`). After every case:
 * - every frame that carries a request id got exactly one answer with that `replyTo` (a frame over
 *   the size limit is not parsed, so it is answered `frame_too_large` without one: counted);
 * - no answer was an `internal` error, no frame sent was over the frame limit, and no fuzzing
 *   connection was closed;
 * - a bystander (joined to a room, sending nothing hostile) still gets a room event.
 * After the run, with the fuzzing clients gone and the server's timers run out, the heap is
 * measured against a baseline taken after a warm-up, and the rooms the server still holds are
 * counted (joins, watches and tabs must leave nothing behind).
 *
 * Used by `test/node/server/fuzz.test.ts` (a bounded budget in `npm test`) and `npm run fuzz`.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import {
  LIMITS,
  parseClientFrame,
  requestIdOf,
  type ServerFrame,
} from '../../../src/protocol/index.js';
import type { TestClient } from './server-client.js';
import { startHarness, type Harness } from './server-harness.js';
import { mutate, mutation, validFrame, type FrameObject, type Mutation } from './fuzz-frames.js';

export interface FuzzOptions {
  numRuns: number;
  seed: number;
  /** Clients sending hostile frames at once. */
  clients?: number;
  /** Called with a line of progress now and then (the long run prints it). */
  progress?: (line: string) => void;
}

export interface FuzzReport {
  cases: number;
  frames: number;
  /** Answers by error code (and `ok` for any other answer). */
  answers: Record<string, number>;
  heapBaselineBytes: number;
  heapAfterBytes: number;
  rssBaselineBytes: number;
  rssAfterBytes: number;
  handlerFailures: number;
  /**
   * Rooms and presence rooms the server still holds once the fuzzing clients left and the
   * timers ran out: only the bystander's room should be left (1 and 1).
   */
  roomsAfter: number;
  presenceRoomsAfter: number;
}

/** Waits for a state, failing with a description when it does not come (never a fixed sleep). */
const WAIT_MS = 20_000;

const gc = (): void => {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
};

interface Tracker {
  client: TestClient;
  /** Answers seen per request id. */
  answered: Map<string, number>;
  /** Errors without replyTo seen. */
  anonymousErrors: number;
  internal: ServerFrame[];
  closed: boolean;
}

function track(client: TestClient, answers: Record<string, number>): Tracker {
  const t: Tracker = {
    client,
    answered: new Map(),
    anonymousErrors: 0,
    internal: [],
    closed: false,
  };
  client.ws.on('message', (data) => {
    const frame = JSON.parse(String(data)) as ServerFrame;
    if (frame.type === 'error') {
      answers[frame.code] = (answers[frame.code] ?? 0) + 1;
      if (frame.code === 'internal') t.internal.push(frame);
    }
    if ('replyTo' in frame && typeof frame.replyTo === 'string') {
      if (frame.type !== 'error') answers['ok'] = (answers['ok'] ?? 0) + 1;
      t.answered.set(frame.replyTo, (t.answered.get(frame.replyTo) ?? 0) + 1);
    } else if (frame.type === 'error') {
      t.anonymousErrors++;
    }
  });
  client.ws.on('close', () => (t.closed = true));
  return t;
}

/**
 * What the server must answer for one frame's text: its request id, or an error without one
 * (`must`), or possibly an error without one (`may`: a valid frame that has no id, such as a
 * presence update for a room the client is not in).
 */
function expectation(text: string): { id?: string; must: number; may: number } {
  if (Buffer.byteLength(text) > LIMITS.maxFrameBytes) return { must: 1, may: 0 };
  const parsed = parseClientFrame(text);
  if (!parsed.ok) {
    const id = requestIdOf(text);
    return id === undefined ? { must: 1, may: 0 } : { id, must: 0, may: 0 };
  }
  const frame = parsed.frame as { id?: unknown };
  return typeof frame.id === 'string' ? { id: frame.id, must: 0, may: 0 } : { must: 0, may: 1 };
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const h: Harness = await startHarness({
    // Hostile frames, not floods: the rate limit has its own tests and would answer first.
    limits: { maxMessagesPerSecond: 1_000_000 },
  });
  const answers: Record<string, number> = {};
  try {
    const users = ['alice', 'bob', 'carol', 'dave', 'erin'].slice(0, options.clients ?? 3);
    const fuzzers = await Promise.all(
      users.map(async (id) => track(await h.connect({ id, name: id }), answers)),
    );
    const bystander = await h.connect({ id: 'bystander', name: 'Bystander' });
    const speaker = await h.connect({ id: 'speaker', name: 'Speaker' });
    await bystander.join('room:bystander');
    await speaker.join('room:bystander');
    const seeded = await h.server.entities.update({
      type: 'customer',
      id: '42',
      fields: { name: 'Acme' },
      source: 'backend',
      create: true,
    });
    if (seeded.kind !== 'applied') throw new Error('fuzz: could not seed customer:42');

    let serial = 0;
    let frames = 0;
    let cases = 0;
    let baseline: { heap: number; rss: number } | undefined;
    const measure = () => {
      gc();
      const m = process.memoryUsage();
      return { heap: m.heapUsed, rss: m.rss };
    };

    const oneCase = async (sends: { client: number; frame: FrameObject; m: Mutation }[]) => {
      const pending = new Map<
        Tracker,
        { ids: string[]; from: number; must: number; may: number }
      >();
      for (const { client, frame, m } of sends) {
        const t = fuzzers[client % fuzzers.length]!;
        const text = mutate({ id: `r${++serial}`, ...frame }, m);
        const want = expectation(text);
        let p = pending.get(t);
        if (!p) pending.set(t, (p = { ids: [], from: t.anonymousErrors, must: 0, may: 0 }));
        if (want.id !== undefined) p.ids.push(want.id);
        p.must += want.must;
        p.may += want.may;
        t.client.ws.send(text);
        frames++;
      }
      for (const [t, p] of pending) {
        // A barrier: the server handles a connection's frames one at a time, in order, so the
        // answer to this request comes after every answer to the frames sent before it. Not a
        // ping: a ping is answered at once, ahead of a handler still at work (a save).
        const barrier = `b${++serial}`;
        const done = t.client.upcoming(
          (f) => f.type === 'call.config' && f.replyTo === barrier,
          WAIT_MS,
        );
        t.client.send({ type: 'call.config', id: barrier });
        await done;
        if (t.closed) throw new Error('fuzz: the server closed a fuzzing connection');
        // A frame over the limit is dropped by the browser client: the server must never send one.
        if (t.client.largestFrame > LIMITS.maxFrameBytes) {
          throw new Error(`fuzz: the server sent a frame of ${t.client.largestFrame} bytes`);
        }
        if (t.internal.length > 0) {
          throw new Error(`fuzz: internal error ${JSON.stringify(t.internal[0])}`);
        }
        for (const id of p.ids) {
          const count = t.answered.get(id) ?? 0;
          if (count !== 1) throw new Error(`fuzz: request ${id} answered ${count} times`);
        }
        const anonymous = t.anonymousErrors - p.from;
        if (anonymous < p.must || anonymous > p.must + p.may) {
          throw new Error(
            `fuzz: ${anonymous} errors without replyTo, expected ${p.must}..${p.must + p.may}`,
          );
        }
      }
      // The bystander is unaffected: a room event still reaches it.
      const mark = ++serial;
      const seen = bystander.upcoming(
        (f) => f.type === 'event' && f.event === 'mark' && f.payload === mark,
        WAIT_MS,
      );
      await speaker.request({
        type: 'emit',
        id: `s${mark}`,
        room: 'room:bystander',
        event: 'mark',
        payload: mark,
      });
      await seen;
      bystander.frames.length = 0;
      speaker.frames.length = 0;
      for (const t of fuzzers) t.client.frames.length = 0;
      cases++;
      if (cases === Math.min(20, options.numRuns)) baseline = measure();
      if (cases % 500 === 0) options.progress?.(`${cases} cases, ${frames} frames`);
    };

    const sends = fc.array(
      fc.record({ client: fc.nat({ max: fuzzers.length - 1 }), frame: validFrame, m: mutation }),
      { minLength: 1, maxLength: 8 },
    );
    await fc.assert(fc.asyncProperty(sends, oneCase), {
      numRuns: options.numRuns,
      seed: options.seed,
      // A failing case is reported as found: shrinking would replay it against a server that
      // has since moved on, and the seed reproduces it anyway.
      endOnFailure: true,
    });

    // Let go: the fuzzing clients leave, and the server's timers (presence grace, room sweep,
    // replay window) run out on its manual clock.
    for (const t of fuzzers) t.client.ws.close();
    await Promise.all(fuzzers.map((t) => (t.closed ? undefined : t.client.waitClosed())));
    await speaker.sync();
    h.clock.advanceSync(LIMITS.replayMillis * 3);
    await bystander.sync();
    const after = measure();
    baseline ??= after;
    return {
      cases,
      frames,
      answers,
      heapBaselineBytes: baseline.heap,
      heapAfterBytes: after.heap,
      rssBaselineBytes: baseline.rss,
      rssAfterBytes: after.rss,
      handlerFailures: h.server.metrics.handlerFailures,
      roomsAfter: h.server.stats().rooms,
      presenceRoomsAfter: h.server.stats().presenceRooms,
    };
  } finally {
    await h.close();
  }
}
