/**
 * The fake server hides fields as the reference server does (`entities.hiddenFields`, the
 * domain's redaction rule): out of records, activity items, notifications and who is editing
 * what, their updates refused; and when the rules change on an open page
 * (`permissionsChanged(user, [type])`) what the client already shows follows them in place, as
 * against the real server, so an app team's tests see what its users will.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRig, waitFor } from '../../../src/testing/index.js';

describe('hidden fields on the fake server', () => {
  it('are left out of what the user sees and follow a change of the rules in place', async () => {
    let hidden: string[] = [];
    const rig = createRig();
    const { server, clock } = rig;
    server.entities.hiddenFields = (user, type) =>
      user.id === 'kim' && type === 'customer' ? hidden : [];
    server.entities.put({
      type: 'customer',
      id: '42',
      fields: { company: 'Acme', phone: '1', annualValue: 1000 },
    });
    const acme = { type: 'customer', id: '42', label: 'Acme' };
    server.appendActivity({
      kind: 'customer.updated',
      entity: acme,
      changes: [
        { field: 'annualValue', from: 1000, to: 5000 },
        { field: 'phone', from: '1', to: '2' },
      ],
    });
    server.notify({
      target: { user: 'kim' },
      type: 'info',
      priority: 'normal',
      title: 'Renewal due',
      entity: acme,
    });
    server.addPerson(
      'customer:42',
      { id: 'ana', name: 'Ana' },
      { activity: { kind: 'editing', field: 'annualValue' } },
    );
    const kim = rig.client({ devUser: { id: 'kim', name: 'Kim' }, clientId: 'kim' });
    const record = kim.liveData({ entityType: 'customer', entityId: '42' });
    const feed = kim.activity({ kind: 'customer', entityId: '42' });
    const inbox = kim.notifications();
    const presence = kim.presence('customer:42');
    let news = 0;
    inbox.onNew(() => news++);
    const item = () => feed.snapshot().items[0];
    const note = () => inbox.snapshot().items[0];
    const ana = () => presence.snapshot().people.find((p) => p.user.id === 'ana')?.activity;
    await waitFor(() => record.status === 'ready' && item() && note() && ana(), { clock });
    assert.equal(record.snapshot().data.annualValue, 1000);
    assert.equal(item()?.changes?.length, 2);
    assert.equal(note()?.entity?.label, 'Acme');
    assert.equal(ana()?.kind, 'editing');
    const liveCount = feed.snapshot().liveCount;

    hidden = ['annualValue', 'company'];
    server.permissionsChanged('kim', ['customer']);
    await waitFor(() => item()?.changes?.length === 1, { clock, what: 'the item read again' });
    assert.deepEqual(record.snapshot().data, { phone: '1' });
    assert.deepEqual(item()?.changes, [{ field: 'phone', from: '1', to: '2' }]);
    assert.deepEqual(item()?.entity, { type: 'customer', id: '42' }, 'no label: it is the company');
    await waitFor(() => note()?.entity?.label === undefined, { clock, what: 'the label gone' });
    await waitFor(() => ana()?.kind === 'viewing', { clock, what: 'ana shown viewing' });
    assert.equal(feed.snapshot().liveCount, liveCount, 'nothing new in the feed');
    assert.equal(news, 0, 'no notification new');
    const saved = await record.update({ annualValue: 1 });
    assert.notEqual(saved.state, 'confirmed', 'a hidden field is not written');
    assert.equal(server.entities.get('customer', '42')?.fields.annualValue, 1000);

    hidden = [];
    server.permissionsChanged('kim', ['customer']);
    await waitFor(() => item()?.changes?.length === 2, { clock, what: 'the change shown again' });
    await waitFor(() => note()?.entity?.label === 'Acme', { clock, what: 'the label back' });
    await waitFor(() => ana()?.kind === 'editing', { clock, what: 'ana shown editing again' });
    await waitFor(() => record.snapshot().data.annualValue === 1000, { clock });
    assert.equal(news, 0);
    rig.close();
  });
});
