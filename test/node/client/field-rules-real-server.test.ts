/**
 * A form's record when the backend widens or narrows what a user may see and change, with the
 * real client against the reference server and its authorization callback: after
 * `permissions-changed` the record shows a field shown again, loses one hidden now, and follows
 * the new read-only list, on the open connection (no reconnect).
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { RealServerSuite, waitFor } from '../helpers/real-client.js';

const KEY = 'field-rules-client-key';

/** What the CRM's callback answers about customers (this variable stands for its database). */
let rules: { hidden?: string[]; readOnly?: string[] } = {};
const backend: Server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ allow: true, fields: { customer: rules } }));
  });
});

let suite: RealServerSuite;
before(async () => {
  backend.listen(0, '127.0.0.1');
  await once(backend, 'listening');
  const url = `http://127.0.0.1:${(backend.address() as AddressInfo).port}/authorize`;
  suite = new RealServerSuite({
    auth: { devIdentities: true },
    apiKeys: [KEY],
    quiet: true,
    authorizeCallback: { url, cacheMs: 600_000 },
  });
  await suite.start();
});
after(async () => {
  await suite?.stop();
  backend.close();
  backend.closeAllConnections();
});

async function permissionsChanged(user: string): Promise<void> {
  const res = await fetch(
    `http://127.0.0.1:${suite.server.port}/api/users/${user}/permissions-changed`,
    { method: 'POST', headers: { authorization: `Bearer ${KEY}` } },
  );
  assert.equal(res.status, 200, await res.text());
}

describe("a record's fields when the user's field rules change", () => {
  it('shows a field shown again and drops one hidden now, without a reconnect', async () => {
    await suite.server.entities.update({
      type: 'customer',
      id: '42',
      fields: { name: 'Acme', notes: 'the plan', tier: 'gold' },
      source: 'backend',
      create: true,
    });
    rules = { hidden: ['notes'], readOnly: ['tier'] };
    const kim = suite.client('kim');
    const record = kim.liveData({ entityType: 'customer', entityId: '42' });
    await waitFor(() => record.status === 'ready', 'the record shown');
    assert.deepEqual(record.snapshot().data, { name: 'Acme', tier: 'gold' });
    assert.deepEqual(record.snapshot().readOnly, ['tier']);
    let opened = 0;
    kim.onStatus((status) => {
      if (status.state === 'open') opened++;
    });

    rules = {}; // promoted: may read the notes and change the tier
    await permissionsChanged('kim');
    await waitFor(() => record.snapshot().data.notes === 'the plan', 'the notes shown');
    assert.deepEqual(record.snapshot().readOnly, []);
    const saved = await record.update({ tier: 'platinum' });
    assert.equal(saved.state, 'confirmed', JSON.stringify(saved));

    rules = { hidden: ['notes'] }; // and back
    await permissionsChanged('kim');
    await waitFor(() => !('notes' in record.snapshot().data), 'the notes gone');
    assert.equal(record.snapshot().data.tier, 'platinum');
    assert.equal(opened, 0, 'the connection stayed open throughout');
    assert.equal(kim.status.state, 'open');
  });

  it('drops a field hidden while the connection was down, though every missed event was replayed', async () => {
    await suite.server.entities.update({
      type: 'customer',
      id: '43',
      fields: { name: 'Globex', notes: 'renewal in May' },
      source: 'backend',
      create: true,
    });
    rules = {};
    const lee = suite.client('lee');
    const record = lee.liveData({ entityType: 'customer', entityId: '43' });
    await waitFor(() => record.status === 'ready', 'the record shown');
    assert.equal(record.snapshot().data.notes, 'renewal in May');
    const resumes: string[] = [];
    lee.onResume((info) => resumes.push(info.resume));

    // The rules change with no connection to tell (the backend's claim procedure: new rules,
    // then the user's sessions end); the client comes back on a connection with the new rules.
    rules = { hidden: ['notes'], readOnly: ['name'] };
    const res = await fetch(`http://127.0.0.1:${suite.server.port}/api/users/lee/disconnect`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ revokeTokens: false }),
    });
    assert.equal(res.status, 200, await res.text());
    await waitFor(() => resumes.includes('replayed'), 'the room resumed, nothing missed');
    await waitFor(() => !('notes' in record.snapshot().data), 'the notes gone');
    assert.deepEqual(record.snapshot().readOnly, ['name']);
  });
});
