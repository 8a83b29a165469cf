// Browser tests (`npm run test:browser`): test/browser/**/*.test.ts in Debian's Chromium, headless.
// TypeScript goes through esbuild with tsconfig.json, so Lit's legacy decorators
// (experimentalDecorators, useDefineForClassFields: false) compile as in the build.
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const tsconfig = fileURLToPath(new URL('./tsconfig.json', import.meta.url));

/** A port nobody listens on: two runs at once (two checkouts, an editor's watcher) must not collide on 8000. */
async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * `executeServerCommand('forced-colors', { active: true })`: Chromium's forced colours mode (as
 * Windows' contrast themes), which `emulateMedia` does not offer; `{ active: false }` ends it. The
 * CDP session stays open per page: emulation set through a session ends with it.
 */
function forcedColorsPlugin() {
  const sessions = new WeakMap();
  return {
    name: 'forced-colors-command',
    async executeCommand({ command, payload, session }) {
      if (command !== 'forced-colors') return undefined;
      const page = session.browser.getPage(session.id);
      let cdp = sessions.get(page);
      if (!cdp) {
        cdp = await page.createCDPSession();
        sessions.set(page, cdp);
      }
      const value = payload && payload.active ? 'active' : 'none';
      await cdp.send('Emulation.setEmulatedMedia', {
        features: [{ name: 'forced-colors', value }],
      });
      return true;
    },
  };
}

/**
 * `executeServerCommand('accessible-names')`: the names Chromium gives screen readers, as
 * `{ role, name }` for every node of its accessibility tree that is not ignored, shadow trees and
 * the top layer included. Computed after CSS, so `text-transform` shows in them as it is spoken.
 */
function accessibleNamesPlugin() {
  return {
    name: 'accessible-names-command',
    async executeCommand({ command, session }) {
      if (command !== 'accessible-names') return undefined;
      const cdp = await session.browser.getPage(session.id).createCDPSession();
      try {
        const { nodes } = await cdp.send('Accessibility.getFullAXTree');
        return nodes
          .filter((node) => !node.ignored && node.name?.value)
          .map((node) => ({ role: node.role?.value, name: node.name.value }));
      } finally {
        await cdp.detach();
      }
    },
  };
}

/**
 * A phone's touch screen, through the page's CDP session (kept per page, as emulation set through
 * a session ends with it):
 * - `executeServerCommand('touch-device', { active: true })`: the page is on a touch device
 *   (`(hover: none)`, `(pointer: coarse)`) until `{ active: false }`;
 * - `executeServerCommand('tap', { x, y })`: a finger's tap at a point of the viewport (touch
 *   events, `pointerType: 'touch'`, then the click the browser makes of them), on a touch device
 *   for the time of the tap unless it is one already. Nothing hovers before it;
 * - `executeServerCommand('swipe', { x, y, toY })`: a finger put down at a point and drawn
 *   vertically to `toY` in 20 px steps, then lifted (a scroll by touch), likewise; with
 *   `hold: true` it stays down (and the page on a touch device) until
 *   `executeServerCommand('lift')`.
 */
function touchPlugin() {
  const sessions = new WeakMap();
  const touching = new WeakSet();
  const holding = new WeakSet();
  return {
    name: 'touch-commands',
    async executeCommand({ command, payload, session }) {
      if (!['tap', 'swipe', 'lift', 'touch-device'].includes(command)) return undefined;
      const page = session.browser.getPage(session.id);
      let cdp = sessions.get(page);
      if (!cdp) {
        cdp = await page.createCDPSession();
        sessions.set(page, cdp);
      }
      const emulate = (enabled) =>
        cdp.send('Emulation.setTouchEmulationEnabled', { enabled, maxTouchPoints: 1 });
      if (command === 'touch-device') {
        if (payload && payload.active) touching.add(page);
        else touching.delete(page);
        await emulate(touching.has(page));
        return true;
      }
      const touch = (type, points) =>
        cdp.send('Input.dispatchTouchEvent', { type, touchPoints: points });
      if (command === 'lift') {
        if (!holding.delete(page)) return false;
        await touch('touchEnd', []);
        if (!touching.has(page)) await emulate(false);
        return true;
      }
      await emulate(true);
      try {
        const { x, y } = payload;
        await touch('touchStart', [{ x, y }]);
        if (command === 'swipe') {
          const step = payload.toY < y ? -20 : 20;
          for (let at = y + step; step < 0 ? at > payload.toY : at < payload.toY; at += step) {
            await touch('touchMove', [{ x, y: at }]);
          }
          await touch('touchMove', [{ x, y: payload.toY }]);
        }
        if (command === 'swipe' && payload.hold) holding.add(page);
        else await touch('touchEnd', []);
      } finally {
        if (!touching.has(page) && !holding.has(page)) await emulate(false);
      }
      return true;
    },
  };
}

export default {
  rootDir: '.',
  port: process.env.WTR_PORT ? Number(process.env.WTR_PORT) : await freePort(),
  files: ['test/browser/**/*.test.ts'],
  nodeResolve: { exportConditions: ['browser', 'development'] },
  plugins: [
    esbuildPlugin({ ts: true, target: 'es2022', tsconfig }),
    forcedColorsPlugin(),
    accessibleNamesPlugin(),
    touchPlugin(),
  ],
  // `?csp=no-connect`: a script served with a policy that refuses sockets, for the shared
  // connection's worker, which runs under its own script's policy (its fallback test).
  middleware: [
    async (ctx, next) => {
      await next();
      if (new URLSearchParams(ctx.querystring).get('csp') === 'no-connect') {
        ctx.set('content-security-policy', "default-src 'self'; connect-src 'none'");
      }
    },
  ],
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
        headless: true,
        args: [
          '--no-sandbox',
          '--headless=new',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
        ],
      },
    }),
  ],
  // One page at a time: a background tab gets no animation frames and no focus, and the widget
  // tests need both (fixtures await a frame; keyboard tests press Tab).
  concurrency: 1,
  concurrentBrowsers: 1,
  browserStartTimeout: 120_000,
  testsStartTimeout: 120_000,
  // Limits for a test that hangs, not speed assertions: a shared 2-core machine under load runs a
  // whole file of axe checks slowly, and a test that waits for a state may wait that long.
  testsFinishTimeout: 600_000,
  testFramework: { config: { timeout: 30_000 } },
};
