/**
 * permessage-deflate with a real browser: Chromium's WebSocket offers the extension by itself, so
 * with CRM_COMPRESSION on it negotiates it, compresses its own frames, and must read the frames
 * the server deflated once per broadcast exactly as a client without compression reads them.
 * Needs no build: the page is about:blank, the socket goes straight to the server.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { createServer, type RealtimeServer } from '../../src/server/server.js';
import { nextId, TestClient } from '../node/helpers/server-client.js';
import { launchBrowser } from './helpers/browser.js';

const ROOM = 'customer:42';
const SIZES = [60, 1500, 20_000, 60_000];

/** A JSON payload of about `bytes` bytes that compresses as CRM records do. */
function payloadOf(bytes: number): { rows: { name: string; stage: string }[] } {
  const rows: { name: string; stage: string }[] = [];
  while (JSON.stringify({ rows }).length < bytes) {
    rows.push({ name: `Customer ${rows.length}`, stage: 'qualified' });
  }
  return { rows };
}

describe('compression with Chromium', () => {
  let server: RealtimeServer;
  let browser: Browser;
  let url: string;
  before(async () => {
    server = createServer({
      auth: { devIdentities: true },
      quiet: true,
      compression: { enabled: true, threshold: 1024 },
    });
    const { port } = await server.listen(0, '127.0.0.1');
    url = `ws://127.0.0.1:${port}/`;
    browser = await launchBrowser();
  });
  after(async () => {
    await browser.close();
    await server.close();
  });

  test('the browser negotiates deflate and reads the same frames as a client without it', async () => {
    const plain = await TestClient.connect(
      url,
      { user: { id: 'pia', name: 'Pia' } },
      { perMessageDeflate: false },
    );
    await plain.join(ROOM);
    const page = await browser.newPage();
    // The browser's socket: hello, join, then collect the events as the page receives them.
    const inBrowser = page.evaluate(
      ({ url, room, count }) =>
        new Promise<{ extensions: string; events: string[] }>((resolve, reject) => {
          const ws = new WebSocket(url);
          const events: string[] = [];
          ws.onerror = () => reject(new Error('socket error'));
          ws.onopen = () =>
            ws.send(
              JSON.stringify({
                type: 'hello',
                id: 'h',
                v: 1,
                clientId: 'device-bo',
                devUser: { id: 'bo', name: 'Bo' },
              }),
            );
          ws.onmessage = (message: MessageEvent<string>) => {
            const frame = JSON.parse(message.data) as { type: string; replyTo?: string };
            if (frame.type === 'welcome') ws.send(JSON.stringify({ type: 'join', id: 'j', room }));
            if (frame.type === 'joined') document.title = 'joined';
            if (frame.type === 'event') events.push(message.data);
            if (events.length === count) resolve({ extensions: ws.extensions, events });
          };
        }),
      { url, room: ROOM, count: SIZES.length },
    );
    await page.waitForFunction(() => document.title === 'joined');
    const sender = await TestClient.connect(url, { user: { id: 'sam', name: 'Sam' } });
    await sender.join(ROOM);
    for (const size of SIZES) {
      await sender.request({
        type: 'emit',
        id: nextId(),
        room: ROOM,
        event: `e${size}`,
        payload: payloadOf(size),
      });
    }
    const { extensions, events } = await inBrowser;
    assert.match(extensions, /^permessage-deflate; server_no_context_takeover/);
    await plain.next((f) => f.type === 'event' && f.event === `e${SIZES.at(-1)}`);
    const expected = plain.ofType('event').filter((e) => e.room === ROOM);
    assert.deepEqual(
      events.map((text) => JSON.parse(text) as unknown),
      expected,
    );
    plain.close();
    sender.close();
    await page.close();
  });
});
