/**
 * `<crm-notification-center>` when the user's room is refused for want of place on the
 * connection (a list page following as many rooms as it may): the panel says so instead of
 * loading for ever, and loads once another room is released.
 */
import { expect, fixture, html } from '@open-wc/testing';
import '../../../../src/elements/notification-center/define.js';
import '../../../../src/elements/realtime-provider/define.js';
import type { CrmRealtimeProvider } from '../../../../src/elements/realtime-provider/crm-realtime-provider.js';
import { LIMITS } from '../../../../src/protocol/index.js';
import { closeFakeConnections, fakeConnection } from '../../helpers/fake-connection.js';
import { bellOf, ME, panelOf } from './fixture.js';

afterEach(() => closeFakeConnections());

describe('<crm-notification-center> on a user room the server refuses', () => {
  it('says the notifications are not live, then loads once another room is released', async () => {
    const fake = await fakeConnection();
    fake.server.notify({ target: { user: ME }, title: 'Hello' });
    const rows = Array.from({ length: LIMITS.maxRoomsPerConnection }, (_, i) =>
      fake.client.joinRoom(`customer:${i + 1}`),
    );
    const provider = await fixture<CrmRealtimeProvider>(
      html`<crm-realtime-provider .client=${fake.client}></crm-realtime-provider>`,
    );
    const el = document.createElement('crm-notification-center');
    provider.append(el);
    const settle = async () => {
      for (let i = 0; i < 4; i++) {
        await fake.clock.flush();
        await el.updateComplete;
      }
    };
    await settle();
    const root = el.shadowRoot!;
    bellOf(root).click();
    await settle();
    const panel = panelOf(root);
    expect(panel.querySelector('[part="notice"]')?.textContent?.trim()).to.equal(
      'Notifications are not live: too many on this page.',
    );
    expect(panel.querySelector('[aria-busy="true"]'), 'not loading').to.equal(null);

    rows[0]!.release();
    await settle();
    expect(panel.textContent).to.include('Hello');
    expect(panel.textContent).not.to.include('not live');
  });
});
