/**
 * What a user sees when the backend widens or narrows what they may see and change, with the
 * real client against the reference server and its authorization callback: after
 * `permissions-changed` a form's record shows a field shown again, loses one hidden now, and
 * follows the new read-only list; activity items and notifications already loaded, and what
 * others are shown editing, follow the new rules in place; all on the open connection (no
 * reconnect).
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { RealServerSuite, waitFor } from '../helpers/real-client.js';

const KEY = 'field-rules-client-key';

interface Rules {
  hidden?: string[];
  readOnly?: string[];
}
/** What the CRM's callback answers about customers for kim (this variable stands for its database). */
let rules: Rules = {};
/** What it answers for the others (each test's own users). */
const rulesFor: Record<string, Rules> = {};
/** Rooms the callback refuses to a user (`customer:91`: they may not read that customer). */
const refusedFor: Record<string, Set<string>> = {};
const backend: Server = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk: Buffer) => (body += chunk.toString()));
  req.on('end', () => {
    const asked = JSON.parse(body) as { user: { id: string }; room: string };
    const fields = asked.user.id === 'kim' ? rules : (rulesFor[asked.user.id] ?? {});
    res.writeHead(200, { 'content-type': 'application/json' });
    if (refusedFor[asked.user.id]?.has(asked.room)) return void res.end('{"allow":false}');
    res.end(JSON.stringify({ allow: true, fields: { customer: fields } }));
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

  it('saves the other fields of a change whose field was made read-only meanwhile', async () => {
    await suite.server.entities.update({
      type: 'customer',
      id: '44',
      fields: { name: 'Initech', tier: 'silver' },
      source: 'backend',
      create: true,
    });
    rulesFor['ivy'] = {};
    const ivy = suite.client('ivy');
    const record = ivy.liveData({ entityType: 'customer', entityId: '44' });
    await waitFor(() => record.status === 'ready', 'the record shown');

    rulesFor['ivy'] = { readOnly: ['tier'] }; // the admin's change, before ivy saves
    await permissionsChanged('ivy');
    const saved = await record.update({ name: 'Initech Ltd', tier: 'gold' });
    assert.equal(saved.state, 'confirmed', JSON.stringify(saved));
    assert.deepEqual(saved.fields, { name: 'Initech Ltd' });
    assert.deepEqual(saved.refused, { tier: 'gold' });
    assert.equal(saved.error?.code, 'forbidden');
    assert.deepEqual(saved.error?.fields, { tier: 'read-only for you' });
    const stored = await suite.server.entities.get('customer', '44');
    assert.deepEqual(stored?.fields, { name: 'Initech Ltd', tier: 'silver' });
    await waitFor(() => record.snapshot().readOnly.includes('tier'), 'tier read only');
  });

  it('drops a field hidden while the connection was down, though every missed event was replayed', async () => {
    await suite.server.entities.update({
      type: 'customer',
      id: '43',
      fields: { name: 'Globex', notes: 'renewal in May' },
      source: 'backend',
      create: true,
    });
    rulesFor['lee'] = {};
    const lee = suite.client('lee');
    const record = lee.liveData({ entityType: 'customer', entityId: '43' });
    await waitFor(() => record.status === 'ready', 'the record shown');
    assert.equal(record.snapshot().data.notes, 'renewal in May');
    const resumes: string[] = [];
    lee.onResume((info) => resumes.push(info.resume));

    // The rules change with no connection to tell (the backend's claim procedure: new rules,
    // then the user's sessions end); the client comes back on a connection with the new rules.
    rulesFor['lee'] = { hidden: ['notes'], readOnly: ['name'] };
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

describe("what is already on screen when the user's field rules change", () => {
  it('activity items and notifications are read again and redacted in place, none as new', async () => {
    const acme = { type: 'customer', id: '77', label: 'Acme' };
    await suite.server.activity.append({
      kind: 'customer.updated',
      entity: acme,
      changes: [
        { field: 'annualValue', from: 1000, to: 5000 },
        { field: 'phone', from: '1', to: '2' },
      ],
    });
    await suite.server.notifications.send({
      target: { user: 'lee' },
      type: 'info',
      priority: 'normal',
      title: 'Renewal due',
      entity: acme,
    });
    const lee = suite.client('lee');
    const feed = lee.activity({ kind: 'customer', entityId: '77' });
    const inbox = lee.notifications();
    let news = 0;
    inbox.onNew(() => news++);
    await waitFor(() => feed.snapshot().items.length === 1, 'the item loaded');
    await waitFor(() => inbox.snapshot().items.length === 1, 'the notification loaded');
    const item = () => feed.snapshot().items[0]!;
    const note = () => inbox.snapshot().items[0]!;
    await inbox.markRead(note().id);
    const { id, at } = item();
    const liveCount = feed.snapshot().liveCount;
    let opened = 0;
    lee.onStatus((status) => {
      if (status.state === 'open') opened++;
    });

    rulesFor.lee = { hidden: ['annualValue', 'company', 'name'] };
    await permissionsChanged('lee');
    await waitFor(() => item().entity?.label === undefined, 'the label gone from the item');
    assert.deepEqual(item(), {
      id,
      at,
      kind: 'customer.updated',
      entity: { type: 'customer', id: '77' },
      customerId: '77',
      changes: [{ field: 'phone', from: '1', to: '2' }],
    });
    await waitFor(() => note().entity?.label === undefined, 'the label gone from the notification');
    assert.equal(note().read, true, 'still read');
    assert.equal(feed.snapshot().items.length, 1);
    assert.equal(feed.snapshot().liveCount, liveCount, 'nothing counted as new');
    assert.equal(inbox.snapshot().items.length, 1);

    rulesFor.lee = {}; // and back
    await permissionsChanged('lee');
    await waitFor(() => item().changes?.length === 2, 'the hidden change shown again');
    assert.deepEqual(item().entity, acme);
    await waitFor(() => note().entity?.label === 'Acme', 'the label back on the notification');
    assert.equal(news, 0, 'no notification announced as new');
    assert.equal(feed.snapshot().liveCount, liveCount);
    assert.equal(opened, 0, 'the connection stayed open throughout');
    feed.release();
    inbox.release();
  });

  it('someone shown editing a field hidden now is shown viewing, and editing when shown again', async () => {
    rulesFor.max = {};
    const max = suite.client('max');
    const ana = suite.client('ana');
    const room = 'customer:78';
    const seen = max.presence(room);
    const editor = ana.presence(room);
    editor.setActivity({ kind: 'editing', field: 'annualValue' });
    const anaSeen = () => seen.snapshot().people.find((p) => p.user.id === 'ana')?.activity;
    await waitFor(() => anaSeen()?.kind === 'editing', 'ana seen editing');

    rulesFor.max = { hidden: ['annualValue'] };
    await permissionsChanged('max');
    await waitFor(() => anaSeen()?.kind === 'viewing', 'ana seen viewing');

    rulesFor.max = {};
    await permissionsChanged('max');
    await waitFor(() => anaSeen()?.kind === 'editing', 'ana seen editing again');
    assert.deepEqual(anaSeen(), { kind: 'editing', field: 'annualValue' });
    seen.release();
    editor.release();
  });
});

describe('what is already on screen when the user may no longer read an entity', () => {
  it('activity items and notifications about it go, and the unread count with them', async () => {
    const item = (id: string) =>
      suite.server.activity.append({
        kind: 'customer.updated',
        entity: { type: 'customer', id, label: `Customer ${id}` },
        changes: [{ field: 'phone', from: '1', to: '2' }],
      });
    const notify = (id: string) =>
      suite.server.notifications.send({
        target: { user: 'ria' },
        type: 'info',
        priority: 'normal',
        title: `About ${id}`,
        entity: { type: 'customer', id },
      });
    for (const id of ['91', '92', '91', '92']) {
      await item(id);
      await notify(id);
    }
    const ria = suite.client('ria');
    const feed = ria.activity({ kind: 'global' });
    const inbox = ria.notifications();
    let news = 0;
    inbox.onNew(() => news++);
    const about = (id: string) => feed.snapshot().items.filter((i) => i.entity?.id === id).length;
    await waitFor(() => about('91') === 2 && about('92') === 2, 'the items loaded');
    await waitFor(() => inbox.snapshot().unread === 4, 'the notifications loaded');
    const liveCount = feed.snapshot().liveCount;

    refusedFor.ria = new Set(['customer:91']);
    await permissionsChanged('ria');
    await waitFor(() => about('91') === 0, 'the items about customer 91 gone');
    assert.equal(about('92'), 2);
    await waitFor(
      () => inbox.snapshot().items.every((n) => n.entity?.id === '92'),
      'the notifications about customer 91 gone',
    );
    assert.equal(inbox.snapshot().items.length, 2);
    assert.equal(inbox.snapshot().unread, 2, 'not counted either');
    assert.equal(feed.snapshot().liveCount, liveCount, 'nothing counted as new');
    assert.equal(news, 0);
    feed.release();
    inbox.release();
  });
});
