/**
 * Save-to-render benchmark (`npm run bench:save`): how long after one person saves a field does it
 * show in another person's page? Two headless Chromium pages on the demo's customer page, the
 * real reference server (SQLite, `--dev`), everything on loopback.
 *
 * Each round, the writer page types a new "Next step" into the customer's
 * `<crm-collaborative-form>` and submits; the reader page records when its own form put the value
 * into the field (`crm-form-change`) and the next animation frame after that. Times are taken in
 * the pages (`performance.timeOrigin + performance.now()`, one machine clock), so the driver's
 * round trips are not counted. Saves go one at a time: the next starts after the writer's ack.
 *
 * Beside it, in the same run and the same browser: the round trip of a bare WebSocket echo
 * (a blank page in a browser context of its own ↔ a Node `ws` server that sends every message back), before and after the
 * saves: the floor any save-to-render path on this machine sits on.
 *
 * Flags: --saves 300 (bounded by --max-seconds 120)   --echoes 300   --no-write   --json
 *   --reduced-motion: both pages emulate `prefers-reduced-motion: reduce` (no field highlight, no
 *   feed entrance, the kit's other animations cut short), to see what the pages' animations cost
 *   the trip; never written to RESULTS.md.
 * BENCH_SAVE_ROUNDS=<file> writes each measured save's splits (ms) there as JSON, to see which
 * part of the trip the slowest saves spent their time in.
 * Needs the built kit (`npm run build`). Watcher notifications are turned off for the run, so the
 * reader page shows the change in the form and the activity feed, not in 300 toasts.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { WebSocket, WebSocketServer } from 'ws';
import { launchBrowser } from '../test/e2e/helpers/browser.js';
import { writeSection } from './results-section.js';
import { ROOT, startServer } from '../test/e2e/helpers/server.js';

const FORM = 'crm-collaborative-form[data-customer-form]';
const CUSTOMER = 52;
/** Another customer, for the browser-less saves (so they never touch the pages' record). */
const RAW_CUSTOMER = '58';
const HEADING = '## Save to render (Chromium, loopback)';

interface Options {
  saves: number;
  echoes: number;
  maxSeconds: number;
  write: boolean;
  json: boolean;
  reducedMotion: boolean;
}

function parseArgs(argv: string[]): Options {
  const value = (name: string, fallback: number) => {
    const i = argv.indexOf(name);
    const n = i === -1 ? NaN : Number(argv[i + 1]);
    return Number.isFinite(n) && n > 0 ? n : fallback;
  };
  return {
    saves: Math.min(value('--saves', 300), 2000),
    echoes: Math.min(value('--echoes', 300), 5000),
    maxSeconds: value('--max-seconds', 120),
    write: !argv.includes('--no-write'),
    json: argv.includes('--json'),
    reducedMotion: argv.includes('--reduced-motion'),
  };
}

interface Stats {
  n: number;
  p50: number;
  p99: number;
  mean: number;
  max: number;
}

/** Nearest-rank percentiles, in ms. */
function stats(samples: readonly number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    n: sorted.length,
    p50: at(0.5),
    p99: at(0.99),
    mean: sum / sorted.length,
    max: sorted[sorted.length - 1]!,
  };
}

/** A bare echo server: every message goes straight back. */
async function echoServer(): Promise<{ url: string; close(): Promise<void> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  wss.on('connection', (socket) => {
    socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
  });
  const address = wss.address();
  if (address === null || typeof address === 'string') throw new Error('unexpected address');
  return {
    url: `ws://127.0.0.1:${address.port}`,
    close: () => new Promise((resolve) => wss.close(() => resolve())),
  };
}

/**
 * The same save without a browser: a Node `ws` client speaking the protocol (hello, then
 * `entity.update` of one field, one at a time), timed to its `entity.ack`. Isolates the server.
 */
