/**
 * One connection's frames: handled one at a time in arrival order, except a heartbeat.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import type { ServerFrame } from '../../../src/protocol/index.js';
import { alice, startHarness, type Harness } from '../helpers/server-harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('a session', () => {
  test('answers a ping at once while an earlier frame waits on a slow hook; the rest wait in order', async () => {
    // The hook stands for a CRM backend that takes its whole timeout to answer.
    let answer: ((ok: boolean) => void) | undefined;
    const decided = new Promise<boolean>((resolve) => (answer = resolve));
    let asked = false;
    h = await startHarness({
      authorize: ({ room }) => {
        if (room !== 'customer:42') return true;
        asked = true;
        return decided;
      },
    });
    const client = await h.connect(alice);
    const order: string[] = [];
    const seen = (f: ServerFrame): boolean => {
      const replyTo = 'replyTo' in f ? f.replyTo : undefined;
      if (f.type === 'pong' || replyTo === 'slow-join' || replyTo === 'next-join') {
        order.push(f.type === 'pong' ? 'pong' : String(replyTo));
      }
      return false;
    };
    void client.upcoming(seen, 10_000).catch(() => undefined);

    client.send({ type: 'join', id: 'slow-join', room: 'customer:42' });
    client.send({ type: 'join', id: 'next-join', room: 'deal:7' });
    client.send({ type: 'ping', t: 1 });
    const pong = await client.next((f) => f.type === 'pong');
    assert.deepEqual(pong, { type: 'pong', t: 1 });
    assert.ok(asked, 'the slow hook is still deciding');
    assert.deepEqual(order, ['pong']);

    answer!(true);
    await client.next((f) => 'replyTo' in f && f.replyTo === 'next-join');
    assert.deepEqual(order, ['pong', 'slow-join', 'next-join'], 'the joins kept their order');
  });

  test('a frame that starts like a ping but is another type waits in order with the rest', async () => {
    let answer: ((ok: boolean) => void) | undefined;
    const decided = new Promise<boolean>((resolve) => (answer = resolve));
    h = await startHarness({
      authorize: ({ room }) => (room === 'customer:42' ? decided : true),
    });
    const client = await h.connect(alice);
    const order: string[] = [];
    void client
      .upcoming((f) => {
        const replyTo = 'replyTo' in f ? f.replyTo : undefined;
        if (f.type === 'pong' || replyTo === 'slow-join' || replyTo === 'sneak') {
          order.push(f.type === 'pong' ? 'pong' : String(replyTo));
        }
        return false;
      }, 10_000)
      .catch(() => undefined);

    client.send({ type: 'join', id: 'slow-join', room: 'customer:42' });
    // JSON keeps the last of duplicate keys: this is a join, short enough to look like a ping.
    const disguised = '{"type":"ping","type":"join","id":"sneak","room":"deal:8"}';
    assert.ok(disguised.length <= 64);
    client.sendRaw(disguised);
    client.send({ type: 'ping', t: 3 });
    await client.next((f) => f.type === 'pong');
    answer!(true);
    await client.next((f) => 'replyTo' in f && f.replyTo === 'sneak');
    assert.deepEqual(order, ['pong', 'slow-join', 'sneak']);
  });

  test('a ping before the handshake is done waits like any frame', async () => {
    h = await startHarness();
    const client = await h.open();
    client.send({ type: 'ping', t: 2 });
    const refused = await client.next((f) => f.type === 'error');
    assert.equal(refused.type === 'error' && refused.code, 'not_authenticated');
  });
});
