/**
 * LiveDataController in a tiny Lit host inside a provider on the fake server: renders the
 * optimistic value at once and the confirmed one after the ack, applies remote changes, rolls a
 * refused change back, follows a new entity id and lets go when the host leaves.
 */
import { expect, fixture, html } from '@open-wc/testing';
import { LitElement } from 'lit';
import { property } from 'lit/decorators.js';
import { MemoryOutboxStore, type LiveConflict } from '../../../src/client/index.js';
import { LiveDataController } from '../../../src/controllers/live-data-controller.js';
import type { CrmRealtimeProvider } from '../../../src/elements/realtime-provider/crm-realtime-provider.js';
import '../../../src/elements/realtime-provider/define.js';
import { DEMO_USER } from '../../../src/testing/index.js';
import {
  closeFakeConnections,
  fakeConnection,
  recordWarnings,
  uniqueTag,
  type FakeConnection,
} from '../helpers/fake-connection.js';

/** A page's own widget: the customer's name and the state of the last change. */
class CustomerName extends LitElement {
  @property({ attribute: 'entity-id' }) entityId = '42';
  conflicts: LiveConflict[] = [];
  readonly live = new LiveDataController(
    this,
    () => ({ entityType: 'customer', entityId: this.entityId }),
    { onConflict: (c) => this.conflicts.push(c) },
  );
  override render() {
    return html`<span id="name">${String(this.live.data['name'] ?? '')}</span>
      <span id="state">${this.live.changes.at(-1)?.state ?? 'none'}</span>
      <span id="status">${this.live.status}</span>
      <span id="version">${this.live.version ?? ''}</span>`;
  }
}
const tag = uniqueTag('customer-name');
customElements.define(tag, CustomerName);

const bob = { id: 'bob', name: 'Bob' };
const text = (el: CustomerName, id: string) =>
  el.shadowRoot!.getElementById(id)?.textContent?.trim();

async function mount(): Promise<{ fake: FakeConnection; el: CustomerName }> {
  const fake = await fakeConnection({ outbox: new MemoryOutboxStore() });
  for (const id of ['42', '43']) {
    fake.server.entities.put({ type: 'customer', id, fields: { name: `Customer ${id}` } });
  }
  const provider = await fixture<CrmRealtimeProvider>(
    html`<crm-realtime-provider .client=${fake.client}></crm-realtime-provider>`,
  );
  const el = document.createElement(tag) as CustomerName;
  provider.append(el);
  await el.updateComplete;
  await settle(fake, el);
  return { fake, el };
}

async function settle(fake: FakeConnection, el: CustomerName): Promise<void> {
  await fake.clock.flush();
  await el.updateComplete;
}

afterEach(() => closeFakeConnections());

describe('LiveDataController', () => {
  it('renders the snapshot once read', async () => {
    const { el } = await mount();
    expect(text(el, 'status')).to.equal('ready');
    expect(text(el, 'name')).to.equal('Customer 42');
    expect(text(el, 'version')).to.equal('1');
    expect(text(el, 'state')).to.equal('none');
  });

  it('renders the optimistic value at once, then the confirmed one', async () => {
    const { fake, el } = await mount();
    const saving = el.live.update({ name: 'Acme Ltd' });
    await el.updateComplete;
    expect(text(el, 'name')).to.equal('Acme Ltd');
    expect(text(el, 'state')).to.equal('pending');
    expect(text(el, 'version')).to.equal('1');
    expect(el.live.saving).to.equal(true);
    expect((await saving).state).to.equal('confirmed');
    await settle(fake, el);
    expect(text(el, 'name')).to.equal('Acme Ltd');
    expect(text(el, 'state')).to.equal('confirmed');
    expect(text(el, 'version')).to.equal('2');
    expect(el.live.saving).to.equal(false);
    expect(fake.server.entities.get('customer', '42')?.fields['name']).to.equal('Acme Ltd');
  });

  it('rolls a refused change back on screen', async () => {
    const { fake, el } = await mount();
    fake.server.entities.authorize = (user, _e, access) =>
      access === 'read' || user.id !== DEMO_USER.id;
    const saving = el.live.update({ name: 'Not mine to change' });
    await el.updateComplete;
    expect(text(el, 'name')).to.equal('Not mine to change');
    await saving;
    await settle(fake, el);
    expect(text(el, 'name')).to.equal('Customer 42');
    expect(text(el, 'state')).to.equal('rejected');
  });

  it('renders remote changes, except to a field being edited', async () => {
    const { fake, el } = await mount();
    fake.server.entities.remoteUpdate('customer', '42', { name: 'Renamed by Bob' }, bob);
    await settle(fake, el);
    expect(text(el, 'name')).to.equal('Renamed by Bob');
    el.live.setEditing(['name']);
    fake.server.entities.remoteUpdate('customer', '42', { name: 'Again by Bob' }, bob);
    await settle(fake, el);
    expect(text(el, 'name')).to.equal('Renamed by Bob');
    expect(el.live.held).to.deep.equal(['name']);
    const outcome = await el.live.update({ name: 'Mine' });
    expect(outcome.state).to.equal('conflicted');
    expect(el.conflicts).to.have.length(1);
    expect(el.live.conflicts).to.have.length(1);
    await el.conflicts[0]!.resolve({ name: 'Mine' });
    await settle(fake, el);
    expect(text(el, 'name')).to.equal('Mine');
    expect(el.live.conflicts).to.have.length(0);
  });

  it('an id the client refuses warns once, binds nothing, and the next good id binds', async () => {
    const warnings = recordWarnings();
    try {
      const { fake, el } = await mount();
      el.entityId = 'not an id!';
      await settle(fake, el);
      el.requestUpdate();
      await settle(fake, el);
      expect(fake.client.heldRooms().has('customer:42')).to.equal(false);
      expect(text(el, 'status')).to.equal('unavailable');
      const said = warnings.messages.filter((m) => m.includes('not an id!'));
      expect(said).to.have.length(1);
      expect(said[0]).to.contain(`<${tag}> cannot follow`);
      el.entityId = '43';
      await settle(fake, el);
      expect(text(el, 'name')).to.equal('Customer 43');
    } finally {
      warnings.restore();
    }
  });

  it('follows a new entity id and lets go of the room when removed', async () => {
    const { fake, el } = await mount();
    el.entityId = '43';
    await el.updateComplete;
    await settle(fake, el);
    expect(text(el, 'name')).to.equal('Customer 43');
    expect(fake.client.heldRooms().has('customer:42')).to.equal(false);
    expect(fake.client.heldRooms().get('customer:43')).to.equal(1);
    el.remove();
    expect(fake.client.heldRooms().has('customer:43')).to.equal(false);
    expect(el.live.status).to.equal('unavailable');
    let error: unknown;
    await el.live.update({ name: 'x' }).catch((e: unknown) => (error = e));
    expect((error as { code?: string }).code).to.equal('not_connected');
  });
});
