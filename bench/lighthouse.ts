/**
 * What a legacy page downloads (`npm run bench:lighthouse`): Lighthouse, mobile preset (simulated
 * slow 4G, 4× CPU slowdown, a Moto G Power sized screen), on the demo's customer page and
 * dashboard, served by the REAL reference server (`--dev`, as `npm start` runs it) and driven in
 * Debian's Chromium. Prints, per page, the median of `--runs` runs: the performance and
 * accessibility scores, LCP, what went over the wire (bytes and requests) and the depth of the
 * request chain the kit is loaded through.
 *
 * `--compare` also runs every page through a proxy in front of the same server that makes it
 * serve as it did before: the request's `Accept-Encoding` is dropped (so every file travels
 * uncompressed), and the pages import `/kit/define.js` (a tree of 18 modules) instead of the
 * one-file bundle. Pages alternate between the two, so both see the same load on a shared box.
 *
 * Flags: --runs 3   --compare   --json   --page customer|dashboard (repeatable; default both)
 *        --report DIR (writes every run's full Lighthouse result there, as JSON, to read which
 *        tasks and which element made the scores)
 * Needs the built kit (`npm run build`). Not part of `npm test`: scores depend on the machine.
 */
import { once } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, request, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import lighthouse, { type Result } from 'lighthouse';
import { launchBrowser } from '../test/e2e/helpers/browser.js';
import { freePort, startServer } from '../test/e2e/helpers/server.js';
import { median } from './child-ipc.js';

const PAGES: Record<string, string> = {
  customer: '/customer.html?id=42&as=ana',
  dashboard: '/dashboard.html?as=ana',
};

interface Options {
  runs: number;
  compare: boolean;
  json: boolean;
  pages: string[];
  reportDir: string | undefined;
}

function parseArgs(argv: string[]): Options {
  const i = argv.indexOf('--runs');
  const runs = i === -1 ? NaN : Number(argv[i + 1]);
  const pages = argv.flatMap((arg, j) => (arg === '--page' ? [argv[j + 1] ?? ''] : []));
  for (const page of pages) {
    if (!(page in PAGES))
      throw new Error(`--page ${page}: one of ${Object.keys(PAGES).join(', ')}`);
  }
  return {
    runs: Number.isInteger(runs) && runs > 0 ? Math.min(runs, 15) : 3,
    compare: argv.includes('--compare'),
    json: argv.includes('--json'),
    pages: pages.length > 0 ? pages : Object.keys(PAGES),
    reportDir: argv.includes('--report')
      ? resolve(argv[argv.indexOf('--report') + 1] ?? '')
      : undefined,
  };
}

/** One Lighthouse run, reduced to what this bench reports. */
interface Sample {
  performance: number;
  accessibility: number;
  lcpMs: number;
  fcpMs: number;
  tbtMs: number;
  transferBytes: number;
  requests: number;
  kitBytes: number;
  kitRequests: number;
  /** Longest chain of requests the page waited on, counted in requests (the page itself is 1). */
  chainDepth: number;
  /** Lighthouse's measure of this machine's speed at the time (higher is faster). */
  benchmarkIndex: number;
  failedAudits: string[];
}

interface NetworkItem {
  url: string;
  transferSize?: number;
}

interface ChainNode {
  children?: Record<string, ChainNode>;
}

function chainDepth(chains: Record<string, ChainNode> | undefined): number {
  if (!chains) return 0;
  let deepest = 0;
  for (const node of Object.values(chains)) {
    deepest = Math.max(deepest, 1 + chainDepth(node.children));
  }
  return deepest;
}

function sampleOf(lhr: Result): Sample {
  const audit = (id: string) => lhr.audits[id];
  const items = ((audit('network-requests')?.details as { items?: NetworkItem[] } | undefined)
    ?.items ?? []) as NetworkItem[];
  // The page's own WebSocket is not a download; Lighthouse lists it with no transfer size.
  const http = items.filter((item) => /^https?:/.test(item.url));
  const kit = http.filter((item) => new URL(item.url).pathname.startsWith('/kit/'));
  const sum = (list: NetworkItem[]) => list.reduce((n, item) => n + (item.transferSize ?? 0), 0);
  const chains = (
    audit('critical-request-chains')?.details as { chains?: Record<string, ChainNode> } | undefined
  )?.chains;
  const failedAudits = Object.values(lhr.audits)
    .filter(
      (a) =>
        a.score !== null &&
        a.score < 1 &&
        (lhr.categories['accessibility']?.auditRefs ?? []).some(
          (ref) => ref.id === a.id && ref.weight > 0,
        ),
    )
    .map((a) => a.id);
  return {
    performance: Math.round((lhr.categories['performance']?.score ?? 0) * 100),
    accessibility: Math.round((lhr.categories['accessibility']?.score ?? 0) * 100),
    lcpMs: audit('largest-contentful-paint')?.numericValue ?? NaN,
    fcpMs: audit('first-contentful-paint')?.numericValue ?? NaN,
    tbtMs: audit('total-blocking-time')?.numericValue ?? NaN,
    transferBytes: sum(http),
    requests: http.length,
    kitBytes: sum(kit),
    kitRequests: kit.length,
    chainDepth: chainDepth(chains),
    benchmarkIndex: lhr.environment.benchmarkIndex,
    failedAudits,
  };
}

/**
 * A proxy that makes the server serve as it did before: no `Accept-Encoding` reaches it, and its
 * pages import the kit as `/kit/define.js`. WebSocket upgrades pass through.
 */
