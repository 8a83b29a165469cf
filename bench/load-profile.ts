/**
 * Where a demo page's load spends the main thread (`node --import tsx bench/load-profile.ts`): the page opened
 * in Debian's Chromium with the CPU slowed 4× (as Lighthouse's mobile preset assumes), traced for
 * a few seconds after navigation. Prints the tasks longer than 50 ms (what Total Blocking Time
 * counts), what each spent its time on (script, style recalculation, layout, paint), the layouts
 * and style recalculations that script forced, and the kit's source files that took the most
 * script time (the CPU profile mapped through the bundle's source map).
 *
 * Flags: --page customer|dashboard (default customer)   --seconds 6   --runs 1   --json
 * Times are of this machine under its current load: compare runs side by side, never with
 * figures taken at another time. Needs the built kit (`npm run build`).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { TraceMap, originalPositionFor } from '@jridgewell/trace-mapping';
import { launchBrowser } from '../test/e2e/helpers/browser.js';
import { ROOT, startServer } from '../test/e2e/helpers/server.js';
import { median } from './child-ipc.js';

const PAGES: Record<string, string> = {
  customer: '/customer.html?id=42&as=ana',
  dashboard: '/dashboard.html?as=ana',
};

interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  args?: {
    name?: string;
    data?: Record<string, unknown> & { stackTrace?: unknown[]; url?: string };
    beginData?: { stackTrace?: unknown[]; dirtyObjects?: number };
    elementCount?: number;
  };
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
}

/** What one load looked like. */
interface Load {
  longTasks: {
    startMs: number;
    ms: number;
    breakdown: Record<string, number>;
    /**
     * Elements whose style was recalculated and layout objects laid out during the task: what the
     * task did, whatever the machine's load.
     */
    styled: number;
    laidOut: number;
    /** Self time per function of the CPU profile during the task (ms), the largest first. */
    functions: [string, number][];
  }[];
  /** Time in top-level tasks by kind, over the traced window. */
  totals: Record<string, number>;
  forcedLayouts: { count: number; ms: number };
  forcedStyles: { count: number; ms: number };
  /** Sum over long tasks of (duration − 50 ms): the page's blocking time under this throttle. */
  blockingMs: number;
  /** Self time per kit source file (ms), from the CPU profile. */
  sources: Record<string, number>;
}

/** Kinds of work a trace event stands for, by event name. */
const KIND: Record<string, string> = {
  EvaluateScript: 'script',
  'v8.compile': 'script',
  'v8.compileModule': 'script',
  'v8.evaluateModule': 'script',
  FunctionCall: 'script',
  EventDispatch: 'script',
  TimerFire: 'script',
  FireAnimationFrame: 'script',
  RunMicrotasks: 'script',
  'V8.GCScavenger': 'gc',
  MajorGC: 'gc',
  MinorGC: 'gc',
  UpdateLayoutTree: 'style',
  RecalculateStyles: 'style',
  ParseAuthorStyleSheet: 'style',
  Layout: 'layout',
  PrePaint: 'paint',
  Paint: 'paint',
  Layerize: 'paint',
  UpdateLayerTree: 'paint',
  ParseHTML: 'html',
};

