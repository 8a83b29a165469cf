import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { browserEnvironment } from '../../../../src/client/connection/environment.js';
import type { RealtimeClient } from '../../../../src/client/realtime-client.js';
import type { CrmConnectionStatus } from '../../../../src/elements/connection-status/crm-connection-status.js';
import '../../../../src/elements/connection-status/define.js';
import '../../../../src/elements/realtime-provider/define.js';
import type { CrmRealtimeProvider } from '../../../../src/elements/realtime-provider/crm-realtime-provider.js';
import { CrmConnectionStatusChangeEvent } from '../../../../src/events/connection-status-change.js';
import {
  closeFakeConnections,
  fakeConnection,
  goReconnecting,
  recordWarnings,
  resetNoProviderWarning,
  type FakeConnection,
} from '../../helpers/fake-connection.js';
import { expectAccessible } from '../../helpers/settled.js';
import { noUpdateAfterUpdate } from '../../helpers/lit-warnings.js';

afterEach(() => closeFakeConnections());

/** A provider around one status element, backed by the fake server. */
async function mount(
  fake: FakeConnection,
  template = html`<crm-connection-status></crm-connection-status>`,
): Promise<CrmConnectionStatus> {
  const provider = await fixture<CrmRealtimeProvider>(
    html`<crm-realtime-provider .client=${fake.client}>${template}</crm-realtime-provider>`,
  );
  const el = provider.querySelector('crm-connection-status')!;
  await el.updateComplete;
  return el;
}

