import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import type { UserProfile } from '../../../../src/protocol/index.js';
import type { CrmConnectionStatus } from '../../../../src/elements/connection-status/crm-connection-status.js';
import '../../../../src/elements/connection-status/define.js';
import '../../../../src/elements/realtime-provider/define.js';
import type { CrmRealtimeProvider } from '../../../../src/elements/realtime-provider/crm-realtime-provider.js';
import { CrmConnectionRefusedEvent } from '../../../../src/events/connection-refused.js';
import { DEMO_USER } from '../../../../src/testing/index.js';
import {
  closeFakeConnections,
  fakeConnection,
  type FakeConnection,
} from '../../helpers/fake-connection.js';
import { expectAccessible } from '../../helpers/settled.js';

afterEach(() => closeFakeConnections());

/** A development identity the server refuses: avatars may only be https:, http: or data:image/. */
const badIdentity: UserProfile = {
  id: 'u-ivy',
  name: 'Ivy',
  avatarUrl: 'javascript:alert(1)',
};

const part = (el: CrmConnectionStatus, name: string) =>
  el.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`);
const label = (el: CrmConnectionStatus) => part(el, 'label')?.textContent?.trim();
const live = (el: CrmConnectionStatus) =>
  el.shadowRoot!.querySelector('[role="status"]')?.textContent?.trim();
const retry = (el: CrmConnectionStatus) => part(el, 'retry') as HTMLButtonElement | null;

/** A provider that creates its own client on the fake server, around one status element. */
async function mount(
  fake: FakeConnection,
  provider: { devUser?: UserProfile; getToken?: () => string },
): Promise<{ provider: CrmRealtimeProvider; el: CrmConnectionStatus }> {
  const element = await fixture<CrmRealtimeProvider>(
    html`<crm-realtime-provider
      url="fake://crm-realtime"
      .clientOptions=${{ ...fake.options, devUser: undefined }}
      .devUser=${provider.devUser}
      .getToken=${provider.getToken}
      ><crm-connection-status></crm-connection-status
    ></crm-realtime-provider>`,
  );
  return { provider: element, el: element.querySelector('crm-connection-status')! };
}

async function settle(fake: FakeConnection, el: CrmConnectionStatus, ms = 0): Promise<void> {
  await fake.clock.advance(ms);
  await el.updateComplete;
}

describe('<crm-connection-status> when the server refuses the sign-in', () => {
  it('says why, in words and to screen readers, instead of "Connecting…" for ever', async () => {
    const fake = await fakeConnection();
    const { el } = await mount(fake, { devUser: badIdentity });
    await settle(fake, el);
    expect(el.state).to.equal('closed');
    expect(label(el)).to.equal('Sign-in refused: invalid avatar URL');
    expect(live(el)).to.equal('Live updates: Sign-in refused: invalid avatar URL');
    expect(part(el, 'base')?.title).to.equal('Sign-in refused: invalid avatar URL');
    // No retry loop: a minute later it still says why, and the server saw one hello.
    await settle(fake, el, 60_000);
    expect(label(el)).to.equal('Sign-in refused: invalid avatar URL');
    expect(fake.server.violations).to.have.length(1);
    await expectAccessible(el);
  });

  it('the provider fires crm-connection-refused with the server code and message', async () => {
    const fake = await fakeConnection();
    const refused = oneEvent(document, CrmConnectionRefusedEvent.eventName);
    const { provider } = await mount(fake, { devUser: badIdentity });
    await fake.clock.flush();
    const event = (await refused) as Event as CrmConnectionRefusedEvent;
    expect(event).to.be.instanceOf(CrmConnectionRefusedEvent);
    expect(event.target).to.equal(provider);
    expect(event.refusal).to.deep.equal({ code: 'bad_frame', message: 'invalid avatar URL' });
    expect(event.bubbles && event.composed).to.equal(true);
  });

  it('a refused token is explained once retrying with a fresh one did not help', async () => {
    const fake = await fakeConnection({ server: { verifyToken: () => undefined } });
    const { el } = await mount(fake, { getToken: () => 'stale-token' });
    await settle(fake, el);
    expect(el.state).to.equal('reconnecting'); // a fresh token may heal it: one more try
    await settle(fake, el, 60_000);
    expect(el.state).to.equal('closed');
    expect(label(el)).to.equal('Sign-in refused: token refused');
  });

  it('"Retry now" tries again once the sign-in is fixed', async () => {
    let token = 'stale-token';
    const fake = await fakeConnection({
      server: { verifyToken: (t) => (t === 'good-token' ? DEMO_USER : undefined) },
    });
    const { el } = await mount(fake, { getToken: () => token });
    await settle(fake, el, 60_000);
    expect(label(el)).to.equal('Sign-in refused: token refused');
    expect(retry(el)?.textContent?.trim()).to.equal('Retry now');
    token = 'good-token'; // the user signed in again
    retry(el)!.click();
    await settle(fake, el);
    expect(el.state).to.equal('open');
    expect(label(el)).to.equal('Connected');
    expect(retry(el)).to.equal(null);
  });

  it('a fixed development identity on the provider connects', async () => {
    const fake = await fakeConnection();
    const { provider, el } = await mount(fake, { devUser: badIdentity });
    await settle(fake, el);
    expect(label(el)).to.equal('Sign-in refused: invalid avatar URL');
    provider.devUser = { ...badIdentity, avatarUrl: 'https://img.example/ivy.png' };
    await provider.updateComplete;
    await settle(fake, el);
    expect(label(el)).to.equal('Connected');
  });

  it('in a narrow header it shrinks, the reason cut short, and pushes nothing out', async () => {
    const fake = await fakeConnection();
    const { provider, el } = await mount(fake, { devUser: badIdentity });
    await settle(fake, el);
    // A phone's header: the app's name, the status, the page's own button, 300 px in all.
    provider.style.cssText = 'display: flex; gap: 8px; align-items: center; inline-size: 300px';
    const name = Object.assign(document.createElement('strong'), { textContent: 'CRM' });
    const bell = document.createElement('button');
    bell.textContent = 'Bell';
    bell.style.flex = 'none';
    el.before(name);
    el.after(bell);
    await new Promise(requestAnimationFrame);
    expect(label(el)).to.equal('Sign-in refused: invalid avatar URL');
    const row = provider.getBoundingClientRect();
    expect(provider.scrollWidth).to.be.at.most(provider.clientWidth);
    expect(el.getBoundingClientRect().right).to.be.at.most(bell.getBoundingClientRect().left);
    expect(bell.getBoundingClientRect().right).to.be.at.most(row.right + 0.5);
    // Cut short, not hidden: the label shows its start, Retry now stays whole, and the full text
    // is the pill's tooltip.
    const text = part(el, 'label')!;
    expect(text.clientWidth).to.be.above(40);
    expect(text.scrollWidth).to.be.above(text.clientWidth);
    expect(retry(el)!.scrollWidth).to.be.at.most(retry(el)!.clientWidth);
    expect(part(el, 'base')?.title).to.equal('Sign-in refused: invalid avatar URL');
  });

  it('the refusal is translatable like every other text', async () => {
    const fake = await fakeConnection();
    const { el } = await mount(fake, { devUser: badIdentity });
    el.messages = {
      refused: (refusal) =>
        refusal.code === 'bad_frame' ? 'Anmeldung abgelehnt: ungültige Identität' : 'Abgelehnt',
      spoken: (text) => `Live-Daten: ${text}`,
    };
    await settle(fake, el);
    expect(label(el)).to.equal('Anmeldung abgelehnt: ungültige Identität');
    expect(live(el)).to.equal('Live-Daten: Anmeldung abgelehnt: ungültige Identität');
  });
});