async function rawSaves(origin: string, count: number): Promise<number[]> {
  const socket = new WebSocket(`${origin.replace(/^http/, 'ws')}/realtime`);
  const waiting = new Map<string, (frame: Record<string, unknown>) => void>();
  socket.on('message', (data) => {
    const frame = JSON.parse(String(data)) as Record<string, unknown>;
    const resolve = waiting.get(String(frame['replyTo']));
    if (!resolve) return;
    waiting.delete(String(frame['replyTo']));
    resolve(frame);
  });
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  let next = 0;
  const request = (frame: Record<string, unknown>) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const id = `raw-${++next}`;
      const timer = setTimeout(
        () => reject(new Error(`no answer to ${String(frame['type'])}`)),
        10_000,
      );
      waiting.set(id, (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
      socket.send(JSON.stringify({ ...frame, id }));
    });
  await request({
    type: 'hello',
    v: 1,
    clientId: 'bench-raw',
    devUser: { id: 'emma', name: 'Emma' },
  });
  const read = await request({
    type: 'entity.get',
    entityType: 'customer',
    entityId: RAW_CUSTOMER,
  });
  let version = (read['entity'] as { version: number }).version;
  const times: number[] = [];
  for (let i = 0; i < count + 20; i++) {
    await paced();
    const start = performance.now();
    const answer = await request({
      type: 'entity.update',
      mutationId: `bench-raw-${Date.now()}-${i}`,
      entityType: 'customer',
      entityId: RAW_CUSTOMER,
      baseVersion: version,
      fields: { nextStep: `raw save #${i}` },
    });
    if (i >= 20) times.push(performance.now() - start);
    version = (answer['entity'] as { version: number } | undefined)?.version ?? version;
  }
  socket.close();
  return times;
}

/**
 * Saves start at most every `PACE_MS`: the server allows a connection 50 frames a second (and
 * drops the rest), and a page sends presence and reads besides its saves. Waiting before a save
 * does not change how long the save takes.
 */
const PACE_MS = 40;
let lastStart = 0;
async function paced(): Promise<void> {
  const wait = lastStart + PACE_MS - performance.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  lastStart = performance.now();
}

/** Round trips of `count` echoes from inside the page, one at a time, in ms. */
function echoRoundTrips(page: Page, url: string, count: number): Promise<number[]> {
  return page.evaluate(
    async ({ url, count }) => {
      const socket = new WebSocket(url);
      await new Promise((resolve, reject) => {
        socket.onopen = resolve;
        socket.onerror = reject;
      });
      // About the size of a save frame.
      const payload = JSON.stringify({ type: 'echo', pad: 'x'.repeat(180) });
      const times: number[] = [];
      for (let i = 0; i < count + 20; i++) {
        const start = performance.now();
        await new Promise<void>((resolve) => {
          socket.onmessage = () => resolve();
          socket.send(payload);
        });
        if (i >= 20) times.push(performance.now() - start); // the first 20 warm up
      }
      socket.close();
      return times;
    },
    { url, count },
  );
}

/** Wait until the page's customer form has loaded the record. */
async function ready(page: Page): Promise<void> {
  await page.waitForFunction(
    (selector) =>
      (document.querySelector(selector) as { status?: string } | null)?.status === 'idle',
    FORM,
    { timeout: 20_000 },
  );
}

/**
 * Stamps `window.__sentAt` when the page sends an `entity.update`, `window.__changeAt` when a
 * frame carrying an `entity.change` arrives on its socket, and `window.__submitAt` when a `submit`
 * event starts (a capturing listener on the window, registered before the kit loads, so it runs
 * before the form's): splits the saving page's time into the browser's (the input event, and
 * `requestSubmit()`'s own work before it dispatches `submit`) and the kit's (submit → send).
 */
const ARRIVAL_PROBE = `
  addEventListener('submit', () => {
    window.__submitAt = performance.timeOrigin + performance.now();
  }, true);
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(url, protocols) {
      super(url, protocols);
      const send = this.send.bind(this);
      this.send = (data) => {
        if (typeof data === 'string' && data.includes('"entity.update"')) {
          window.__sentAt = performance.timeOrigin + performance.now();
          window.__sentMutation = JSON.parse(data).mutationId;
        }
        send(data);
      };
      this.addEventListener('message', (event) => {
        if (typeof event.data === 'string' && event.data.includes('"entity.change"')) {
          window.__changeAt = performance.timeOrigin + performance.now();
        }
      });
    }
  };
`;