const part = (el: CrmConnectionStatus, name: string) =>
  el.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`);
const label = (el: CrmConnectionStatus) => part(el, 'label')?.textContent?.trim();
const live = (el: CrmConnectionStatus) =>
  el.shadowRoot!.querySelector('[role="status"]')?.textContent?.trim();
const retry = (el: CrmConnectionStatus) => part(el, 'retry') as HTMLButtonElement | null;

/** What screen readers hear from the element's status regions from now on, in order. */
function listen(el: CrmConnectionStatus): { heard: string[]; stop(): void } {
  const root = el.shadowRoot!;
  const regions = () => [...root.querySelectorAll('[role="status"]')];
  const last = new Map(regions().map((region) => [region, region.textContent!]));
  const heard: string[] = [];
  const observer = new MutationObserver(() => {
    for (const region of regions()) {
      const text = region.textContent!;
      if (text === last.get(region)) continue;
      last.set(region, text);
      if (text.trim()) heard.push(text.trim());
    }
  });
  observer.observe(root, { subtree: true, childList: true, characterData: true });
  return { heard, stop: () => observer.disconnect() };
}

async function step(fake: FakeConnection, el: CrmConnectionStatus, ms = 0) {
  await fake.clock.advance(ms);
  await el.updateComplete;
}

/** Count calls of `client.retryNow` (and still let them through). */
function spyRetry(client: RealtimeClient): { calls: number } {
  const spy = { calls: 0 };
  const original = client.retryNow.bind(client);
  client.retryNow = () => {
    spy.calls += 1;
    original();
  };
  return spy;
}

noUpdateAfterUpdate('crm-connection-status');

describe('<crm-connection-status>', () => {
  describe('defaults', () => {
    it('is not compact, has no messages override, and reflects the state', async () => {
      const fake = await fakeConnection();
      const el = await mount(fake);
      expect(el.compact).to.equal(false);
      expect(el.hasAttribute('compact')).to.equal(false);
      expect(el.messages).to.equal(undefined);
      expect(el.getAttribute('state')).to.equal('open');
      expect(getComputedStyle(el).display).to.equal('inline-flex');
    });

    it('reflects compact between attribute and property', async () => {
      const fake = await fakeConnection();
      const el = await mount(fake, html`<crm-connection-status compact></crm-connection-status>`);
      expect(el.compact).to.equal(true);
      el.compact = false;
      await el.updateComplete;
      expect(el.hasAttribute('compact')).to.equal(false);
    });
  });

  describe('states', () => {
    it('open: a quiet "Connected"', async () => {
      const fake = await fakeConnection();
      const el = await mount(fake);
      expect(el.state).to.equal('open');
      expect(label(el)).to.equal('Connected');
      expect(live(el)).to.equal('Live updates: Connected');
      expect(retry(el)).to.equal(null);
      await expectAccessible(el);
    });

    it('connecting: "Connecting…" while the first connection is made', async () => {
      const fake = await fakeConnection({ open: false });
      const el = await mount(fake);
      expect(el.state).to.equal('connecting');
      expect(label(el)).to.equal('Connecting…');
      expect(retry(el)).to.equal(null);
      await expectAccessible(el);
    });

    it('reconnecting: counts down each second and offers "Retry now"', async () => {
      // random() = 0.47 of 10 s: the next try is 4.7 s away, shown as 5 s.
      const fake = await fakeConnection({ reconnectInterval: 10_000, random: () => 0.47 });
      const el = await mount(fake);
      await goReconnecting(fake);
      await el.updateComplete;
      expect(el.state).to.equal('reconnecting');
      expect(label(el)).to.equal('Reconnecting in 5s');
      expect(retry(el)?.textContent?.trim()).to.equal('Retry now');
      await expectAccessible(el);

      // The number changes exactly when the whole seconds left change: at 4.0 s left, not later.
      await step(fake, el, 699);
      expect(label(el)).to.equal('Reconnecting in 5s');
      await step(fake, el, 1);
      expect(label(el)).to.equal('Reconnecting in 4s');
      await step(fake, el, 1000);
      expect(label(el)).to.equal('Reconnecting in 3s');
    });

    it('reconnecting: "Retry now" calls retryNow and the button stays, inert, during the attempt', async () => {
      const fake = await fakeConnection({ reconnectInterval: 10_000 });
      const el = await mount(fake);
      await goReconnecting(fake);
      await el.updateComplete;
      const spy = spyRetry(fake.client);
      fake.server.blackhole(true); // the next attempt hangs in the handshake
      fake.server.refuseConnections(false);
      retry(el)!.click();
      expect(spy.calls).to.equal(1);
      await step(fake, el);
      expect(el.state).to.equal('connecting');
      expect(label(el), 'still a reconnection, not a first connect').to.equal('Reconnecting…');
      const button = retry(el)!;
      expect(button.getAttribute('aria-disabled')).to.equal('true');
      button.click();
      expect(spy.calls, 'no second attempt while one is in flight').to.equal(1);
      await expectAccessible(el);
    });

    it('offline: "Offline" while the browser has no network', async () => {
      const fake = await fakeConnection();
      const el = await mount(fake);
      fake.environment.setOnline(false);
      fake.server.dropConnections();
      await step(fake, el);
      expect(el.state).to.equal('offline');
      expect(label(el)).to.equal('Offline');
      expect(retry(el)).to.equal(null);
      await expectAccessible(el);
    });

    it('offline: "Offline" the moment the browser fires offline, before the socket notices', async () => {
      // The page's real `online`/`offline` events, through the client's default environment.
      const fake = await fakeConnection({ environment: browserEnvironment() });
      const el = await mount(fake);
      fake.server.blackhole(true); // the network is gone: no close, no frames
      window.dispatchEvent(new Event('offline'));
      await el.updateComplete; // no time passes: the heartbeat has not had its 10 s
      expect(label(el)).to.equal('Offline');
      expect(fake.server.connections).to.equal(0);
      fake.server.blackhole(false);
      window.dispatchEvent(new Event('online'));
      await step(fake, el); // no backoff wait: `online` connects at once
      expect(label(el)).to.equal('Connected');
    });

    it('closed: "Disconnected" once the client is closed', async () => {
      const fake = await fakeConnection();
      const el = await mount(fake);
      fake.client.close();
      await el.updateComplete;
      expect(el.state).to.equal('closed');
      expect(label(el)).to.equal('Disconnected');
      await expectAccessible(el);
    });

    it('not connected: a visible "Not connected" without a provider', async () => {
      resetNoProviderWarning();
      const warnings = recordWarnings();
      try {
        const el = await fixture<CrmConnectionStatus>(
          html`<crm-connection-status></crm-connection-status>`,
        );
        expect(el.state).to.equal('unavailable');
        expect(label(el)).to.equal('Not connected');
        expect(part(el, 'label')!.getBoundingClientRect().width).to.be.greaterThan(0);
        await expectAccessible(el);
      } finally {
        warnings.restore();
      }
    });

    it('compact: the dot alone, with the state for screen readers and as a tooltip', async () => {
      const fake = await fakeConnection({ reconnectInterval: 10_000 });
      const el = await mount(fake, html`<crm-connection-status compact></crm-connection-status>`);
      expect(getComputedStyle(part(el, 'label')!).display).to.equal('none');
      expect(live(el)).to.equal('Live updates: Connected');
      expect(part(el, 'base')!.title).to.equal('Connected');
      await expectAccessible(el);
      await goReconnecting(fake);
      await el.updateComplete;
      expect(retry(el)!.getAttribute('aria-label')).to.equal('Retry now');
      await expectAccessible(el);
    });
  });

  describe('announcements', () => {
    it('are not repeated on countdown ticks nor on each attempt of a flaky network', async () => {
      const fake = await fakeConnection({ reconnectInterval: 2000 });
      const el = await mount(fake);
      await goReconnecting(fake);
      await el.updateComplete;
      const region = el.shadowRoot!.querySelector('[role="status"]')!;
      const changes: string[] = [];
      const observer = new MutationObserver(() => changes.push(region.textContent!.trim()));
      observer.observe(region, { subtree: true, childList: true, characterData: true });
      // Several ticks and failed attempts (reconnecting → connecting → reconnecting …).
      for (let i = 0; i < 6; i++) await step(fake, el, 1000);
      await Promise.resolve();
      expect(label(el)).to.match(/^Reconnecting/);
      expect(changes, 'no change of the spoken text').to.deep.equal([]);
      expect(live(el)).to.equal('Live updates: Reconnecting…');
      // Back online: one announcement.
      fake.server.refuseConnections(false);
      fake.client.retryNow();
      await step(fake, el);
      await Promise.resolve();
      observer.disconnect();
      expect(changes).to.deep.equal(['Live updates: Connected']);
    });

    it('"Retry now" is answered once: trying, then still offline and when the next try is', async () => {
      const fake = await fakeConnection({ reconnectInterval: 2000 });
      const el = await mount(fake);
      await goReconnecting(fake);
      await el.updateComplete;
      const spoken = listen(el);
      retry(el)!.click(); // the server still refuses
      await el.updateComplete;
      await Promise.resolve();
      expect(spoken.heard).to.deep.equal(['Reconnecting…']);
      await step(fake, el); // the attempt fails
      await Promise.resolve();
      const seconds = el.secondsUntilRetry!;
      expect(seconds).to.be.greaterThan(0);
      expect(spoken.heard).to.deep.equal([
        'Reconnecting…',
        `Still offline, next try in ${seconds}s`,
      ]);
      // The countdown ticks and the next attempt fails by itself: nothing more is said.
      for (let i = 0; i < 2 * seconds; i++) await step(fake, el, 1000);
      await Promise.resolve();
      expect(fake.server.connections).to.equal(0);
      expect(spoken.heard).to.have.length(2);
      // Pressed again with the server back: "Connected", once (the state region says it).
      fake.server.refuseConnections(false);
      retry(el)!.click();
      await step(fake, el);
      await Promise.resolve();
      expect(el.state).to.equal('open');
      expect(spoken.heard.slice(2)).to.deep.equal(['Reconnecting…', 'Live updates: Connected']);
      spoken.stop();
    });
  });

  describe('events', () => {
    it('fires crm-connection-status-change once per change of state, bubbling to the page', async () => {
      const fake = await fakeConnection({ reconnectInterval: 10_000 });
      const el = await mount(fake);
      const seen: CrmConnectionStatusChangeEvent[] = [];
      const listener = (e: CrmConnectionStatusChangeEvent) => seen.push(e);
      document.addEventListener('crm-connection-status-change', listener);
      try {
        const event = oneEvent(el, 'crm-connection-status-change');
        await goReconnecting(fake);
        const e = (await event) as unknown as CrmConnectionStatusChangeEvent;
        expect(e).to.be.instanceOf(CrmConnectionStatusChangeEvent);
        expect(e.state).to.equal('reconnecting');
        expect(e.previousState).to.equal('open');
        expect(e.status?.state).to.equal('reconnecting');
        expect(e.bubbles && e.composed).to.equal(true);
        await step(fake, el, 3000); // ticks only
        expect(seen.map((s) => s.state)).to.deep.equal(['reconnecting']);
      } finally {
        document.removeEventListener('crm-connection-status-change', listener);
      }
    });
  });

  describe('keyboard', () => {
    async function reconnectingWithButtonBefore(compact = false) {
      const fake = await fakeConnection({ reconnectInterval: 10_000 });
      const provider = await fixture<CrmRealtimeProvider>(
        html`<crm-realtime-provider .client=${fake.client}>
          <button id="before">Before</button>
          <crm-connection-status ?compact=${compact}></crm-connection-status>
        </crm-realtime-provider>`,
      );
      const el = provider.querySelector('crm-connection-status')!;
      await goReconnecting(fake);
      await el.updateComplete;
      provider.querySelector<HTMLButtonElement>('#before')!.focus();
      return { fake, el, spy: spyRetry(fake.client) };
    }

    describe('Tab', () => {
      it('reaches "Retry now" (also in compact mode)', async () => {
        for (const compact of [false, true]) {
          const { el } = await reconnectingWithButtonBefore(compact);
          await sendKeys({ press: 'Tab' });
          expect(document.activeElement).to.equal(el);
          expect(el.shadowRoot!.activeElement).to.equal(retry(el));
        }
      });

      it('skips the element when there is nothing to press', async () => {
        const fake = await fakeConnection();
        const provider = await fixture<CrmRealtimeProvider>(
          html`<crm-realtime-provider .client=${fake.client}>
            <button id="before">Before</button>
            <crm-connection-status></crm-connection-status>
            <button id="after">After</button>
          </crm-realtime-provider>`,
        );
        provider.querySelector<HTMLButtonElement>('#before')!.focus();
        await sendKeys({ press: 'Tab' });
        expect(document.activeElement?.id).to.equal('after');
      });
    });

    describe('Enter', () => {
      it('retries now', async () => {
        const { el, spy } = await reconnectingWithButtonBefore();
        await sendKeys({ press: 'Tab' });
        await sendKeys({ press: 'Enter' });
        expect(spy.calls).to.equal(1);
        await el.updateComplete;
        expect(el.shadowRoot!.activeElement, 'focus stays on the button').to.equal(retry(el));
      });

      it('connected, the button goes and the focus stays on the element, not on the body', async () => {
        const { fake, el } = await reconnectingWithButtonBefore();
        await sendKeys({ press: 'Tab' });
        fake.server.refuseConnections(false);
        await sendKeys({ press: 'Enter' });
        await step(fake, el);
        expect(el.state).to.equal('open');
        expect(retry(el)).to.equal(null);
        // Compared by name: a failing comparison of elements would serialise the whole client.
        expect(document.activeElement?.localName).to.equal('crm-connection-status');
        expect(el.shadowRoot!.activeElement?.getAttribute('part')).to.equal('base');
        await expectAccessible(el);
      });
    });

    describe('Space', () => {
      it('retries now', async () => {
        const { spy } = await reconnectingWithButtonBefore();
        await sendKeys({ press: 'Tab' });
        await sendKeys({ press: 'Space' });
        expect(spy.calls).to.equal(1);
      });
    });
  });

  describe('translation', () => {
    it('uses the messages given and the language of the page', async () => {
      const fake = await fakeConnection({ reconnectInterval: 10_000 });
      const provider = await fixture<CrmRealtimeProvider>(
        html`<crm-realtime-provider .client=${fake.client} lang="de">
          <crm-connection-status
            .messages=${{
              reconnectingIn: (s: number, c: { seconds(n: number): string }) =>
                `Neuer Versuch in ${c.seconds(s)}`,
              retryNow: () => 'Jetzt versuchen',
              spoken: (l: string) => `Live-Daten: ${l}`,
            }}
          ></crm-connection-status>
        </crm-realtime-provider>`,
      );
      const el = provider.querySelector('crm-connection-status')!;
      await goReconnecting(fake);
      await el.updateComplete;
      const fiveSeconds = new Intl.NumberFormat('de', {
        style: 'unit',
        unit: 'second',
        unitDisplay: 'narrow',
      }).format(5);
      expect(fiveSeconds).not.to.equal('5s');
      expect(label(el)).to.equal(`Neuer Versuch in ${fiveSeconds}`);
      expect(retry(el)!.textContent!.trim()).to.equal('Jetzt versuchen');
      expect(live(el)).to.equal('Live-Daten: Reconnecting…');
    });
  });

  describe('theming', () => {
    it('follows the dark theme by tokens alone', async () => {
      const fake = await fakeConnection({ reconnectInterval: 10_000 });
      const wrap = await fixture<HTMLDivElement>(
        html`<div>
          <crm-realtime-provider .client=${fake.client}>
            <div data-crm-theme="light"><crm-connection-status></crm-connection-status></div>
            <div data-crm-theme="dark"><crm-connection-status></crm-connection-status></div>
          </crm-realtime-provider>
        </div>`,
      );
      const [light, dark] = [...wrap.querySelectorAll('crm-connection-status')];
      await goReconnecting(fake);
      await light!.updateComplete;
      await dark!.updateComplete;
      const bg = (el: CrmConnectionStatus) => getComputedStyle(part(el, 'base')!).backgroundColor;
      expect(bg(light!)).to.equal('rgb(253, 243, 225)');
      expect(bg(dark!)).to.equal('rgb(58, 42, 16)');
      await expectAccessible(dark!);
    });

    it('exposes custom properties for the pill', async () => {
      const fake = await fakeConnection();
      const el = await mount(fake);
      el.style.setProperty('--crm-connection-status-dot-size', '12px');
      expect(getComputedStyle(part(el, 'dot')!).width).to.equal('12px');
    });
  });

  describe('removal', () => {
    it('unsubscribes from the client and stops its countdown', async () => {
      const fake = await fakeConnection({ reconnectInterval: 10_000 });
      const el = await mount(fake);
      const listeners = () =>
        (fake.client as unknown as { statusListeners: { size: number } }).statusListeners.size;
      const withElement = listeners();
      await goReconnecting(fake);
      await el.updateComplete;
      const timersWithElement = fake.clock.pending;
      let events = 0;
      el.addEventListener('crm-connection-status-change', () => (events += 1));
      el.parentElement!.remove();
      expect(listeners()).to.equal(withElement - 1);
      expect(fake.clock.pending, 'the countdown tick is cleared').to.equal(timersWithElement - 1);
      fake.server.refuseConnections(false);
      fake.client.retryNow();
      await fake.clock.flush();
      expect(fake.client.status.state).to.equal('open');
      expect(events).to.equal(0);
    });
  });
});
