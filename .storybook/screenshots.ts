/**
 * Screenshots of stories from the built Storybook, in headless Debian Chromium, for looking at
 * what designers and users see. Not part of `npm test`; writes PNGs to test-artifacts/storybook/.
 *
 *   npx storybook build --quiet -o dist/storybook
 *   node --import tsx .storybook/screenshots.ts [filter] [--themes=light,dark] [--wait=1500]
 */
import { createReadStream, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from '../test/e2e/helpers/browser.js';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const staticDir = join(root, 'dist/storybook');
const outDir = join(root, 'test-artifacts/storybook');

const args = process.argv.slice(2);
const option = (name: string, fallback: string) =>
  args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const filter = args.find((a) => !a.startsWith('--')) ?? '';
const themes = option('themes', 'light,dark').split(',');
const wait = Number(option('wait', '1500'));

const types: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
};

const server = createServer((req, res) => {
  const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
  let file = join(staticDir, path);
  if (!file.startsWith(staticDir) || !existsSync(file)) {
    res.writeHead(404).end();
    return;
  }
  if (statSync(file).isDirectory()) file = join(file, 'index.html');
  res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
  createReadStream(file).pipe(res);
});
await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const index = JSON.parse(readFileSync(join(staticDir, 'index.json'), 'utf8')) as {
  entries: Record<string, { id: string; type: string }>;
};
const ids = Object.values(index.entries)
  .filter((e) => e.type === 'story' && e.id.includes(filter))
  .map((e) => e.id);

mkdirSync(outDir, { recursive: true });
const browser = await launchBrowser();
try {
  const page = await browser.newPage({
    viewport: { width: 900, height: 520 },
    deviceScaleFactor: 2,
  });
  page.on('console', (m) => {
    if (m.type() === 'error') console.error(`  console: ${m.text()}`);
  });
  page.on('pageerror', (e) => console.error(`  page error: ${e.message}`));
  for (const id of ids) {
    for (const theme of themes) {
      await page.goto(`${base}/iframe.html?id=${id}&viewMode=story&globals=theme:${theme}`);
      await page.waitForSelector('#storybook-root > *', { timeout: 10_000 });
      await page.waitForTimeout(wait);
      const file = join(outDir, `${id}--${theme}.png`);
      await page.screenshot({ path: file, fullPage: true });
      console.log(file);
    }
  }
} finally {
  await browser.close();
  server.close();
}
