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
import { accessibleNames } from '../../helpers/accessibility-tree.js';
import {
  closeFakeConnections,
  fakeConnection,
  goReconnecting,
} from '../../helpers/fake-connection.js';
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

describe('on a touch screen, a label cut short', () => {
  it('a tap on the pill shows all of it, wrapped, until the focus goes elsewhere', async () => {
    const fake = await fakeConnection();
    // A sign-in the server refuses (an avatar URL it does not allow): a label of several words.
    const provider = await fixture<CrmRealtimeProvider>(
      html`<crm-realtime-provider
        url="fake://crm-realtime"
        .clientOptions=${{ ...fake.options, devUser: undefined }}
        .devUser=${{ id: 'u-ivy', name: 'Ivy', avatarUrl: 'javascript:alert(1)' }}
        ><div style="display: flex; inline-size: 10rem">
          <crm-connection-status></crm-connection-status></div
      ></crm-realtime-provider>`,
    );
    const el = provider.querySelector<CrmConnectionStatus>('crm-connection-status')!;
    await fake.clock.advance(0);
    await el.updateComplete;
    expect(el.state).to.equal('closed');
    const base = el.shadowRoot!.querySelector<HTMLElement>('[part~="base"]')!;
    const label = el.shadowRoot!.querySelector<HTMLElement>('[part~="label"]')!;
    const cut = () => label.scrollWidth > label.clientWidth;
    expect(cut(), 'cut short in a narrow row').to.equal(true);
    const box = label.getBoundingClientRect();
    await executeServerCommand('tap', { x: box.x + box.width / 2, y: box.y + box.height / 2 });
    await waitUntil(() => el.shadowRoot!.activeElement === base, 'the tap focuses the pill');
    expect(cut(), 'all of it once tapped').to.equal(false);
    expect(el.getBoundingClientRect().width, 'still in its row').to.be.at.most(160);
    base.blur();
    expect(cut()).to.equal(true);
  });
});

describe('compact "Retry now" on a touch screen', () => {
  afterEach(() => executeServerCommand('touch-device', { active: false }));

  it('says "Retry now" beside its icon, which a pointer gets as its tooltip; its name stays', async () => {
    await executeServerCommand('touch-device', { active: true });
    expect(matchMedia('(pointer: coarse)').matches, 'a touch device').to.equal(true);
    const fake = await fakeConnection({ reconnectInterval: 10_000 });
    const provider = await fixture<CrmRealtimeProvider>(
      html`<crm-realtime-provider .client=${fake.client}
        ><crm-connection-status compact></crm-connection-status
      ></crm-realtime-provider>`,
    );
    const el = provider.querySelector<CrmConnectionStatus>('crm-connection-status')!;
    await goReconnecting(fake);
    await el.updateComplete;
    const retry = el.shadowRoot!.querySelector<HTMLButtonElement>('[part~="retry"]')!;
    expect(getComputedStyle(retry, '::after').content).to.equal('"Retry now"');
    const { width, height } = retry.getBoundingClientRect();
    expect(width, 'a pill with the words, not a round icon').to.be.above(height * 2);
    expect(retry.scrollWidth, 'the words fit').to.be.at.most(retry.clientWidth);
    expect(retry.getAttribute('aria-label')).to.equal('Retry now');
    const names = (await accessibleNames()).filter((n) => n.role === 'button');
    expect(names.map((n) => n.name)).to.deep.equal(['Retry now']);
    await expectAccessible(el);
  });
});