interface Round {
  /** The update's mutation id, to find the server's times for it. */
  mutationId: string;
  /** When the round started (\`performance.timeOrigin + performance.now()\`): the times below are from it. */
  start: number;
  /** The saving page's socket sent the update. */
  sent: number;
  /** The `submit` event started (after the input event and `requestSubmit()`'s own work). */
  submitted: number;
  ack: number;
  /** The change's frame reached the other page's socket. */
  arrived: number;
  applied: number;
  frame: number;
}

/** One save in `writer`, seen in `reader`. */
async function round(writer: Page, reader: Page, value: string): Promise<Round> {
  await paced();
  await reader.evaluate(
    ({ selector, value }) => {
      const form = document.querySelector(selector)!;
      const w = window as unknown as { __seen: Promise<{ applied: number; frame: number }> };
      w.__seen = new Promise((resolve, reject) => {
        setTimeout(() => reject(new Error(`the reader never showed ${value}`)), 15_000);
        const on = (event: Event) => {
          const data = (event as Event & { data: Record<string, unknown> }).data;
          if (data['nextStep'] !== value) return;
          const applied = performance.timeOrigin + performance.now();
          form.removeEventListener('crm-form-change', on);
          requestAnimationFrame(() =>
            resolve({ applied, frame: performance.timeOrigin + performance.now() }),
          );
        };
        form.addEventListener('crm-form-change', on);
      });
    },
    { selector: FORM, value },
  );
  const start = await writer.evaluate(
    ({ selector, value }) => {
      const form = document.querySelector(selector)!;
      const input = form.querySelector<HTMLInputElement>('[name="nextStep"]')!;
      const w = window as unknown as { __acked: Promise<number> };
      w.__acked = new Promise((resolve, reject) => {
        setTimeout(() => reject(new Error(`no ack for ${value}`)), 15_000);
        form.addEventListener(
          'crm-form-saved',
          () => resolve(performance.timeOrigin + performance.now()),
          { once: true },
        );
      });
      const t0 = performance.timeOrigin + performance.now();
      input.value = value;
      input.dispatchEvent(new Event('input', { bubbles: true }));
      form.querySelector('form')!.requestSubmit();
      return t0;
    },
    { selector: FORM, value },
  );
  const { acked, sent, submitted, mutationId } = await writer.evaluate(async () => {
    const w = window as unknown as {
      __acked: Promise<number>;
      __sentAt: number;
      __submitAt: number;
      __sentMutation: string;
    };
    return {
      acked: await w.__acked,
      sent: w.__sentAt,
      submitted: w.__submitAt,
      mutationId: w.__sentMutation,
    };
  });
  const seen = await reader.evaluate(async () => {
    const w = window as unknown as {
      __seen: Promise<{ applied: number; frame: number }>;
      __changeAt: number;
    };
    return { ...(await w.__seen), arrived: w.__changeAt };
  });
  return {
    mutationId,
    start,
    sent: sent - start,
    submitted: submitted - start,
    ack: acked - start,
    arrived: seen.arrived - start,
    applied: seen.applied - start,
    frame: seen.frame - start,
  };
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  if (!existsSync(join(ROOT, 'dist/kit/define.js'))) {
    throw new Error('the built kit is missing: run `npm run build` first');
  }
  const load = [loadavg()[0]!];
  // The server's own times for each save, written by bench/save-probe.ts when the server exits.
  const probeDir = await mkdtemp(join(tmpdir(), 'crm-save-probe-'));
  const timingsFile = join(probeDir, 'timings.jsonl');
  // The start timeout is a hang limit: on a loaded shared box the first start takes a while.
  const server = await startServer({
    env: { CRM_NOTIFY_WATCHERS: '0', CRM_BENCH_SAVE_TIMINGS: timingsFile },
    nodeArgs: ['--import', pathToFileURL(join(ROOT, 'bench/save-probe.ts')).href],
    startTimeoutMs: 120_000,
  });
  const echo = await echoServer();
  const browser = await launchBrowser();
  try {
    const open = async (who: string) => {
      const context = await browser.newContext({
        viewport: { width: 1280, height: 900 },
        ...(options.reducedMotion ? { reducedMotion: 'reduce' as const } : {}),
      });
      // tsx names the functions this file hands to `evaluate` with a `__name` helper.
      await context.addInitScript({ content: 'window.__name = (f) => f;' });
      // When an entity change reaches the page's socket: splits the path into the trip (server
      // included) and the page's own handling.
      await context.addInitScript({ content: ARRIVAL_PROBE });
      const page = await context.newPage();
      await page.goto(`${server.origin}/customer.html?id=${CUSTOMER}&as=${who}`);
      await ready(page);
      return page;
    };
    const writer = await open('ana');
    const reader = await open('ben');
    // The echo runs from a blank page of its own (the demo's Content-Security-Policy,
    // `connect-src 'self'`, refuses a socket to another port), in its own context, so the reader
    // stays the visible page of its window (a hidden page's frames and timers are throttled).
    const echoContext = await browser.newContext();
    await echoContext.addInitScript({ content: 'window.__name = (f) => f;' });
    const echoPage = await echoContext.newPage();

    const echoes = await echoRoundTrips(echoPage, echo.url, Math.ceil(options.echoes / 2));
    for (let i = 0; i < 20; i++) await round(writer, reader, `warm-up ${i}`);
    const rounds: Round[] = [];
    // What the rounds cost the browser: each page's main thread (CDP `Performance` metrics) and
    // the CPU time of this run's Chromium processes (compositor, raster, network service too).
    const meters = await Promise.all([writer, reader].map((page) => mainThreadMeter(page)));
    const chromiumBefore = chromiumCpuMs();
    const deadline = Date.now() + options.maxSeconds * 1000;
    for (let i = 0; i < options.saves && Date.now() < deadline; i++) {
      rounds.push(await round(writer, reader, `Next step #${i} ${Date.now()}`));
    }
    const chromiumCpu = chromiumCpuMs() - chromiumBefore;
    const [writerBusy, readerBusy] = await Promise.all(meters.map((read) => read()));
    const cost = {
      writerMainMs: writerBusy! / rounds.length,
      readerMainMs: readerBusy! / rounds.length,
      chromiumCpuMs: chromiumCpu / rounds.length,
    };
    echoes.push(...(await echoRoundTrips(echoPage, echo.url, Math.floor(options.echoes / 2))));
    const raw = await rawSaves(server.origin, Math.min(options.saves, rounds.length));
    load.push(loadavg()[0]!);
    await server.stop();
    const splits = serverTimes(await readFile(timingsFile, 'utf8'), rounds);

    const result = {
      date: new Date().toISOString().slice(0, 10),
      cpu: `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}`,
      load,
      echo: stats(echoes),
      raw: stats(raw),
      sent: stats(rounds.map((r) => r.sent)),
      submitted: stats(rounds.map((r) => r.submitted)),
      kit: stats(rounds.map((r) => r.sent - r.submitted)),
      ack: stats(rounds.map((r) => r.ack)),
      arrived: stats(rounds.map((r) => r.arrived)),
      between: stats(rounds.map((r) => r.arrived - r.sent)),
      handled: stats(rounds.map((r) => r.applied - r.arrived)),
      applied: stats(rounds.map((r) => r.applied)),
      frame: stats(rounds.map((r) => r.frame)),
      cost,
      ...splits,
    };
    if (options.json) console.log(JSON.stringify(result, null, 2));
    const report = render(result);
    console.log(report);
    if (options.write && !options.reducedMotion)
      await writeSection(join(ROOT, 'bench/RESULTS.md'), HEADING, report);
  } finally {
    await browser.close();
    await echo.close();
    await server.dispose();
    await rm(probeDir, { recursive: true, force: true });
  }
}

