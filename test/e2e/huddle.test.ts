/**
 * End to end: calls on the demo's customer page (`<crm-huddle>` behind the "Call" button), two and
 * three people in separate browser contexts, real Chromium with fake devices (a beeping
 * microphone, a test-pattern camera and screen) against the real server on loopback. No STUN or
 * TURN is configured, so peers connect by host candidates.
 *
 * Every wait is for a state (bytes that grew, a track with frames, a changed ICE username), never
 * a fixed time. Live `RTCPeerConnection`s and local tracks are counted by a wrapper installed
 * before the page's scripts run, so a leak shows whatever the element reports about itself.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { closeDemo, launchBrowser, openAs } from './helpers/browser.js';
import { startServer, type TestServer } from './helpers/server.js';

/** Fake microphone, camera and screen, accepted without a prompt (Chromium 156). */
const FAKE_MEDIA = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'];

type Kind = 'audio' | 'video';
type Falsy = false | 0 | '' | null | undefined;

describe('calls on the demo customer page (real server, real browser, fake devices)', () => {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];

  before(async () => {
    server = await startServer();
    const kit = await fetch(`${server.origin}/kit/crm-realtime.bundle.js`);
    assert.equal(kit.status, 200, 'the built kit is missing: run `npm run build` first');
    browser = await launchBrowser(FAKE_MEDIA);
  });

  after(() => closeDemo(contexts, browser, server));

  // Each test's people hang up with it: calls left running (720p screens, several meshes) would
  // encode and decode on the machine's cores for the rest of the file and slow the next tests.
  afterEach(async () => {
    await Promise.allSettled(contexts.splice(0).map((context) => context.close()));
  });

  /** One person on one device, on customer `id`, with connections and tracks counted. */
  async function open(who: string, id: number): Promise<Page> {
    assert.ok(browser && server);
    const context = await browser.newContext();
    contexts.push(context);
    // A string, not a function: the TypeScript loader would wrap the named functions in a helper
    // the page does not have.
    await context.addInitScript(`(() => {
      const Native = window.RTCPeerConnection;
      const all = [];
      const tracks = [];
      window.RTCPeerConnection = class extends Native {
        constructor(config) {
          super(config);
          all.push(this);
        }
      };
      const devices = navigator.mediaDevices;
      const gum = devices.getUserMedia.bind(devices);
      const gdm = devices.getDisplayMedia.bind(devices);
      const keep = (stream) => (tracks.push(...stream.getTracks()), stream);
      devices.getUserMedia = async (c) => keep(await gum(c));
      devices.getDisplayMedia = async (c) => keep(await gdm(c));
      window.__calls = {
        created: () => all.length,
        live: () => all.filter((pc) => pc.signalingState !== 'closed').length,
        liveTracks: () => tracks.filter((t) => t.readyState === 'live').length,
      };
    })();`);
    const { page } = await openAs(context, server.origin, `/customer.html?id=${id}`, who);
    return page;
  }

  const huddle = (page: Page) => page.locator('crm-huddle');

  /**
   * Waits until an asynchronous page function (one that reads `getStats()`) returns a truthy
   * value, and returns it. `page.waitForFunction` cannot do this: it does not await the function's
   * promise, and a pending promise is truthy, so such a wait passes at once.
   */
  async function until<T, A>(
    page: Page,
    check: (arg: A) => Promise<T>,
    arg: A,
    { timeout = 20_000, what = 'a state' }: { timeout?: number; what?: string } = {},
  ): Promise<Exclude<T, Falsy>> {
    const deadline = Date.now() + timeout;
    for (;;) {
      // Typed by `check`: Playwright's own types cannot relate a generic argument to its unboxed form.
      const value = (await page.evaluate(check as never, arg as never)) as T;
      if (value) return value as Exclude<T, Falsy>;
      if (Date.now() > deadline) throw new Error(`no ${what} within ${timeout} ms`);
      // Between two polls, as `waitForFunction`'s own `polling` does.
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async function join(page: Page): Promise<void> {
    await page.locator('[data-call]').click();
    await page.waitForFunction(() => document.querySelector('crm-huddle')?.state === 'in-call');
  }

  async function leave(page: Page): Promise<void> {
    await page.locator('[data-call]').click();
    await page.waitForFunction(() => document.querySelector('crm-huddle')?.state === 'idle');
  }

  /** Sum of one RTP counter over every connection of the page's huddle. */
  function rtp(page: Page, type: 'inbound-rtp' | 'outbound-rtp', kind: Kind): Promise<number> {
    return page.evaluate(
      async ({ type, kind }) => {
        const pcs = document.querySelector('crm-huddle')?.peerConnections ?? [];
        let total = 0;
        for (const pc of pcs) {
          (await pc.getStats()).forEach((r: Record<string, unknown>) => {
            if (r['type'] === type && r['kind'] === kind) {
              total += Number(r[type === 'inbound-rtp' ? 'bytesReceived' : 'bytesSent'] ?? 0);
            }
          });
        }
        return total;
      },
      { type, kind },
    );
  }

  /** Waits until the counter grows past where it is now (media flows). */
  async function grows(page: Page, type: 'inbound-rtp' | 'outbound-rtp', kind: Kind) {
    const start = await rtp(page, type, kind);
    await until(
      page,
      async ({ type, kind, start }) => {
        const pcs = document.querySelector('crm-huddle')?.peerConnections ?? [];
        let total = 0;
        for (const pc of pcs) {
          (await pc.getStats()).forEach((r: Record<string, unknown>) => {
            if (r['type'] === type && r['kind'] === kind) {
              total += Number(r[type === 'inbound-rtp' ? 'bytesReceived' : 'bytesSent'] ?? 0);
            }
          });
        }
        return total > start;
      },
      { type, kind, start },
      { what: `${kind} ${type} bytes growing` },
    );
  }

  /** Waits until every peer connection of the page has inbound audio from each of `count` peers. */
  async function hearsEveryone(page: Page, count: number): Promise<void> {
    await until(
      page,
      async (count) => {
        const pcs = document.querySelector('crm-huddle')?.peerConnections ?? [];
        if (pcs.length !== count) return false;
        for (const pc of pcs) {
          let bytes = 0;
          (await pc.getStats()).forEach((r: Record<string, unknown>) => {
            if (r['type'] === 'inbound-rtp' && r['kind'] === 'audio') {
              bytes += Number(r['bytesReceived'] ?? 0);
            }
          });
          if (bytes === 0) return false;
        }
        return true;
      },
      count,
      { what: `inbound audio from each of ${count} connections` },
    );
  }

  const counts = (page: Page) =>
    page.evaluate(() => {
      const calls = (
        window as unknown as {
          __calls: { created(): number; live(): number; liveTracks(): number };
        }
      ).__calls;
      return { created: calls.created(), live: calls.live(), liveTracks: calls.liveTracks() };
    });

  test('two people: media flows both ways, mute stops outbound audio', async () => {
    const ana = await open('ana', 7);
    const ben = await open('ben', 7);
    await join(ana);
    await join(ben);
    await hearsEveryone(ana, 1);
    await hearsEveryone(ben, 1);
    await grows(ana, 'inbound-rtp', 'audio');
    await grows(ben, 'inbound-rtp', 'audio');

    // Presence on the other page says Ana is in the call.
    await ben.waitForFunction(() =>
      [...(document.querySelector('crm-presence')?.people ?? [])].some(
        (p) => p.user.id === 'ana' && p.inCall === true,
      ),
    );

    // M, with the focus in the element, mutes: the sender sends nothing at all.
    await huddle(ana).locator('[part~="mute"]').focus();
    await ana.keyboard.press('m');
    assert.equal(await huddle(ana).locator('[part~="mute"]').getAttribute('aria-pressed'), 'true');
    await ana.waitForFunction(() =>
      (document.querySelector('crm-huddle')?.peerConnections ?? []).every((pc) =>
        pc
          .getTransceivers()
          .filter((t) => t.receiver.track.kind === 'audio')
          .every((t) => t.sender.track === null),
      ),
    );
    // Outbound audio bytes stop growing: the counter stays put across several stats updates.
    await until(
      ana,
      async () => {
        const w = window as unknown as { __muteSeen?: { bytes: number; at: number } };
        const pcs = document.querySelector('crm-huddle')?.peerConnections ?? [];
        let bytes = 0;
        for (const pc of pcs) {
          (await pc.getStats()).forEach((r: Record<string, unknown>) => {
            if (r['type'] === 'outbound-rtp' && r['kind'] === 'audio') {
              bytes += Number(r['bytesSent'] ?? 0);
            }
          });
        }
        const now = performance.now();
        if (w.__muteSeen?.bytes !== bytes) {
          w.__muteSeen = { bytes, at: now };
          return false;
        }
        return now - w.__muteSeen.at > 1500;
      },
      undefined,
      { what: 'outbound audio standing still' },
    );
    await ana.keyboard.press('m');
    await grows(ana, 'outbound-rtp', 'audio');
    await grows(ben, 'inbound-rtp', 'audio');
  });

  /**
   * Waits until the screen share shown on the page has decoded more than `after` frames, and
   * returns that count. Counted on the `inbound-rtp` report of the transceiver whose track the
   * screen tile shows (matched by `mid`), so camera or audio traffic cannot stand in for it, and
   * a tile that shows the wrong track never passes.
   */
  async function screenFramesPast(page: Page, after: number, what: string): Promise<number> {
    try {
      return await until(
        page,
        async (after) => {
          const h = document.querySelector('crm-huddle');
          const video = h?.shadowRoot?.querySelector<HTMLVideoElement>('li[data-screen] video');
          const shown = (video?.srcObject as MediaStream | null)?.getVideoTracks()[0];
          if (!h || !shown) return false;
          for (const pc of h.peerConnections) {
            const mid = pc.getTransceivers().find((t) => t.receiver.track === shown)?.mid;
            if (mid === undefined || mid === null) continue;
            let frames = 0;
            (await pc.getStats()).forEach((r: Record<string, unknown>) => {
              if (r['type'] === 'inbound-rtp' && r['mid'] === mid) {
                frames = Number(r['framesDecoded'] ?? 0);
              }
            });
            return frames > after ? frames : false;
          }
          return false;
        },
        after,
        // A cap, not a pace: a loaded two-core machine encodes and decodes 720p slowly.
        { timeout: 45_000, what: `screen frames past ${after}` },
      );
    } catch (error) {
      const info = await page.evaluate(async () => {
        const h = document.querySelector('crm-huddle')!;
        const video = h.shadowRoot?.querySelector<HTMLVideoElement>('li[data-screen] video');
        const stats: unknown[] = [];
        for (const pc of h.peerConnections) {
          (await pc.getStats()).forEach((r: Record<string, unknown>) => {
            if (r['kind'] === 'video' && String(r['type']).endsWith('bound-rtp')) stats.push(r);
          });
        }
        return {
          video: video && { w: video.videoWidth, ready: video.readyState, paused: video.paused },
          transceivers: h.peerConnections.map((pc) =>
            pc
              .getTransceivers()
              .map((t) => `${t.mid}:${t.receiver.track.kind}:muted=${t.receiver.track.muted}`),
          ),
          stats,
        };
      });
      throw new Error(`${what}: ${String(error)} ${JSON.stringify(info)}`);
    }
  }

  test('a screen share reaches the other person, with frames', async () => {
    const ana = await open('ana', 13);
    const ben = await open('ben', 13);
    await join(ana);
    await join(ben);
    await hearsEveryone(ben, 1);

    await huddle(ana).locator('[part~="share"]').click();
    await huddle(ana).locator('[part~="sharing"]').waitFor({ state: 'visible' });
    assert.equal(await huddle(ana).locator('[part~="share"]').getAttribute('aria-pressed'), 'true');
    await huddle(ben).locator('li[data-screen]').waitFor({ state: 'attached', timeout: 45_000 });

    // The tile's video shows the screen: it knows the shared screen's size.
    await ben
      .waitForFunction(
        () =>
          (document
            .querySelector('crm-huddle')
            ?.shadowRoot?.querySelector<HTMLVideoElement>('li[data-screen] video')?.videoWidth ??
            0) > 0,
        undefined,
        { polling: 100, timeout: 45_000 },
      )
      .catch(async (error: unknown) => {
        const video = await ben.evaluate(() => {
          const v = document
            .querySelector('crm-huddle')
            ?.shadowRoot?.querySelector<HTMLVideoElement>('li[data-screen] video');
          const stream = v?.srcObject as MediaStream | null | undefined;
          return (
            v && {
              ready: v.readyState,
              paused: v.paused,
              network: v.networkState,
              error: v.error?.message,
              hidden: document.visibilityState,
              tracks: stream?.getTracks().map((t) => `${t.kind}:${t.readyState}:muted=${t.muted}`),
              connected: v.isConnected,
            }
          );
        });
        const rtpOf = (page: Page, type: string) =>
          page.evaluate(async (type) => {
            const found: unknown[] = [];
            for (const pc of document.querySelector('crm-huddle')?.peerConnections ?? []) {
              (await pc.getStats()).forEach((r: Record<string, unknown>) => {
                if (r['type'] === type && r['kind'] === 'video') {
                  const { mid, framesEncoded, framesSent, framesDecoded, packetsReceived } = r;
                  const { qualityLimitationReason, frameWidth, framesPerSecond } = r;
                  found.push({ mid, framesEncoded, framesSent, framesDecoded, packetsReceived });
                  found.push({ qualityLimitationReason, frameWidth, framesPerSecond });
                }
              });
            }
            return found;
          }, type);
        const states = (page: Page) =>
          page.evaluate(() =>
            (document.querySelector('crm-huddle')?.peerConnections ?? []).map((pc) => ({
              signaling: pc.signalingState,
              ice: pc.iceConnectionState,
              transceivers: pc
                .getTransceivers()
                .map(
                  (t) => `${t.mid}:${t.direction}/${t.currentDirection}:${t.sender.track?.kind}`,
                ),
            })),
          );
        console.log(
          JSON.stringify({ ana: await counts(ana), ben: await counts(ben) }),
          'ana',
          JSON.stringify(await states(ana)),
          'ben',
          JSON.stringify(await states(ben)),
        );
        const sent = await rtpOf(ana, 'outbound-rtp');
        const received = await rtpOf(ben, 'inbound-rtp');
        throw new Error(
          `the screen tile shows no picture: ${String(error)} ${JSON.stringify({ video, sent, received })}`,
        );
      });

    // The screen's own track decodes frames on Ben's side and keeps doing so (not one stray
    // frame). The fake screen (`screen:-3:0`, 1280x720) sends frames whether or not anything on
    // it changes, so nothing needs to move on Ana's page.
    const first = await screenFramesPast(ben, 0, 'no frame of the screen reached Ben');
    await screenFramesPast(ben, first, 'the screen stopped after its first frames');
    // Stopping the share removes it on the other side.
    await huddle(ana).locator('[part~="share"]').click();
    await ben.waitForFunction(
      () => !document.querySelector('crm-huddle')?.shadowRoot?.querySelector('li[data-screen]'),
    );
  });

  test('three people: everyone hears everyone (a mesh)', async () => {
    const pages = [await open('ana', 18), await open('ben', 18), await open('chloe', 18)];
    for (const page of pages) await join(page);
    for (const page of pages) await hearsEveryone(page, 2);
    for (const page of pages) await grows(page, 'inbound-rtp', 'audio');
  });

  test('a socket dropped mid-call: the call goes on and re-negotiates', async () => {
    const ana = await open('ana', 31);
    const ben = await open('ben', 31);
    await join(ana);
    await join(ben);
    await hearsEveryone(ben, 1);
    const ufrag = () =>
      ben.evaluate(
        () =>
          /a=ice-ufrag:(\S+)/.exec(
            document.querySelector('crm-huddle')?.peerConnections[0]?.localDescription?.sdp ?? '',
          )?.[1],
      );
    const before = await ufrag();
    // Connections made and still open say whether the one Ben heard Ana on was closed or replaced.
    assert.ok(before, `Ben has no negotiated connection: ${JSON.stringify(await counts(ben))}`);

    const context = ben.context();
    await context.setOffline(true);
    await ben.waitForFunction(
      () => document.querySelector('crm-connection-status')?.getAttribute('state') !== 'open',
    );
    await context.setOffline(false);
    // Back online: an ICE restart gives the connection new credentials, and media flows again.
    await ben.waitForFunction(
      (before) =>
        /a=ice-ufrag:(\S+)/.exec(
          document.querySelector('crm-huddle')?.peerConnections[0]?.localDescription?.sdp ?? '',
        )?.[1] !== before,
      before,
      { polling: 100, timeout: 30_000 },
    );
    assert.equal(await ben.evaluate(() => document.querySelector('crm-huddle')?.state), 'in-call');
    await grows(ben, 'inbound-rtp', 'audio');
    await grows(ana, 'inbound-rtp', 'audio');
  });

  test(
    '20 join/leave cycles leave no connection and no track behind',
    { timeout: 180_000 },
    async () => {
      const ana = await open('ana', 36);
      const ben = await open('ben', 36);
      await join(ben);
      for (let i = 0; i < 20; i++) {
        await join(ana);
        await hearsEveryone(ana, 1);
        await leave(ana);
        await ben.waitForFunction(
          () => document.querySelector('crm-huddle')?.peerConnections.length === 0,
        );
      }
      const anaCounts = await counts(ana);
      assert.ok(anaCounts.created >= 20, `created ${anaCounts.created}`);
      assert.deepEqual(
        { live: anaCounts.live, liveTracks: anaCounts.liveTracks },
        {
          live: 0,
          liveTracks: 0,
        },
      );
      // Ben stayed in the call: his microphone only, and no connection left to Ana.
      assert.deepEqual(
        { live: (await counts(ben)).live, liveTracks: (await counts(ben)).liveTracks },
        { live: 0, liveTracks: 1 },
      );
      await leave(ben);
      assert.equal((await counts(ben)).liveTracks, 0);
    },
  );
});
