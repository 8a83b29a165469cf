/**
 * `<crm-presence>` on a room the server refuses: it says so instead of "Loading who is here…" for
 * ever; a list page with more rows than the connection may hold rooms shows the rest as soon as
 * rows go, and is told once in the console why.
 */
import { expect, fixture, html } from '@open-wc/testing';
import '../../../../src/elements/presence/define.js';
import '../../../../src/elements/realtime-provider/define.js';
import type { CrmPresence } from '../../../../src/elements/presence/crm-presence.js';
import type { CrmRealtimeProvider } from '../../../../src/elements/realtime-provider/crm-realtime-provider.js';
import { LIMITS } from '../../../../src/protocol/index.js';
import { DEMO_USER } from '../../../../src/testing/index.js';
import {
  closeFakeConnections,
  fakeConnection,
  recordWarnings,
} from '../../helpers/fake-connection.js';
import { expectAccessible } from '../../helpers/settled.js';

const shown = (el: CrmPresence) =>
  el.shadowRoot!.querySelector('[part="base"]')!.textContent!.replace(/\s+/g, ' ').trim();
const busy = (el: CrmPresence) =>
  el.shadowRoot!.querySelector('[part="base"]')!.getAttribute('aria-busy');

afterEach(() => closeFakeConnections());

describe('<crm-presence> on a room the server refuses', () => {
  it('a list page with a widget per row: the rows beyond the limit say so, and show once rows go', async () => {
    const warnings = recordWarnings();
    try {
      const fake = await fakeConnection();
      const provider = await fixture<CrmRealtimeProvider>(
        html`<crm-realtime-provider .client=${fake.client}></crm-realtime-provider>`,
      );
      const rows: CrmPresence[] = [];
      for (let i = 1; i <= LIMITS.maxRoomsPerConnection + 2; i++) {
        const el = document.createElement('crm-presence');
        el.roomId = `customer:${i}`;
        provider.append(el);
        rows.push(el);
      }
      const settle = async () => {
        for (let i = 0; i < 3; i++) {
          await fake.clock.flush();
          await Promise.all(rows.map((el) => el.updateComplete));
        }
      };
      await settle();
      const last = rows.at(-1)!;
      const beyond = rows.at(-2)!;
      expect(shown(rows[0]!)).to.equal('Only you here');
      for (const el of [beyond, last]) {
        expect(shown(el)).to.equal('Not shown: too many on this page');
        expect(busy(el), 'not loading').to.equal(null);
      }
      const said = warnings.messages.filter((m) => m.includes('maxRoomsPerConnection'));
      expect(said, 'told once, not per row').to.have.length(1);
      await expectAccessible(last);

      rows[0]!.remove(); // a row scrolled away
      await settle();
      expect(shown(beyond)).to.equal('Only you here');
      expect(shown(last)).to.equal('Not shown: too many on this page');
    } finally {
      warnings.restore();
    }
  });

  it('a room the user may not see: "Not shown: you may not see this"', async () => {
    const fake = await fakeConnection({
      server: { authorize: (_user, room) => room !== 'customer:7' },
    });
    const provider = await fixture<CrmRealtimeProvider>(
      html`<crm-realtime-provider .client=${fake.client}
        ><crm-presence room-id="customer:7"></crm-presence
      ></crm-realtime-provider>`,
    );
    const el = provider.querySelector('crm-presence')!;
    for (let i = 0; i < 3; i++) {
      await fake.clock.flush();
      await el.updateComplete;
    }
    expect(shown(el)).to.equal('Not shown: you may not see this');
    expect(busy(el)).to.equal(null);
  });

  it('a room taken away while shown (permissions changed): "Not shown: you may not see this"', async () => {
    let allowed = true;
    const fake = await fakeConnection({
      server: { authorize: (_user, room) => allowed || room !== 'customer:7' },
    });
    const provider = await fixture<CrmRealtimeProvider>(
      html`<crm-realtime-provider .client=${fake.client}
        ><crm-presence room-id="customer:7"></crm-presence
      ></crm-realtime-provider>`,
    );
    const el = provider.querySelector('crm-presence')!;
    const settle = async () => {
      for (let i = 0; i < 3; i++) {
        await fake.clock.flush();
        await el.updateComplete;
      }
    };
    await settle();
    expect(shown(el)).to.equal('Only you here');
    allowed = false; // the CRM reassigned the record
    fake.server.permissionsChanged(DEMO_USER.id);
    await settle();
    expect(shown(el)).to.equal('Not shown: you may not see this');
    expect(fake.client.status.state, 'the connection stays').to.equal('open');
  });
});
