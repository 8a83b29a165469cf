/**
 * Long-session benchmark (`npm run bench:long-session`): does a dashboard left open all day keep
 * its memory flat? The demo's dashboard (global activity feed, notification center, page
 * presence) in headless Chromium against the real reference server (`--dev`, SQLite), as one
 * person, while the backend posts activity through the HTTP API, other people come and go on the
 * page, and notifications arrive for the person.
 *
 * The load is spread over `--steps` equal steps (default: 20,000 activity items, 1,000 presence
 * joins and leaves by 1,000 different people, 1,000 notifications, in 20 steps). After each step
 * the bench waits until the page has everything (the feed counted every live item, the
 * notification center the unread count the server holds, the presence row is empty again), forces
 * a garbage collection twice over CDP (`HeapProfiler.collectGarbage`) and samples the JS heap in
 * use (`Runtime.getHeapUsage`) and the DOM (`Memory.getDOMCounters`). Flat means: every sample
 * after the warm-up (the first quarter of the steps) lies within ±10 % of their mean.
 *
 * Flags: --items 20000  --people 1000  --notifications 1000  --steps 20  --json  --no-write
 * Needs the built kit (`npm run build`).
 */
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import type { CDPSession, Page } from 'playwright-core';
import { WebSocket } from 'ws';
import { launchBrowser } from '../test/e2e/helpers/browser.js';
import { writeSection } from './results-section.js';
import { ROOT, startServer } from '../test/e2e/helpers/server.js';

const API_KEY = 'bench-long-session-key-0123456789';
const HEADING = '## Long sessions (Chromium, dashboard)';
const USER = 'ana';
const PAGE_ROOM = 'page:/dashboard.html';
/** Requests to the HTTP API in flight at once. */
const CONCURRENCY = 8;
/** Within this much of the mean, after the warm-up, the heap counts as flat. */
const TOLERANCE = 0.1;

interface Options {
  items: number;
  people: number;
  notifications: number;
  steps: number;
  json: boolean;
  write: boolean;
}

function parseArgs(argv: string[]): Options {
  const value = (name: string, fallback: number) => {
    const i = argv.indexOf(name);
    const n = i === -1 ? NaN : Number(argv[i + 1]);
    return Number.isInteger(n) && n >= 0 ? n : fallback;
  };
  return {
    items: value('--items', 20_000),
    people: value('--people', 1000),
    notifications: value('--notifications', 1000),
    steps: Math.max(4, value('--steps', 20)),
    json: argv.includes('--json'),
    write: !argv.includes('--no-write'),
  };
}

interface Sample {
  step: number;
  items: number;
  people: number;
  notifications: number;
  /** JS heap in use after GC, bytes. */
  heap: number;
  domNodes: number;
  listeners: number;
  /** Items the feed's store holds, notifications the center's store holds. */
  feedHeld: number;
  notificationsHeld: number;
  unread: number;
}

/** Run `count` jobs, `CONCURRENCY` at a time. */
async function pool(count: number, job: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await job(next++);
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, count) }, worker));
}

