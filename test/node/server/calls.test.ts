/**
 * Call signaling on the server: ICE servers from configuration, and emits addressed to one person
 * (`to`) reaching only that person's connections in the room, authorized like any emit.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../../../src/server/config.js';
import { alice, bob, carol, startHarness, type Harness } from '../helpers/server-harness.js';

describe('call signaling', () => {
  let h: Harness | undefined;
  afterEach(() => h?.close());

  test('an addressed emit reaches only the addressee, unsequenced, and is acknowledged', async () => {
    h = await startHarness();
    const a = await h.connect(alice);
    const b = await h.connect(bob);
    const c = await h.connect(carol);
    const joined = await a.join('customer:42');
    await b.join('customer:42');
    await c.join('customer:42');

    const ack = await a.request({
      type: 'emit',
      id: 's1',
      room: 'customer:42',
      event: 'call.offer',
      payload: { sdp: 'v=0' },
      to: 'bob',
    });
    assert.deepEqual(ack, { type: 'ack', replyTo: 's1' });
    const signal = await b.next((f) => f.type === 'signal');
    assert.deepEqual(signal, {
      type: 'signal',
      room: 'customer:42',
      event: 'call.offer',
      payload: { sdp: 'v=0' },
      from: 'alice',
      to: 'bob',
      at: h.clock.now(),
    });
    // Carol and Alice never see it; a broadcast after it still has the next sequence number.
    const broadcast = await a.request({
      type: 'emit',
      id: 's2',
      room: 'customer:42',
      event: 'typing',
      payload: null,
    });
    assert.deepEqual(broadcast, { type: 'ack', replyTo: 's2', seq: joined.seq + 1 });
    await c.next((f) => f.type === 'event');
    await a.next((f) => f.type === 'event');
    assert.deepEqual(
      [...a.frames, ...c.frames].filter((f) => f.type === 'signal'),
      [],
    );
  });

  test('an addressed emit is authorized like any emit to the room', async () => {
    h = await startHarness({
      authorize: ({ action, room }) => !(action === 'emit' && room === 'customer:7'),
    });
    const a = await h.connect(alice);
    const b = await h.connect(bob);
    await a.join('customer:7');
    await b.join('customer:7');
    const answer = await a.request({
      type: 'emit',
      id: 'x',
      room: 'customer:7',
      event: 'call.offer',
      payload: {},
      to: 'bob',
    });
    assert.equal(answer.type === 'error' && answer.code, 'forbidden');
    await b.sync();
    assert.deepEqual(
      b.frames.filter((f) => f.type === 'signal'),
      [],
    );
  });

  test('call.config answers the configured ICE servers, none by default', async () => {
    h = await startHarness();
    const a = await h.connect(alice);
    assert.deepEqual(await a.request({ type: 'call.config', id: 'c1' }), {
      type: 'call.config',
      replyTo: 'c1',
      iceServers: [],
    });
    await h.close();
    const turn = { urls: ['turn:turn.example.com:3478'], username: 'u', credential: 'p' };
    h = await startHarness({ iceServers: [{ urls: 'stun:stun.example.com' }, turn] });
    const b = await h.connect(bob);
    const answer = await b.request({ type: 'call.config', id: 'c2' });
    assert.deepEqual(answer.type === 'call.config' && answer.iceServers, [
      { urls: 'stun:stun.example.com' },
      turn,
    ]);
  });

  test('CRM_ICE_SERVERS is read as JSON and checked at start', () => {
    const env = { CRM_DEV: '1' };
    assert.deepEqual(loadConfig([], env).iceServers, []);
    assert.deepEqual(
      loadConfig([], { ...env, CRM_ICE_SERVERS: '[{"urls":"stun:stun.example.com:3478"}]' })
        .iceServers,
      [{ urls: 'stun:stun.example.com:3478' }],
    );
    assert.throws(() => loadConfig([], { ...env, CRM_ICE_SERVERS: 'stun:x' }), ConfigError);
    assert.throws(() => loadConfig([], { ...env, CRM_ICE_SERVERS: '[{"url":"x"}]' }), ConfigError);
  });
});
