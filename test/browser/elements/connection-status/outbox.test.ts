/**
 * `<crm-connection-status>` tells how many offline edits wait in the outbox ("3 changes waiting"),
 * stays accessible while it does, and drops the count once they were sent.
 */
import { expect, fixture, html } from '@open-wc/testing';
import { MemoryOutboxStore } from '../../../../src/client/index.js';
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

afterEach(() => closeFakeConnections());

async function mount(compact = false) {
  const fake = await fakeConnection({ outbox: new MemoryOutboxStore() });
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
  return { fake, el, live };
}

const waiting = (el: CrmConnectionStatus) =>
  el.shadowRoot!.querySelector<HTMLElement>('[part~="waiting"]');

async function step(fake: FakeConnection, el: CrmConnectionStatus, ms = 0) {
  await fake.clock.advance(ms);
  await el.updateComplete;
}

describe('<crm-connection-status> and the outbox', () => {
  it('shows nothing about waiting changes while there are none', async () => {
    const { el } = await mount();
    expect(waiting(el)).to.equal(null);
  });

  it('shows "3 changes waiting" while offline edits wait, and is accessible', async () => {
    const { fake, el, live } = await mount();
    await goReconnecting(fake);
    void live.update({ name: 'One' });
    await el.updateComplete;
    expect(waiting(el)?.textContent?.trim()).to.equal('1 change waiting');
    void live.update({ name: 'Two' });
    void live.update({ name: 'Three' });
    await el.updateComplete;
    expect(waiting(el)?.textContent?.trim()).to.equal('3 changes waiting');
    expect(getComputedStyle(waiting(el)!).display).to.not.equal('none');
    await expectAccessible(el);
    fake.server.refuseConnections(false);
    await step(fake, el, 5_000);
    expect(fake.client.status.state).to.equal('open');
    expect(waiting(el)).to.equal(null);
    expect(fake.server.entities.get('customer', '42')?.fields['name']).to.equal('Three');
  });

  it('puts the count in the tooltip when compact, still readable by screen readers', async () => {
    const { fake, el, live } = await mount(true);
    await goReconnecting(fake);
    void live.update({ name: 'One' });
    void live.update({ name: 'Two' });
    await el.updateComplete;
    expect(waiting(el)?.classList.contains('visually-hidden')).to.equal(true);
    const base = el.shadowRoot!.querySelector('[part~="base"]')!;
    expect(base.getAttribute('title')).to.contain('2 changes waiting');
    await expectAccessible(el);
  });

  it('translates the count through messages', async () => {
    const { fake, el, live } = await mount();
    el.messages = { changesWaiting: (n, c) => `${c.number(n)} Änderungen ausstehend` };
    await goReconnecting(fake);
    void live.update({ name: 'Eins' });
    void live.update({ name: 'Zwei' });
    await el.updateComplete;
    expect(waiting(el)?.textContent?.trim()).to.equal('2 Änderungen ausstehend');
  });
});