function api(origin: string) {
  return async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const response = await fetch(`${origin}${path}`, {
      method,
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    if (!response.ok)
      throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return response.json();
  };
}

const KINDS = ['call.logged', 'meeting.scheduled', 'email.sent', 'note.added'];
const ACTORS = [
  { id: 'chloe', name: 'Chloé Martin' },
  { id: 'david', name: 'David Okafor' },
  { id: 'emma', name: 'Emma Lindqvist' },
];

/**
 * One person arriving on the dashboard and leaving again: a lean WebSocket client that says hello
 * as a dev user, joins the page's room and leaves it.
 */
async function visit(origin: string, i: number): Promise<void> {
  const socket = new WebSocket(`${origin.replace(/^http/, 'ws')}/realtime`);
  const waiting = new Map<string, () => void>();
  socket.on('message', (data) => {
    const frame = JSON.parse(String(data)) as { replyTo?: string };
    if (frame.replyTo !== undefined) waiting.get(frame.replyTo)?.();
  });
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  const request = (frame: Record<string, unknown>, id: string) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to ${id}`)), 30_000);
      waiting.set(id, () => {
        clearTimeout(timer);
        resolve();
      });
      socket.send(JSON.stringify({ ...frame, id }));
    });
  const who = { id: `visitor-${i}`, name: `Visitor ${i}` };
  await request({ type: 'hello', v: 1, clientId: `bench-visit-${i}`, devUser: who }, 'h');
  await request({ type: 'join', room: PAGE_ROOM }, 'j');
  await request({ type: 'leave', room: PAGE_ROOM }, 'l');
  socket.close();
}

async function heapSample(
  cdp: CDPSession,
): Promise<{ heap: number; nodes: number; listeners: number }> {
  // Twice: objects freed by the first pass (weak maps, finalizers) go in the second.
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  const usage = await cdp.send('Runtime.getHeapUsage');
  const dom = await cdp.send('Memory.getDOMCounters');
  return { heap: usage.usedSize, nodes: dom.nodes, listeners: dom.jsEventListeners };
}

/** What the page's widgets hold, read through their public API. */
function pageState(page: Page) {
  return page.evaluate(() => {
    const feed = document.querySelector('crm-activity-feed') as unknown as {
      snapshot?: { items: readonly unknown[]; liveCount: number };
    } | null;
    const center = document.querySelector('crm-notification-center') as unknown as {
      unread: number;
      items: readonly unknown[];
    } | null;
    const presence = document.querySelector('crm-presence') as unknown as {
      people: readonly { user: { id: string } }[];
    } | null;
    return {
      liveCount: feed?.snapshot?.liveCount ?? 0,
      feedHeld: feed?.snapshot?.items.length ?? 0,
      unread: center?.unread ?? 0,
      notificationsHeld: center?.items.length ?? 0,
      visitors: (presence?.people ?? []).filter((p) => p.user.id.startsWith('visitor-')).length,
    };
  });
}

/** Polls the page until `ok` holds; the bound is a hang limit, not a speed check. */
async function settle(
  page: Page,
  ok: (s: Awaited<ReturnType<typeof pageState>>) => boolean,
  what: string,
): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const state = await pageState(page);
    if (ok(state)) return;
    if (Date.now() > deadline)
      throw new Error(`the page never showed ${what}: ${JSON.stringify(state)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  if (!existsSync(join(ROOT, 'dist/kit/crm-realtime.bundle.js'))) {
    throw new Error('the built kit is missing: run `npm run build` first');
  }
  const load = [loadavg()[0]!];
  const started = Date.now();
  const server = await startServer({
    env: { CRM_API_KEYS: API_KEY, CRM_NOTIFY_WATCHERS: '0' },
    graceMs: 100,
    // A hang limit: on a loaded shared box the first start (TypeScript compile) takes a while.
    startTimeoutMs: 120_000,
  });
  const browser = await launchBrowser(['--js-flags=--expose-gc']);
  const call = api(server.origin);
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addInitScript({ content: 'window.__name = (f) => f;' });
    const page = await context.newPage();
    await page.goto(`${server.origin}/dashboard.html?as=${USER}`);
    await page.waitForFunction(
      () =>
        document.querySelector('crm-connection-status')?.getAttribute('state') === 'open' &&
        (
          document.querySelector('crm-activity-feed') as unknown as {
            snapshot?: { loaded: boolean };
          }
        )?.snapshot?.loaded === true,
      undefined,
      { timeout: 30_000 },
    );
    const cdp = await context.newCDPSession(page);
    await cdp.send('HeapProfiler.enable');
    const first = await pageState(page);
    const serverUnread = async () =>
      ((await call('GET', `/api/notifications?user=${USER}&limit=1`)) as { unread: number }).unread;

    const samples: Sample[] = [];
    const initial = await heapSample(cdp);
    samples.push({
      step: 0,
      items: 0,
      people: 0,
      notifications: 0,
      heap: initial.heap,
      domNodes: initial.nodes,
      listeners: initial.listeners,
      feedHeld: first.feedHeld,
      notificationsHeld: first.notificationsHeld,
      unread: first.unread,
    });
    let items = 0;
    let people = 0;
    let notifications = 0;
    for (let step = 1; step <= options.steps; step++) {
      const share = (total: number, done: number) =>
        Math.round((total * step) / options.steps) - done;
      const nItems = share(options.items, items);
      const nPeople = share(options.people, people);
      const nNotes = share(options.notifications, notifications);
      const base = { items, people, notifications };
      await Promise.all([
        pool(nItems, (i) => {
          const n = base.items + i;
          return call('POST', '/api/activity', {
            kind: KINDS[n % KINDS.length],
            actor: ACTORS[n % ACTORS.length],
            entity: {
              type: 'customer',
              id: String(1 + (n % 60)),
              label: `Customer ${1 + (n % 60)}`,
            },
            customerId: String(1 + (n % 60)),
            summary: `Long-session item #${n}: a note long enough to look like a real one.`,
          }).then(() => {});
        }),
        pool(nPeople, (i) => visit(server.origin, base.people + i)),
        pool(nNotes, (i) => {
          const n = base.notifications + i;
          return call('POST', '/api/notifications', {
            target: { user: USER },
            type: n % 2 === 0 ? 'info' : 'success',
            title: `Notification #${n}`,
            message: 'Something happened to one of your customers.',
            entity: {
              type: 'customer',
              id: String(1 + (n % 60)),
              label: `Customer ${1 + (n % 60)}`,
            },
          }).then(() => {});
        }),
      ]);
      items += nItems;
      people += nPeople;
      notifications += nNotes;
      const unread = await serverUnread();
      await settle(
        page,
        (s) => s.liveCount - first.liveCount >= items && s.unread === unread && s.visitors === 0,
        `${items} live items, ${unread} unread and no visitor`,
      );
      const state = await pageState(page);
      const heap = await heapSample(cdp);
      samples.push({
        step,
        items,
        people,
        notifications,
        heap: heap.heap,
        domNodes: heap.nodes,
        listeners: heap.listeners,
        feedHeld: state.feedHeld,
        notificationsHeld: state.notificationsHeld,
        unread: state.unread,
      });
      const last = samples[samples.length - 1]!;
      console.log(
        `step ${step}/${options.steps}: ${items} items, ${people} visits, ${notifications} notifications — ` +
          `heap ${(last.heap / 1e6).toFixed(2)} MB, ${last.domNodes} DOM nodes, feed holds ${last.feedHeld}, ` +
          `center holds ${last.notificationsHeld}, unread ${last.unread} (server ${unread})`,
      );
    }
    load.push(loadavg()[0]!);
    const result = summarize(samples, options, load, (Date.now() - started) / 1000);
    if (options.json) console.log(JSON.stringify(result, null, 2));
    const report = render(result);
    console.log(report);
    if (options.write) await writeSection(join(ROOT, 'bench/RESULTS.md'), HEADING, report);
    if (!result.flat) process.exitCode = 1;
  } finally {
    await browser.close();
    await server.dispose();
  }
}

function summarize(samples: Sample[], options: Options, load: number[], seconds: number) {
  const warmUp = Math.ceil(options.steps / 4);
  const after = samples.filter((s) => s.step >= warmUp);
  const heaps = after.map((s) => s.heap);
  const mean = heaps.reduce((a, b) => a + b, 0) / heaps.length;
  const min = Math.min(...heaps);
  const max = Math.max(...heaps);
  // Least-squares slope of the heap over the activity items, after the warm-up.
  const xs = after.map((s) => s.items);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  let num = 0;
  let den = 0;
  after.forEach((s, i) => {
    num += (xs[i]! - mx) * (s.heap - mean);
    den += (xs[i]! - mx) ** 2;
  });
  const slopePer1000 = den === 0 ? 0 : (num / den) * 1000;
  return {
    date: new Date().toISOString().slice(0, 16).replace('T', ' '),
    cpu: `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}`,
    load,
    seconds,
    options,
    warmUp,
    samples,
    mean,
    min,
    max,
    spread: { low: min / mean - 1, high: max / mean - 1 },
    slopePer1000,
    flat: min >= mean * (1 - TOLERANCE) && max <= mean * (1 + TOLERANCE),
  };
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;
const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %`;

function render(r: ReturnType<typeof summarize>): string {
  const rows = r.samples
    .map(
      (s) =>
        `| ${s.step} | ${s.items.toLocaleString('en')} | ${s.people} | ${s.notifications} | ${mb(s.heap)} | ${s.domNodes} | ${s.feedHeld} | ${s.notificationsHeld} | ${s.unread} |`,
    )
    .join('\n');
  return `${HEADING}

\`npm run bench:long-session\` (bench/long-session.ts), ${r.date} UTC: the demo's dashboard
(\`<crm-activity-feed feed-type="global">\`, \`<crm-notification-center>\`, page \`<crm-presence>\`)
in headless Chromium as ${USER}, the reference server (\`--dev\`, SQLite) on loopback, ${r.cpu},
load average ${r.load.map((l) => l.toFixed(1)).join(' → ')}, ${Math.round(r.seconds)} s. In ${r.options.steps} steps:
${r.options.items.toLocaleString('en')} activity items posted through \`POST /api/activity\`, ${r.options.people} people (each a
different user) joining and leaving the page's room, ${r.options.notifications} notifications for ${USER} through
\`POST /api/notifications\`. After each step, once the page shows all of it (every live item
counted by the feed, the server's unread count in the center, no visitor left in the row): GC
forced twice over CDP, then the JS heap in use and the DOM node count.

| step | activity items | visits | notifications | JS heap after GC | DOM nodes | feed holds | center holds | unread |
|---:|---:|---:|---:|---:|---:|---:|---:|---:|
${rows}

After the warm-up (steps ≥ ${r.warmUp}): mean ${mb(r.mean)}, lowest ${pct(r.spread.low)}, highest
${pct(r.spread.high)}, slope ${(r.slopePer1000 / 1e3).toFixed(1)} KB per 1,000 activity items: **${r.flat ? 'flat' : 'not flat'}**
(within ±${TOLERANCE * 100} %).
`;
}

await main();
