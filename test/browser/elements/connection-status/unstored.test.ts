/**
 * `<crm-connection-status>` says plainly when waiting edits could not be stored on this device (its
 * disk is full, the site's data was cleared): "1 change not stored on this device: keep this page
 * open until it is sent", announced politely, translatable, and gone once they are stored.
 */
import { expect, fixture, html } from '@open-wc/testing';
import {
  MemoryOutboxStore,
  type NewOutboxEntry,
  type OutboxEntry,
} from '../../../../src/client/index.js';
import type { CrmConnectionStatus } from '../../../../src/elements/connection-status/crm-connection-status.js';
import '../../../../src/elements/connection-status/define.js';
import '../../../../src/elements/realtime-provider/define.js';
import type { CrmRealtimeProvider } from '../../../../src/elements/realtime-provider/crm-realtime-provider.js';
import {
  closeFakeConnections,
  fakeConnection,
  goReconnecting,
  type FakeConnection,
} from '../../helpers/fake-connection.js';
import { expectAccessible } from '../../helpers/settled.js';

/** A store whose writes fail while `full`. */
class FullDiskStore extends MemoryOutboxStore {
  full = false;

  override async add(entry: NewOutboxEntry): Promise<number> {
    if (this.full) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    return super.add(entry);
  }

  override async put(entry: OutboxEntry): Promise<void> {
    if (this.full) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    return super.put(entry);
  }
}

let connection: FakeConnection | undefined;

afterEach(() => {
  if (connection) connection.client.outbox.warnBeforeUnload = false;
  connection = undefined;
  closeFakeConnections();
});

async function mount(compact = false) {
  const store = new FullDiskStore();
  const fake = await fakeConnection({ outbox: store, logger: { warn: () => {} } });
  connection = fake;
  fake.server.entities.put({ type: 'customer', id: '42', fields: { name: 'Acme' } });
  const provider = await fixture<CrmRealtimeProvider>(
    html`<crm-realtime-provider .client=${fake.client}
      ><crm-connection-status ?compact=${compact}></crm-connection-status
    ></crm-realtime-provider>`,
  );
  const el = provider.querySelector('crm-connection-status')!;
  const live = fake.client.liveData({ entityType: 'customer', entityId: '42' });
  await fake.clock.flush();
  await el.updateComplete;
  return { fake, el, live, store };
}

const unstored = (el: CrmConnectionStatus) =>
  el.shadowRoot!.querySelector<HTMLElement>('[part~="unstored"]');
/** What the second polite region says (the first is the connection's state). */
const announced = (el: CrmConnectionStatus) =>
  el.shadowRoot!.querySelectorAll('[role="status"]')[1]?.textContent?.trim() ?? '';

async function saveOffline(fake: FakeConnection, el: CrmConnectionStatus, save: () => void) {
  save();
  await fake.client.outbox.flush();
  await el.updateComplete;
}

describe('<crm-connection-status> and edits not stored on this device', () => {
  it('says nothing while every waiting edit is stored', async () => {
    const { fake, el, live } = await mount();
    await goReconnecting(fake);
    await saveOffline(fake, el, () => void live.update({ name: 'One' }));
    expect(unstored(el)).to.equal(null);
    expect(announced(el)).to.equal('');
  });

  it('says so plainly and politely, and is accessible', async () => {
    const { fake, el, live, store } = await mount();
    await goReconnecting(fake);
    store.full = true;
    await saveOffline(fake, el, () => void live.update({ name: 'One' }));
    const text = '1 change not stored on this device: keep this page open until it is sent';
    expect(unstored(el)?.textContent?.trim()).to.equal(text);
    expect(getComputedStyle(unstored(el)!).display).to.not.equal('none');
    expect(announced(el)).to.equal(text);
    const region = el.shadowRoot!.querySelectorAll('[role="status"]')[1]!;
    expect(region.getAttribute('aria-live') ?? 'polite').to.equal('polite');
    await expectAccessible(el);
    await saveOffline(fake, el, () => void live.update({ name: 'Two' }));
    expect(unstored(el)?.textContent?.trim()).to.equal(
      '2 changes not stored on this device: keep this page open until they are sent',
    );
  });

  it('goes once the edits are stored', async () => {
    const { fake, el, live, store } = await mount();
    await goReconnecting(fake);
    store.full = true;
    await saveOffline(fake, el, () => void live.update({ name: 'One' }));
    expect(unstored(el)).to.not.equal(null);
    store.full = false;
    await fake.clock.advance(60_000);
    await fake.client.outbox.flush();
    await el.updateComplete;
    expect(unstored(el)).to.equal(null);
    expect(announced(el)).to.equal('');
  });

  it('puts it in the tooltip when compact', async () => {
    const { fake, el, live, store } = await mount(true);
    await goReconnecting(fake);
    store.full = true;
    await saveOffline(fake, el, () => void live.update({ name: 'One' }));
    expect(unstored(el)?.classList.contains('visually-hidden')).to.equal(true);
    const base = el.shadowRoot!.querySelector('[part~="base"]')!;
    expect(base.getAttribute('title')).to.contain('1 change not stored on this device');
    await expectAccessible(el);
  });

  it('translates it through messages', async () => {
    const { fake, el, live, store } = await mount();
    el.messages = {
      changesNotStored: (n, c) =>
        `${c.number(n)} Änderung nicht auf diesem Gerät gespeichert: Seite offen lassen`,
    };
    await goReconnecting(fake);
    store.full = true;
    await saveOffline(fake, el, () => void live.update({ name: 'Eins' }));
    expect(unstored(el)?.textContent?.trim()).to.equal(
      '1 Änderung nicht auf diesem Gerät gespeichert: Seite offen lassen',
    );
  });
});