async function startBaselineProxy(target: number): Promise<{ port: number; close(): void }> {
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const headers = { ...req.headers };
    delete headers['accept-encoding'];
    const upstream = request(
      { host: '127.0.0.1', port: target, method: req.method, path: req.url, headers },
      (answer: IncomingMessage) => {
        const out = { ...answer.headers };
        if (!String(out['content-type']).startsWith('text/html')) {
          res.writeHead(answer.statusCode ?? 502, out);
          answer.pipe(res);
          return;
        }
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          const page = Buffer.from(
            Buffer.concat(chunks)
              .toString('utf8')
              .replaceAll('/kit/crm-realtime.bundle.js', '/kit/define.js'),
          );
          out['content-length'] = String(page.length);
          delete out['etag'];
          res.writeHead(answer.statusCode ?? 502, out);
          res.end(page);
        });
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const upstream = connect(target, '127.0.0.1', () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      }
      upstream.write(lines.join('\r\n') + '\r\n\r\n');
      upstream.write(head);
      upstream.pipe(socket).pipe(upstream);
    });
    sockets.add(upstream);
    upstream.once('close', () => sockets.delete(upstream));
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    close() {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  if (options.reportDir) await mkdir(options.reportDir, { recursive: true });
  const server = await startServer();
  const kit = await fetch(`${server.origin}/kit/define.js`);
  if (kit.status !== 200) {
    await server.dispose();
    throw new Error('the built kit is missing: run `npm run build` first');
  }
  const debuggingPort = await freePort();
  const browser = await launchBrowser([`--remote-debugging-port=${debuggingPort}`]);
  const proxy = options.compare ? await startBaselineProxy(server.port) : undefined;
  const variants = [
    ...(proxy
      ? [{ name: 'before: define.js, uncompressed', origin: `http://127.0.0.1:${proxy.port}` }]
      : []),
    { name: 'as served', origin: server.origin },
  ];
  const samples = new Map<string, Sample[]>();
  try {
    for (let run = 0; run < options.runs; run++) {
      for (const page of options.pages) {
        for (const variant of variants) {
          const result = await lighthouse(
            variant.origin + PAGES[page]!,
            {
              port: debuggingPort,
              output: 'json',
              logLevel: 'error',
              onlyCategories: ['performance', 'accessibility'],
            },
            // The default config is the mobile preset.
          );
          if (!result) throw new Error(`no Lighthouse result for ${page}`);
          if (options.reportDir) {
            await writeFile(
              join(options.reportDir, `${page}-${variants.indexOf(variant)}-run${run + 1}.json`),
              JSON.stringify(result.lhr),
            );
          }
          const key = `${page}\t${variant.name}`;
          samples.set(key, [...(samples.get(key) ?? []), sampleOf(result.lhr)]);
          if (!options.json) {
            const s = sampleOf(result.lhr);
            console.error(
              `run ${run + 1}/${options.runs} ${page} (${variant.name}): performance ${s.performance}, LCP ${secs(s.lcpMs)}`,
            );
          }
        }
      }
    }
  } finally {
    proxy?.close();
    await browser.close();
    await server.dispose();
  }

  const rows = [...samples].map(([key, list]) => {
    const [page, variant] = key.split('\t') as [string, string];
    const m = (pick: (s: Sample) => number) => median(list.map(pick));
    return {
      page,
      variant,
      runs: list.length,
      performance: m((s) => s.performance),
      performanceRange: [
        Math.min(...list.map((s) => s.performance)),
        Math.max(...list.map((s) => s.performance)),
      ],
      lcpMs: m((s) => s.lcpMs),
      fcpMs: m((s) => s.fcpMs),
      tbtMs: m((s) => s.tbtMs),
      accessibility: m((s) => s.accessibility),
      transferBytes: m((s) => s.transferBytes),
      requests: m((s) => s.requests),
      kitBytes: m((s) => s.kitBytes),
      kitRequests: m((s) => s.kitRequests),
      chainDepth: m((s) => s.chainDepth),
      benchmarkIndex: m((s) => s.benchmarkIndex),
      failedAccessibilityAudits: [...new Set(list.flatMap((s) => s.failedAudits))],
    };
  });

  if (options.json) {
    console.log(JSON.stringify({ date: new Date().toISOString(), rows }, null, 2));
    return;
  }
  const [load1] = loadavg();
  console.log(
    `\nLighthouse mobile preset, median of ${options.runs} run(s); ${cpus().length} × ${
      cpus()[0]?.model.trim() ?? 'CPU'
    }, load average ${load1?.toFixed(1)}\n`,
  );
  console.log(
    '| page | served | performance | LCP | FCP | TBT | accessibility | transferred | requests | kit transferred | kit requests | chain depth | benchmark index |',
  );
  console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const [low, high] = r.performanceRange;
    console.log(
      `| ${r.page} | ${r.variant} | ${r.performance} (${low}–${high}) | ${secs(r.lcpMs)} | ${secs(r.fcpMs)} | ${r.tbtMs.toFixed(0)} ms | ${r.accessibility} | ${kib(r.transferBytes)} | ${r.requests} | ${kib(r.kitBytes)} | ${r.kitRequests} | ${r.chainDepth} | ${r.benchmarkIndex.toFixed(0)} |`,
    );
  }
  for (const r of rows) {
    if (r.failedAccessibilityAudits.length > 0) {
      console.log(
        `\n${r.page} (${r.variant}) fails accessibility audits: ${r.failedAccessibilityAudits.join(', ')}`,
      );
    }
  }
}

await main();
