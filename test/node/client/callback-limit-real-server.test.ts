/**
 * A save and a join refused by the authorization callback's per-user bound (`rate_limited`), with
 * the real client against the reference server: the change stays pending in the outbox, is sent
 * again after its backoff, and lands once the user's bucket has refilled; the join is sent again
 * no sooner than the wait the refusal names. Both clocks are manual, so no retry or refill can
 * happen in real time unseen.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { ResumeInfo } from '../../../src/client/index.js';
import { ManualClock } from '../../../src/testing/manual-clock.js';
import { RealServerSuite, waitFor } from '../helpers/real-client.js';

/** Questions the CRM's backend was asked, as `action room`. */
const asked: string[] = [];
const backend: Server = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk: Buffer) => (body += chunk.toString()));
  req.on('end', () => {
    const question = JSON.parse(body) as { room: string; action: string };
    asked.push(`${question.action} ${question.room}`);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"allow":true}');
  });
});

const serverClock = new ManualClock();
let suite: RealServerSuite;
before(async () => {
  backend.listen(0, '127.0.0.1');
  await once(backend, 'listening');
  const url = `http://127.0.0.1:${(backend.address() as AddressInfo).port}/authorize`;
  suite = new RealServerSuite({
    auth: { devIdentities: true },
    quiet: true,
    clock: serverClock,
    heartbeatMs: 3_600_000,
    // Four questions in a burst, one a second after.
    authorizeCallback: { url, cacheMs: 600_000, burst: 4, perSecond: 1 },
  });
  await suite.start();
});
after(async () => {
  await suite?.stop();
  backend.close();
  backend.closeAllConnections();
});

describe('requests refused by the per-user bound on permission checks', () => {
  it('stays pending in the outbox, is sent again, and lands once the bucket refilled', async () => {
    await suite.server.entities.update({
      type: 'customer',
      id: '42',
      fields: { name: 'Acme' },
      source: 'backend',
      create: true,
    });
    const clock = new ManualClock();
    const ana = suite.client('ana', 'ana-device', { clock });
    const record = ana.liveData({ entityType: 'customer', entityId: '42' });
    await waitFor(() => record.status === 'ready', 'the record shown');
    // Joining another record spends the rest of the burst (its `join` and `read`).
    const resumed: ResumeInfo[] = [];
    ana.onResume((info) => resumed.push(info));
    ana.joinRoom('customer:43');
    await waitFor(() => resumed.some((r) => r.room === 'customer:43'), 'customer:43 joined');
    assert.equal(asked.length, 4, asked.join(', '));

    const saving = record.update({ name: 'Acme Ltd' });
    await clock.advance(0);
    await waitFor(
      () => suite.server.metrics.authorizeCallbackLimited === 1,
      'the save refused for now',
    );
    const change = record.snapshot().changes.at(-1)!;
    assert.equal(change.state, 'pending', 'kept, not dropped');
    await waitFor(() => record.snapshot().changes.at(-1)!.queued, 'waiting in the outbox');
    assert.equal(record.snapshot().data.name, 'Acme Ltd', 'still shown');
    assert.equal((await suite.server.entities.get('customer', '42'))?.fields['name'], 'Acme');

    serverClock.advanceSync(1000); // a token for the `write` question
    // The client's first wait before sending again is at most 5 s (`retryDelay`).
    await clock.advance(5000);
    const saved = await saving;
    assert.equal(saved.state, 'confirmed', JSON.stringify(saved));
    assert.equal((await suite.server.entities.get('customer', '42'))?.fields['name'], 'Acme Ltd');
    assert.equal(asked.at(-1), 'write customer:42');
  });

  it('a join refused by the bound is joined again no sooner than the wait the refusal names', async () => {
    const clock = new ManualClock();
    // The backoff alone would join again after half of its first second.
    const ben = suite.client('ben', 'ben-device', { clock, random: () => 0.5 });
    const resumed: string[] = [];
    ben.onResume((info) => resumed.push(info.room));
    // Two entity rooms spend his burst of four (a `join` and a `read` each).
    ben.joinRoom('customer:60');
    ben.joinRoom('customer:61');
    await waitFor(() => resumed.length === 2, 'two rooms joined');
    const limited = suite.server.metrics.authorizeCallbackLimited;
    ben.joinRoom('customer:62');
    await clock.advance(0);
    await waitFor(
      () => suite.server.metrics.authorizeCallbackLimited === limited + 1,
      'the third join refused for now',
    );
    // One token a second: the refusal says 1,000 ms, and nothing is sent before.
    await clock.advance(999);
    assert.equal(suite.server.metrics.authorizeCallbackLimited, limited + 1, 'not asked again');
    serverClock.advanceSync(2000);
    await clock.advance(1);
    await waitFor(() => resumed.includes('customer:62'), 'joined once the wait was over');
  });
});