/** Starts counting a page's main-thread busy time; the function returns the ms since. */
async function mainThreadMeter(page: Page): Promise<() => Promise<number>> {
  const session = await page.context().newCDPSession(page);
  await session.send('Performance.enable');
  const taskSeconds = async () => {
    const { metrics } = await session.send('Performance.getMetrics');
    return metrics.find((m) => m.name === 'TaskDuration')?.value ?? 0;
  };
  const before = await taskSeconds();
  return async () => ((await taskSeconds()) - before) * 1000;
}

/**
 * CPU time (user + system, ms) of this process's Chromium processes (its descendants named like
 * Chromium; Linux only, 0 elsewhere): the box is shared, so other browsers are not counted.
 */
function chromiumCpuMs(): number {
  if (process.platform !== 'linux') return 0;
  const tick = 1000 / 100; // USER_HZ
  const procs = new Map<number, { parent: number; name: string; cpu: number }>();
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      procs.set(Number(pid), {
        parent: Number(fields[1]),
        name,
        cpu: (Number(fields[11]) + Number(fields[12])) * tick,
      });
    } catch {
      // The process ended meanwhile.
    }
  }
  const ours = (pid: number): boolean => {
    for (let p = procs.get(pid)?.parent; p !== undefined && p > 1; p = procs.get(p)?.parent) {
      if (p === process.pid) return true;
    }
    return false;
  };
  let total = 0;
  for (const [pid, info] of procs) {
    if (/chrom|headless_shell/i.test(info.name) && ours(pid)) total += info.cpu;
  }
  return total;
}