function analyse(
  events: TraceEvent[],
  profile: CpuProfile,
  map: TraceMap,
  origin: string,
  byFunction: boolean,
): Load {
  const main = events.find(
    (e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain' && e.ph === 'M',
  );
  // The page's renderer: the main thread that evaluated the page's own module script.
  const pageThreads = new Set(
    events
      .filter((e) => e.name === 'ParseHTML' || e.name === 'EvaluateScript')
      .map((e) => `${e.pid}:${e.tid}`),
  );
  const onMain = events.filter(
    (e) => e.ph === 'X' && pageThreads.has(`${e.pid}:${e.tid}`) && e.dur !== undefined,
  );
  void main;
  const tasks = onMain
    .filter((e) => e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask')
    .sort((a, b) => a.ts - b.ts || b.dur! - a.dur!)
    // Top-level tasks only: a nested run loop (a synchronous XHR, a module's evaluation) shows as
    // tasks inside a task.
    .filter(function outermost(this: void, e, i, list) {
      for (let j = i - 1; j >= 0; j--) {
        const before = list[j]!;
        if (before.ts + before.dur! > e.ts) return false;
      }
      return true;
    });
  const start =
    events.find((e) => e.name === 'navigationStart' || e.name === 'NavigationTiming')?.ts ??
    tasks[0]?.ts ??
    0;
  const totals: Record<string, number> = {};
  const longTasks: Load['longTasks'] = [];
  let blockingMs = 0;
  // Children are attributed to the innermost kind that is not script, so "style" inside a
  // FunctionCall counts as style (a forced recalculation) and not as script.
  const sorted = onMain.slice().sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
  for (const task of tasks) {
    const end = task.ts + (task.dur ?? 0);
    const inside = sorted.filter((e) => e !== task && e.ts >= task.ts && e.ts < end);
    const breakdown: Record<string, number> = {};
    // Self time per kind: walk with a stack.
    const stack: { e: TraceEvent; kind: string; child: number }[] = [];
    const close = (until: number) => {
      while (
        stack.length > 0 &&
        stack[stack.length - 1]!.e.ts + stack[stack.length - 1]!.e.dur! <= until
      ) {
        const top = stack.pop()!;
        const self = top.e.dur! - top.child;
        breakdown[top.kind] = (breakdown[top.kind] ?? 0) + self / 1000;
        if (stack.length > 0) stack[stack.length - 1]!.child += top.e.dur!;
      }
    };
    let covered = 0;
    for (const e of inside) {
      close(e.ts);
      const parentKind = stack[stack.length - 1]?.kind ?? 'other';
      const kind = KIND[e.name] ?? parentKind;
      if (stack.length === 0) covered += e.dur!;
      stack.push({ e, kind, child: 0 });
    }
    close(Number.POSITIVE_INFINITY);
    breakdown['other'] = (breakdown['other'] ?? 0) + (task.dur! - covered) / 1000;
    for (const [kind, ms] of Object.entries(breakdown)) totals[kind] = (totals[kind] ?? 0) + ms;
    const ms = task.dur! / 1000;
    if (ms > 50) {
      blockingMs += ms - 50;
      const count = (name: string, pick: (e: TraceEvent) => unknown) =>
        inside.filter((e) => e.name === name).reduce((n, e) => n + (Number(pick(e)) || 0), 0);
      longTasks.push({
        startMs: (task.ts - start) / 1000,
        ms,
        breakdown,
        styled: count(
          'UpdateLayoutTree',
          (e) => (e.args as { elementCount?: number }).elementCount,
        ),
        laidOut: count(
          'Layout',
          (e) => (e.args?.beginData as { dirtyObjects?: number }).dirtyObjects,
        ),
        functions: [],
      });
    }
  }
  const forced = (name: string) => {
    const list = onMain.filter(
      (e) =>
        e.name === name &&
        ((e.args?.beginData?.stackTrace?.length ?? 0) > 0 ||
          (e.args?.data?.stackTrace?.length ?? 0) > 0),
    );
    return { count: list.length, ms: list.reduce((n, e) => n + e.dur! / 1000, 0) };
  };

  // Self time per original source file of the bundle, and per function during each long task.
  const sources: Record<string, number> = {};
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const keys = new Map<number, string>();
  const keyOf = (node: ProfileNode, functions: boolean): string => {
    const { url, lineNumber, columnNumber, functionName } = node.callFrame;
    if (url.endsWith('/kit/crm-realtime.bundle.js')) {
      const pos = originalPositionFor(map, { line: lineNumber + 1, column: columnNumber });
      const file = (pos.source ?? 'bundle?').replace(/^.*?(node_modules|src)\//, '$1/');
      return functions ? `${file}:${pos.line ?? '?'} ${pos.name ?? functionName}` : file;
    }
    if (url.startsWith(origin)) {
      const file = url.slice(origin.length);
      return functions ? `${file}:${lineNumber + 1} ${functionName}` : file;
    }
    return functionName ? `(${functionName})` : '(native)';
  };
  let at = profile.startTime;
  const perTask = longTasks.map(() => new Map<string, number>());
  const bounds = longTasks.map((t) => [
    start + t.startMs * 1000,
    start + (t.startMs + t.ms) * 1000,
  ]);
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] ?? 0;
    const node = byId.get(profile.samples[i]!);
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    if (!node) continue;
    const file = keyOf(node, byFunction);
    sources[file] = (sources[file] ?? 0) + dt;
    const t = bounds.findIndex(([from, to]) => at >= from! && at < to!);
    if (t === -1) continue;
    let key = keys.get(node.id);
    if (key === undefined) keys.set(node.id, (key = keyOf(node, true)));
    perTask[t]!.set(key, (perTask[t]!.get(key) ?? 0) + dt);
  }
  longTasks.forEach((task, i) => {
    task.functions = [...perTask[i]!].sort((a, b) => b[1] - a[1]).slice(0, 12);
  });
  return {
    longTasks,
    totals,
    forcedLayouts: forced('Layout'),
    forcedStyles: forced('UpdateLayoutTree'),
    blockingMs,
    sources,
  };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const arg = (name: string) => {
    const i = argv.indexOf(name);
    return i === -1 ? undefined : argv[i + 1];
  };
  const page = arg('--page') ?? 'customer';
  if (!(page in PAGES)) throw new Error(`--page: one of ${Object.keys(PAGES).join(', ')}`);
  const seconds = Number(arg('--seconds') ?? 6);
  const runs = Number(arg('--runs') ?? 1);
  const map = new TraceMap(
    await readFile(join(ROOT, 'dist/kit/crm-realtime.bundle.js.map'), 'utf8'),
  );
  const server = await startServer();
  const browser = await launchBrowser();
  const loads: Load[] = [];
  try {
    for (let run = 0; run < runs; run++) {
      const context = await browser.newContext({ viewport: { width: 412, height: 823 } });
      const tab = await context.newPage();
      const cdp = await context.newCDPSession(tab);
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
      await cdp.send('Network.enable');
      await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
      const events: TraceEvent[] = [];
      cdp.on('Tracing.dataCollected', (data) =>
        events.push(...(data.value as unknown as TraceEvent[])),
      );
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
      await cdp.send('Tracing.start', {
        categories: [
          'devtools.timeline',
          'disabled-by-default-devtools.timeline',
          'disabled-by-default-devtools.timeline.stack',
          'v8.execute',
          'v8',
          'blink.user_timing',
          'loading',
          '__metadata',
        ].join(','),
        transferMode: 'ReportEvents',
      });
      await cdp.send('Profiler.start');
      await tab.goto(server.origin + PAGES[page]!);
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
      const { profile } = (await cdp.send('Profiler.stop')) as { profile: CpuProfile };
      const done = new Promise<void>((resolve) =>
        cdp.once('Tracing.tracingComplete', () => resolve()),
      );
      await cdp.send('Tracing.end');
      await done;
      if (arg('--save-trace')) {
        await writeFile(arg('--save-trace')!, JSON.stringify({ events, profile }));
      }
      loads.push(analyse(events, profile, map, server.origin, argv.includes('--functions')));
      await context.close();
    }
  } finally {
    await browser.close();
    await server.dispose();
  }
  if (argv.includes('--json')) {
    console.log(JSON.stringify(loads, null, 2));
    return;
  }
  const fmt = (n: number) => n.toFixed(0);
  console.log(`${page}, CPU 4× slower, ${runs} run(s), load average ${loadavg()[0]?.toFixed(1)}`);
  for (const [i, load] of loads.entries()) {
    console.log(
      `\nrun ${i + 1}: blocking ${fmt(load.blockingMs)} ms over ${load.longTasks.length} long task(s)`,
    );
    for (const t of load.longTasks) {
      const parts = Object.entries(t.breakdown)
        .filter(([, ms]) => ms >= 1)
        .sort((a, b) => b[1] - a[1])
        .map(([k, ms]) => `${k} ${fmt(ms)}`)
        .join(', ');
      console.log(
        `  at ${fmt(t.startMs)} ms: ${fmt(t.ms)} ms (${parts}; styled ${t.styled} elements, laid out ${t.laidOut} objects)`,
      );
      if (argv.includes('--functions')) {
        for (const [fn, ms] of t.functions.filter(([, ms]) => ms >= 3)) {
          console.log(`      ${fmt(ms).padStart(5)} ms  ${fn}`);
        }
      }
    }
    console.log(
      `  totals: ${Object.entries(load.totals)
        .sort((a, b) => b[1] - a[1])
        .map(([k, ms]) => `${k} ${fmt(ms)}`)
        .join(', ')}`,
    );
    console.log(
      `  forced by script: layouts ${load.forcedLayouts.count} (${fmt(load.forcedLayouts.ms)} ms), style recalcs ${load.forcedStyles.count} (${fmt(load.forcedStyles.ms)} ms)`,
    );
    const top = Object.entries(load.sources)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 25);
    console.log('  self time by source:');
    for (const [src, ms] of top) console.log(`    ${fmt(ms).padStart(5)} ms  ${src}`);
  }
  if (loads.length > 1) {
    console.log(`\nmedian blocking ${fmt(median(loads.map((l) => l.blockingMs)))} ms`);
  }
}

await main();
