import { expect, fixture, html } from '@open-wc/testing';
import { LitElement } from 'lit';
import { property } from 'lit/decorators.js';
import { ConnectionStatusController } from '../../../src/controllers/connection-status-controller.js';
import { PresenceController, pageRoom } from '../../../src/controllers/presence-controller.js';
import type { CrmRealtimeProvider } from '../../../src/elements/realtime-provider/crm-realtime-provider.js';
import '../../../src/elements/presence/define.js';
import '../../../src/elements/realtime-provider/define.js';
import { SAMPLE_PEOPLE } from '../../../src/testing/index.js';
import {
  closeFakeConnections,
  fakeConnection,
  recordWarnings,
  uniqueTag,
} from '../helpers/fake-connection.js';

/** A minimal widget built on the controllers, as a page's own Lit element would be. */
class RoomWatcher extends LitElement {
  @property() room = '';
  readonly presence = new PresenceController(this, () => this.room);
  readonly connection = new ConnectionStatusController(this);
  override render() {
    return this.presence.people.map((p) => p.user.name).join(', ');
  }
}
const tag = uniqueTag('room-watcher');
customElements.define(tag, RoomWatcher);

async function mountWatcher(room: string) {
  const fake = await fakeConnection();
  const provider = await fixture<CrmRealtimeProvider>(
    html`<crm-realtime-provider .client=${fake.client}></crm-realtime-provider>`,
  );
  const el = document.createElement(tag) as RoomWatcher;
  el.room = room;
  provider.append(el);
  await el.updateComplete;
  await fake.clock.flush();
  await el.updateComplete;
  return { fake, el, provider };
}

afterEach(() => closeFakeConnections());

describe('PresenceController', () => {
  it('holds the room while connected and renders its people', async () => {
    const { fake, el } = await mountWatcher('customer:42');
    expect(fake.client.heldRooms().get('customer:42')).to.equal(1);
    fake.server.addPerson('customer:42', SAMPLE_PEOPLE[0]!);
    await fake.clock.flush();
    await el.updateComplete;
    expect(el.presence.people.map((p) => p.user.id)).to.include(SAMPLE_PEOPLE[0]!.id);
    expect(el.shadowRoot!.textContent).to.contain(SAMPLE_PEOPLE[0]!.name);
  });

  it('joins only the room set just after insertion, as a framework sets inputs', async () => {
    const fake = await fakeConnection();
    const provider = await fixture<CrmRealtimeProvider>(
      html`<crm-realtime-provider .client=${fake.client}></crm-realtime-provider>`,
    );
    // Inserted with its default (the page's room), its input set in the same task after.
    const el = document.createElement('crm-presence') as HTMLElement & { roomId: string };
    provider.append(el);
    el.roomId = 'customer:7';
    await fake.clock.flush();
    await (el as unknown as LitElement).updateComplete;
    await fake.clock.flush();
    expect(fake.server.received('join').map((f) => f.room)).to.deep.equal(['customer:7']);
    expect(fake.client.heldRooms().has(pageRoom())).to.equal(false);
  });

  it('follows the room when it changes, releasing the old one', async () => {
    const { fake, el } = await mountWatcher('customer:42');
    el.room = 'customer:7';
    await el.updateComplete;
    expect(fake.client.heldRooms().has('customer:42')).to.equal(false);
    expect(fake.client.heldRooms().get('customer:7')).to.equal(1);
    expect(el.presence.heldRoom).to.equal('customer:7');
  });

  it('releases the room when the host leaves the document, and takes it again on return', async () => {
    const { fake, el, provider } = await mountWatcher('customer:42');
    el.remove();
    expect(fake.client.heldRooms().has('customer:42')).to.equal(false);
    expect(el.presence.snapshot).to.equal(undefined);
    provider.append(el);
    await el.updateComplete;
    expect(fake.client.heldRooms().get('customer:42')).to.equal(1);
  });

  it('holds nothing for an empty room, and warns once instead of throwing for a bad one', async () => {
    const warnings = recordWarnings();
    try {
      const { fake, el } = await mountWatcher('');
      expect(fake.client.heldRooms().size).to.equal(0);
      el.room = 'not a room!';
      await el.updateComplete;
      el.requestUpdate();
      await el.updateComplete;
      expect(fake.client.heldRooms().size).to.equal(0);
      expect(warnings.messages.filter((m) => m.includes('not a room!'))).to.have.length(1);
    } finally {
      warnings.restore();
    }
  });

  it('pageRoom names the page as a valid room', () => {
    expect(pageRoom({ pathname: '/customers/42' })).to.equal('page:/customers/42');
    expect(pageRoom({ pathname: '/caf%C3%A9 x' })).to.equal('page:/caf_C3_A9_x');
    expect(pageRoom({ pathname: '' })).to.equal('page:/');
    expect(pageRoom({ pathname: `/${'a'.repeat(300)}` })).to.have.length(200);
  });
});

describe('ConnectionStatusController', () => {
  it('exposes the status and forwards retryNow to the client', async () => {
    const { fake, el } = await mountWatcher('customer:1');
    expect(el.connection.connected).to.equal(true);
    expect(el.connection.state).to.equal('open');
    let retried = 0;
    fake.client.retryNow = () => void (retried += 1);
    el.connection.retryNow();
    expect(retried).to.equal(1);
  });

  it('ticks only while reconnecting', async () => {
    const { fake, el } = await mountWatcher('customer:1');
    expect(el.connection.ticking).to.equal(false);
    fake.server.refuseConnections(true);
    fake.server.dropConnections();
    await fake.clock.flush();
    expect(el.connection.state).to.equal('reconnecting');
    expect(el.connection.ticking).to.equal(true);
    fake.server.refuseConnections(false);
    fake.client.retryNow();
    await fake.clock.flush();
    expect(el.connection.state).to.equal('open');
    expect(el.connection.ticking).to.equal(false);
  });
});