/** What bench/save-probe.ts wrote for one save, on the pages' clock. */
interface ServerTiming {
  mutationId: string;
  duplicate: boolean;
  arrivedAt: number;
  publishedAt?: number;
  answeredAt: number;
}

/**
 * Splits the trip between the sockets with the server's own times: the page's frame reaching the
 * server, the server's work until the change is handed to the other member's socket, and the
 * change reaching the other page's socket; and the Node-only saves' time inside the server.
 */
function serverTimes(
  lines: string,
  rounds: readonly Round[],
): { toServer: Stats; server: Stats; fromServer: Stats; rawServer: Stats } {
  const byMutation = new Map<string, ServerTiming>();
  for (const line of lines.split('\n')) {
    if (!line) continue;
    const timing = JSON.parse(line) as ServerTiming;
    if (!timing.duplicate) byMutation.set(timing.mutationId, timing);
  }
  const timed = rounds.flatMap((round) => {
    const timing = byMutation.get(round.mutationId);
    return timing?.publishedAt === undefined
      ? []
      : [{ round, timing, published: timing.publishedAt }];
  });
  if (timed.length < rounds.length) {
    throw new Error(`the server timed ${timed.length} of ${rounds.length} saves`);
  }
  // The Node-only saves after their 20 warm-ups (\`bench-raw-<time>-<i>\`).
  const raw = [...byMutation.values()].filter((t) => {
    const i = /^bench-raw-\d+-(\d+)$/.exec(t.mutationId)?.[1];
    return i !== undefined && Number(i) >= 20;
  });
  if (process.env['BENCH_SAVE_ROUNDS']) {
    const rows = timed.map(({ round, timing, published }) => ({
      applied: round.applied,
      sent: round.sent,
      toServer: timing.arrivedAt - (round.start + round.sent),
      server: published - timing.arrivedAt,
      fromServer: round.start + round.arrived - published,
      handled: round.applied - round.arrived,
    }));
    writeFileSync(process.env['BENCH_SAVE_ROUNDS'], JSON.stringify(rows));
  }
  return {
    toServer: stats(
      timed.map(({ round, timing }) => timing.arrivedAt - (round.start + round.sent)),
    ),
    server: stats(timed.map(({ timing, published }) => published - timing.arrivedAt)),
    fromServer: stats(timed.map(({ round, published }) => round.start + round.arrived - published)),
    rawServer: stats(raw.map((t) => t.answeredAt - t.arrivedAt)),
  };
}

const ms = (n: number) => (n < 10 ? n.toFixed(2) : n.toFixed(1));

