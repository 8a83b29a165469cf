/**
 * `<crm-connection-status compact>` on a touch screen: no hover, so no tooltip; a tap shows its
 * text. In a file of its own: after a tap, the theming test of crm-connection-status.test.ts
 * read the pill's colour in the middle of its transition.
 */
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import type { CrmConnectionStatus } from '../../../../src/elements/connection-status/crm-connection-status.js';
import '../../../../src/elements/connection-status/define.js';
import '../../../../src/elements/realtime-provider/define.js';
import type { CrmRealtimeProvider } from '../../../../src/elements/realtime-provider/crm-realtime-provider.js';
import { closeFakeConnections, fakeConnection } from '../../helpers/fake-connection.js';
import { expectAccessible } from '../../helpers/settled.js';

afterEach(() => closeFakeConnections());

describe('compact, on a touch screen (no hover, so no tooltip)', () => {
  it('a tap on the dot shows what the tooltip says, until the focus goes elsewhere', async () => {
    const fake = await fakeConnection();
    const provider = await fixture<CrmRealtimeProvider>(
      html`<crm-realtime-provider .client=${fake.client}
        ><crm-connection-status compact></crm-connection-status
      ></crm-realtime-provider>`,
    );
    const el = provider.querySelector<CrmConnectionStatus>('crm-connection-status')!;
    await el.updateComplete;
    const part = (name: string) => el.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`);
    const base = part('base')!;
    const dot = part('dot')!.getBoundingClientRect();
    await executeServerCommand('tap', { x: dot.x + dot.width / 2, y: dot.y + dot.height / 2 });
    await waitUntil(() => el.shadowRoot!.activeElement === base, 'the tap focuses the pill');
    const details = part('details');
    expect(details?.checkVisibility() ?? false, 'the text is shown').to.equal(true);
    expect(details!.textContent).to.equal('Connected');
    expect(details!.textContent).to.equal(base.title);
    expect(details!.getAttribute('aria-hidden'), 'the status region says it').to.equal('true');
    await expectAccessible(el);
    base.blur();
    expect(details!.checkVisibility()).to.equal(false);
  });
});