function render(r: {
  date: string;
  cpu: string;
  load: number[];
  echo: Stats;
  raw: Stats;
  sent: Stats;
  submitted: Stats;
  kit: Stats;
  ack: Stats;
  arrived: Stats;
  between: Stats;
  handled: Stats;
  applied: Stats;
  frame: Stats;
  cost: { writerMainMs: number; readerMainMs: number; chromiumCpuMs: number };
  toServer: Stats;
  server: Stats;
  fromServer: Stats;
  rawServer: Stats;
}): string {
  const row = (what: string, s: Stats) =>
    `| ${what} | ${ms(s.p50)} ms | ${ms(s.p99)} ms | ${ms(s.mean)} ms | ${ms(s.max)} ms | ${s.n} |`;
  const ratio = (s: Stats) =>
    `${(s.p50 / r.echo.p50).toFixed(1)}× (p50) and ${(s.p99 / r.echo.p99).toFixed(1)}× (p99)`;
  return `${HEADING}

\`npm run bench:save\` (bench/live-save.ts), ${r.date}: headless Chromium and the reference server
(\`--dev\`, SQLite; an entity save is acknowledged after its WAL fsync) on ${r.cpu}, load average
${r.load.map((l) => l.toFixed(1)).join(' → ')} (a shared box: the bare echo, measured in the same run
and the same browser, is the yardstick). Two pages of the demo's customer page, as two people; the
writer types a new "Next step" into the customer's \`<crm-collaborative-form>\` and submits, one
save at a time (at most 25 a second); times are taken inside the pages, on one clock. Watcher
notifications are off for the run.

| measure | p50 | p99 | mean | max | n |
|---|---|---|---|---|---|
${row('**save in one page → the value in the other page’s field** (`crm-form-change`)', r.applied)}
${row('save → the next animation frame of the other page', r.frame)}
${row('save → the ack in the saving page (`crm-form-saved`)', r.ack)}
${row('bare WebSocket echo round trip (page ↔ Node `ws`, no kit)', r.echo)}
${row('a save from Node, no browser: `entity.update` → `entity.ack` (an entity nobody watches)', r.raw)}
${row('split 1, saving page: submit → the `entity.update` frame leaves', r.sent)}
${row('split 1a, of which the browser: value typed → `submit` dispatched (input event, `requestSubmit()`)', r.submitted)}
${row('split 1b, of which the kit: `submit` event → `entity.update` frame leaves', r.kit)}
${row('split 2, between the sockets: update leaves → `entity.change` arrives', r.between)}
${row('split 3, other page: change arrives → value in the field', r.handled)}
${row('split 2a, of split 2: the update leaves the page → it reaches the server', r.toServer)}
${row('split 2b, of split 2, **the server**: the update arrives → the change is written to the other member', r.server)}
${row('split 2c, of split 2: the change written → it reaches the other page’s socket', r.fromServer)}
${row('the Node-only save inside the server: the update arrives → the ack is written (after the fsync)', r.rawServer)}

What each save costs the browser (the bench's own \`evaluate\` calls included): the other page's
main thread ${ms(r.cost.readerMainMs)} ms, the saving page's ${ms(r.cost.writerMainMs)} ms (CDP
\`Performance\` \`TaskDuration\`), and ${ms(r.cost.chromiumCpuMs)} ms of CPU in all of Chromium's
processes (compositor, raster and network service included), on a box of ${r.cpu.split(' ')[0]} cores.

Save to render ÷ bare echo: ${ratio(r.applied)}. The server's share of a save (split 2b) ÷ the
Node-only durable save: ${(r.server.p50 / r.raw.p50).toFixed(2)}× (p50), ${(r.server.p99 / r.raw.p99).toFixed(2)}× (p99).
Splits 2a–2c join the server's times (\`crm-realtime:entity.save\`, kept by bench/save-probe.ts) to
the pages' on the machine's one clock (\`performance.timeOrigin + performance.now()\` in every
process).

Reading: what a save adds to the loopback trip is, at p50, ${ms(r.sent.p50)} ms in the saving page
before its frame leaves: ${ms(r.submitted.p50)} ms until the \`submit\` event starts (the input
event, then Chromium's \`requestSubmit()\`, which lays the whole page out again for the typed
value before it dispatches \`submit\`) and ${ms(r.kit.p50)} ms from there to \`WebSocket.send\` (the
form reads its changed fields, fires \`crm-form-save\`, and the change is sent in the submit's own
task; the optimistic render, the request's timer and the listeners run after the send),
${ms(r.between.p50)} ms between the sockets (the server parses and
authorizes the frame, commits one SQLite transaction and writes one \`entity.change\` to the room
while the WAL's fsync runs on the thread pool; a durable save from Node on an entity with no
watchers takes ${ms(r.raw.p50)} ms round trip), and
${ms(r.handled.p50)} ms in the other page (protocol parse, live-data store, one Lit update of the form
writing the field). The saving page's ack comes after the other page already shows the value: the
server answers once the fsync is done. The frame row adds the wait for the next animation frame.
`;
}

await main();
