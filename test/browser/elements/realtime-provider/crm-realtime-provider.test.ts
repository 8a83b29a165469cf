import { aTimeout, expect, fixture, html, waitUntil } from '@open-wc/testing';
import { CrmConnectionStatus } from '../../../../src/elements/connection-status/crm-connection-status.js';
import '../../../../src/elements/connection-status/define.js';
import { attachRealtimeProvider } from '../../../../src/elements/realtime-provider/attach.js';
import { CrmRealtimeProvider } from '../../../../src/elements/realtime-provider/crm-realtime-provider.js';
import '../../../../src/elements/realtime-provider/define.js';
import { defineElement } from '../../../../src/elements/define-element.js';
import { realtimeClientContext } from '../../../../src/context.js';
import type { CrmConnectionStatusChangeEvent } from '../../../../src/events/connection-status-change.js';
import { fakeToken } from '../../../../src/testing/index.js';
import {
  closeFakeConnections,
  fakeConnection,
  recordWarnings,
  resetNoProviderWarning,
  uniqueTag,
} from '../../helpers/fake-connection.js';
import { noUpdateAfterUpdate } from '../../helpers/lit-warnings.js';

/** The text a user sees in a status element (its visible label). */
const shown = (el: Element) =>
  el.shadowRoot?.querySelector('[part="label"]')?.textContent?.trim() ?? '';

async function settle(...elements: Element[]) {
  for (const el of elements) await (el as CrmConnectionStatus).updateComplete;
}

afterEach(() => closeFakeConnections());

noUpdateAfterUpdate('crm-realtime-provider');

describe('<crm-realtime-provider>', () => {
  describe('defaults and attributes', () => {
    it('has no box, no shadow root, and no client without url', async () => {
      const el = await fixture<CrmRealtimeProvider>(
        html`<crm-realtime-provider><p>content</p></crm-realtime-provider>`,
      );
      expect(getComputedStyle(el).display).to.equal('contents');
      // A shadow root on the element that wraps a page would make the browser rebuild the boxes
      // of the whole page when it upgrades; the content stays its own children.
      expect(el.shadowRoot).to.equal(null);
      expect(
        [...el.childNodes].filter((node) => node.nodeType !== Node.COMMENT_NODE),
      ).to.have.length(1);
      el.hidden = true;
      expect(getComputedStyle(el).display).to.equal('none');
      expect(el.url).to.equal('');
      expect(el.client).to.equal(undefined);
    });

    it("yields its display to the page's own rule, and has none in a shadow root too", async () => {
      const style = document.createElement('style');
      style.textContent = 'crm-realtime-provider.column { display: flex; }';
      document.head.append(style);
      try {
        const el = await fixture<CrmRealtimeProvider>(
          html`<crm-realtime-provider class="column"></crm-realtime-provider>`,
        );
        expect(getComputedStyle(el).display).to.equal('flex');
      } finally {
        style.remove();
      }
      const host = await fixture<HTMLElement>(html`<div></div>`);
      const root = host.attachShadow({ mode: 'open' });
      const inner = document.createElement('crm-realtime-provider');
      root.append(inner);
      expect(getComputedStyle(inner).display).to.equal('contents');
    });

    it('reads the settings in force: the documented defaults until set, and again when removed', async () => {
      const el = await fixture<CrmRealtimeProvider>(
        html`<crm-realtime-provider></crm-realtime-provider>`,
      );
      expect(el.reconnectInterval).to.equal(1000);
      expect(el.heartbeatInterval).to.equal(30_000);
      // Unlimited by default (see the property's documentation for why).
      expect(el.maxReconnectAttempts).to.equal(Infinity);
      el.setAttribute('reconnect-interval', '250');
      el.setAttribute('heartbeat-interval', 'soon'); // not a number: the default stays in force
      el.setAttribute('max-reconnect-attempts', '-1'); // not a count: the default stays in force
      expect(el.reconnectInterval).to.equal(250);
      expect(el.heartbeatInterval).to.equal(30_000);
      expect(el.maxReconnectAttempts).to.equal(Infinity);
      el.removeAttribute('reconnect-interval');
      expect(el.reconnectInterval).to.equal(1000);
      el.heartbeatInterval = undefined;
      expect(el.heartbeatInterval).to.equal(30_000);
      el.clientOptions = { reconnectInterval: 600, maxReconnectAttempts: 4 };
      expect(el.reconnectInterval, 'clientOptions when the property is not set').to.equal(600);
      expect(el.maxReconnectAttempts).to.equal(4);
      el.reconnectInterval = 300;
      expect(el.reconnectInterval, 'the property wins over clientOptions').to.equal(300);
    });

    it('gives the client it creates the heartbeat interval in force', async () => {
      const fake = await fakeConnection();
      const el = await fixture<CrmRealtimeProvider>(
        html`<crm-realtime-provider
          url="fake://x"
          .clientOptions=${fake.options}
        ></crm-realtime-provider>`,
      );
      fake.client.close(); // only the provider's own client pings
      await fake.clock.flush();
      const pings = () => fake.server.received('ping').length;
      await fake.clock.advance(el.heartbeatInterval - 1);
      expect(pings()).to.equal(0);
      await fake.clock.advance(1);
      expect(pings(), 'the default 30000 ms is the one in force').to.equal(1);
      el.heartbeatInterval = 5000;
      await el.updateComplete;
      await fake.clock.flush();
      const before = pings();
      await fake.clock.advance(5000);
      expect(pings() - before).to.equal(1);
    });

    it('gives the client it creates the probe timeout in force: a dead link is given up that soon after a request', async () => {
      const fake = await fakeConnection();
      const el = await fixture<CrmRealtimeProvider>(
        html`<crm-realtime-provider
          url="fake://x"
          probe-timeout="2000"
          .clientOptions=${fake.options}
        ></crm-realtime-provider>`,
      );
      expect(el.probeTimeout).to.equal(2000);
      fake.client.close();
      await fake.clock.flush();
      const client = el.client!;
      expect(client.status.state).to.equal('open');
      await fake.clock.advance(5_000); // the link has been quiet: a request is followed by a probe
      fake.server.blackhole(true); // the link died without closing
      client.emit('customer:42', 'noted', {}).catch(() => {});
      await fake.clock.advance(1_999);
      expect(client.status.state, 'before the probe timeout').to.equal('open');
      await fake.clock.advance(1);
      expect(client.status.state, 'at 2000 ms, not the default 5000').to.equal('reconnecting');
      el.setAttribute('probe-timeout', '0'); // not usable: warns and the default is in force
      expect(el.probeTimeout).to.equal(5000);
    });

    it('after max-reconnect-attempts failed tries: "Offline" with "Retry now", which reconnects', async () => {
      const fake = await fakeConnection();
      let sockets = 0;
      const options = {
        ...fake.options,
        socketFactory: (url: string) => ((sockets += 1), fake.server.socketFactory(url)),
      };
      const provider = await fixture<CrmRealtimeProvider>(
        html`<crm-realtime-provider
          url="fake://x"
          max-reconnect-attempts="3"
          .clientOptions=${options}
          ><crm-connection-status></crm-connection-status
        ></crm-realtime-provider>`,
      );
      const status = provider.querySelector('crm-connection-status')!;
      await fake.clock.flush();
      await status.updateComplete;
      expect(shown(status)).to.equal('Connected');
      sockets = 0;
      fake.server.refuseConnections(true);
      fake.server.dropConnections();
      await fake.clock.advance(10 * 60_000);
      await status.updateComplete;
      expect(sockets, 'three tries, then no more').to.equal(3);
      expect(provider.client!.status.state).to.equal('offline');
      expect(shown(status)).to.equal('Offline');
      const retry = status.shadowRoot!.querySelector<HTMLButtonElement>('[part~="retry"]');
      expect(retry?.textContent?.trim()).to.equal('Retry now');
      fake.server.refuseConnections(false);
      retry!.click();
      await fake.clock.flush();
      await status.updateComplete;
      expect(shown(status)).to.equal('Connected');
      expect(status.shadowRoot!.querySelector('[part~="retry"]')).to.equal(null);
    });

    it('maps kebab-case attributes to properties', async () => {
      const el = await fixture<CrmRealtimeProvider>(
        html`<crm-realtime-provider
          reconnect-interval="250"
          max-reconnect-attempts="3"
          heartbeat-interval="5000"
          probe-timeout="8000"
        ></crm-realtime-provider>`,
      );
      expect(el.probeTimeout).to.equal(8000);
      expect(el.reconnectInterval).to.equal(250);
      expect(el.maxReconnectAttempts).to.equal(3);
      expect(el.heartbeatInterval).to.equal(5000);
    });

    it('gives the configured reconnect interval to the client it creates', async () => {
      const fake = await fakeConnection();
      const el = await fixture<CrmRealtimeProvider>(
        html`<crm-realtime-provider
          url="fake://x"
          reconnect-interval="400"
          .clientOptions=${fake.options}
        ></crm-realtime-provider>`,
      );
      await fake.clock.flush();
      expect(el.client!.status.state).to.equal('open');
      fake.server.refuseConnections(true);
      fake.server.dropConnections();
      await fake.clock.flush();
      const status = el.client!.status;
      expect(status.state).to.equal('reconnecting');
      // random() = 0.5 of a first ceiling of 400 ms: the attribute reached the backoff.
      if (status.state === 'reconnecting') {
        expect(status.nextRetryAt - fake.clock.now()).to.equal(200);
      }
    });

    it('asks getToken on every connect and uses a replaced one without reconnecting', async () => {
      const fake = await fakeConnection({ server: { users: [{ id: 'ada', name: 'Ada' }] } });
      const asked: string[] = [];
      const el = await fixture<CrmRealtimeProvider>(
        html`<crm-realtime-provider
          url="fake://x"
          .clientOptions=${{ ...fake.options, devUser: undefined }}
          .getToken=${() => (asked.push('first'), fakeToken('ada'))}
        ></crm-realtime-provider>`,
      );
      const client = el.client!;
      await fake.clock.flush();
      expect(asked).to.deep.equal(['first']);
      el.getToken = () => (asked.push('second'), fakeToken('ada'));
      await el.updateComplete;
      expect(el.client).to.equal(client, 'a new token source keeps the connection');
      fake.server.dropConnections();
      await fake.clock.advance(2000);
      expect(asked).to.deep.equal(['first', 'second']);
      const hellos = fake.server.received('hello');
      expect(hellos.at(-1)?.token).to.equal(fakeToken('ada'));
    });
  });

  describe('connection state', () => {
    it('reads the state of its connection and announces each change, for a page badge', async () => {
      const fake = await fakeConnection();
      const seen: string[] = [];
      const el = await fixture<CrmRealtimeProvider>(
        html`<crm-realtime-provider
          @crm-connection-status-change=${(e: CrmConnectionStatusChangeEvent) => {
            if (e.target === e.currentTarget) seen.push(`${e.previousState}→${e.state}`);
          }}
        ></crm-realtime-provider>`,
      );
      expect(el.state).to.equal('unavailable');
      el.clientOptions = fake.options;
      el.url = 'fake://x';
      await el.updateComplete;
      await fake.clock.flush();
      expect(el.state).to.equal('open');
      fake.environment.setOnline(false);
      expect(el.state).to.equal('offline');
      fake.environment.setOnline(true);
      await fake.clock.flush();
      expect(seen).to.deep.equal([
        'unavailable→connecting',
        'connecting→open',
        'open→offline',
        'offline→connecting',
        'connecting→open',
      ]);
      // Once per change of state: the countdown ticks of a wait are not changes.
      seen.length = 0;
      fake.server.refuseConnections(true);
      fake.server.dropConnections();
      await fake.clock.flush();
      await fake.clock.advance(400); // less than the first wait: no attempt yet
      expect(seen).to.deep.equal(['open→reconnecting']);
      el.remove();
      await fake.clock.flush();
      expect(seen.at(-1)).to.match(/→unavailable$/);
    });
  });

  describe('providing', () => {
    it('provides its own client to widgets inside, once in the document with a url', async () => {
      const fake = await fakeConnection();
      const el = await fixture<CrmRealtimeProvider>(
        html`<crm-realtime-provider url="fake://x" .clientOptions=${fake.options}>
          <header><crm-connection-status></crm-connection-status></header>
        </crm-realtime-provider>`,
      );
      const status = el.querySelector('crm-connection-status')!;
      expect(el.client).to.exist;
      expect(el.ownsClient).to.equal(true);
      await fake.clock.flush();
      await settle(status);
      expect(status.state).to.equal('open');
      expect(shown(status)).to.equal('Connected');
    });

    it('provides a given client and reaches widgets inside shadow roots', async () => {
      const fake = await fakeConnection();
      const host = document.createElement('div');
      host.attachShadow({ mode: 'open' }).innerHTML =
        '<crm-connection-status></crm-connection-status>';
      const el = await fixture<CrmRealtimeProvider>(
        html`<crm-realtime-provider .client=${fake.client}>${host}</crm-realtime-provider>`,
      );
      const status = host.shadowRoot!.querySelector('crm-connection-status')!;
      await settle(status);
      expect(el.client).to.equal(fake.client);
      expect(el.ownsClient).to.equal(false);
      expect(status.state).to.equal('open');
    });

    it('the nearest provider wins', async () => {
      const outer = await fakeConnection();
      const inner = await fakeConnection({ open: false });
      const el = await fixture<CrmRealtimeProvider>(
        html`<crm-realtime-provider .client=${outer.client}>
          <crm-connection-status id="outer"></crm-connection-status>
          <crm-realtime-provider .client=${inner.client}>
            <crm-connection-status id="inner"></crm-connection-status>
          </crm-realtime-provider>
        </crm-realtime-provider>`,
      );
      const [a, b] = ['#outer', '#inner'].map((s) => el.querySelector(s)!) as [
        CrmConnectionStatus,
        CrmConnectionStatus,
      ];
      await settle(a, b);
      expect(a.state).to.equal('open');
      expect(b.state).to.equal('connecting');
    });

    it('uses the well-known context key, so another copy of the kit still matches', () => {
      expect(realtimeClientContext).to.equal(Symbol.for('crm-realtime/client'));
    });
  });

  describe('owning and closing', () => {
    it('closes the client it created when removed, and makes a new one when re-added', async () => {
      const fake = await fakeConnection();
      const el = await fixture<CrmRealtimeProvider>(
        html`<crm-realtime-provider url="fake://x" .clientOptions=${fake.options}>
        </crm-realtime-provider>`,
      );
      const first = el.client!;
      await fake.clock.flush();
      expect(fake.server.connections).to.be.greaterThan(0);
      const parent = el.parentElement!;
      el.remove();
      await Promise.resolve();
      expect(first.status.state).to.equal('closed');
      expect(el.client).to.equal(undefined);
      parent.append(el);
      expect(el.client, 'made in the next update, after what the page sets in this task').to.equal(
        undefined,
      );
      await el.updateComplete;
      const second = el.client!;
      expect(second).to.exist.and.not.equal(first);
      await fake.clock.flush();
      expect(second.status.state).to.equal('open');
    });

    it('keeps its client when moved within the page in one task', async () => {
      const fake = await fakeConnection();
      const wrap = await fixture<HTMLDivElement>(
        html`<div>
          <section id="a">
            <crm-realtime-provider url="fake://x" .clientOptions=${fake.options}>
            </crm-realtime-provider>
          </section>
          <section id="b"></section>
        </div>`,
      );
      const el = wrap.querySelector('crm-realtime-provider')!;
      const client = el.client!;
      wrap.querySelector('#b')!.append(el);
      await Promise.resolve();
      expect(el.client).to.equal(client);
      expect(client.status.state).not.to.equal('closed');
    });

    it('never closes a client it was given', async () => {
      const fake = await fakeConnection();
      const el = await fixture<CrmRealtimeProvider>(
        html`<crm-realtime-provider .client=${fake.client}></crm-realtime-provider>`,
      );
      el.remove();
      await Promise.resolve();
      expect(fake.client.status.state).to.equal('open');
    });

    it('closes its own client when given one, and when the url changes', async () => {
      const fake = await fakeConnection();
      const el = await fixture<CrmRealtimeProvider>(
        html`<crm-realtime-provider url="fake://a" .clientOptions=${fake.options}>
        </crm-realtime-provider>`,
      );
      const first = el.client!;
      el.url = 'fake://b';
      await el.updateComplete;
      const second = el.client!;
      expect(first.status.state).to.equal('closed');
      expect(second).not.to.equal(first);
      el.client = fake.client;
      expect(second.status.state).to.equal('closed');
      expect(el.client).to.equal(fake.client);
    });

    it('keeps its client when a re-render passes equal options in new objects', async () => {
      const fake = await fakeConnection();
      const el = await fixture<CrmRealtimeProvider>(
        html`<crm-realtime-provider
          url="fake://a"
          .clientOptions=${{ ...fake.options }}
          .devUser=${{ id: 'u-1', name: 'Ada' }}
        ></crm-realtime-provider>`,
      );
      const client = el.client!;
      el.clientOptions = { ...fake.options };
      el.devUser = { id: 'u-1', name: 'Ada' };
      await el.updateComplete;
      expect(el.client).to.equal(client);
      el.devUser = { id: 'u-2', name: 'Grace' };
      await el.updateComplete;
      expect(el.client, 'another identity reconnects').not.to.equal(client);
      expect(client.status.state).to.equal('closed');
    });
  });

  describe('definition order', () => {
    it('a widget upgraded before the provider class is defined still gets the client', async () => {
      const fake = await fakeConnection();
      const providerTag = uniqueTag('late-provider');
      const statusTag = uniqueTag('early-status');
      const warnings = recordWarnings();
      resetNoProviderWarning();
      try {
        const root = await fixture<HTMLDivElement>(html`<div></div>`);
        const provider = document.createElement(providerTag) as CrmRealtimeProvider;
        // Set before the class exists, as a page script might.
        provider.client = fake.client;
        const status = document.createElement(statusTag) as CrmConnectionStatus;
        provider.append(status);
        root.append(provider);

        customElements.define(statusTag, class extends CrmConnectionStatus {});
        await settle(status);
        expect(status.state).to.equal('unavailable');

        customElements.define(providerTag, class extends CrmRealtimeProvider {});
        await settle(status);
        expect(status.state).to.equal('open');
        expect(shown(status)).to.equal('Connected');
        await aTimeout(0);
        await aTimeout(0);
        expect(warnings.messages, 'no false alarm for a late provider').to.deep.equal([]);
      } finally {
        warnings.restore();
      }
    });

    it('a provider defined before the widget works as usual', async () => {
      const fake = await fakeConnection();
      const providerTag = uniqueTag('early-provider');
      const statusTag = uniqueTag('late-status');
      customElements.define(providerTag, class extends CrmRealtimeProvider {});
      const root = await fixture<HTMLDivElement>(html`<div></div>`);
      const provider = document.createElement(providerTag) as CrmRealtimeProvider;
      provider.client = fake.client;
      const status = document.createElement(statusTag) as CrmConnectionStatus;
      provider.append(status);
      root.append(provider);
      customElements.define(statusTag, class extends CrmConnectionStatus {});
      await settle(status);
      expect(status.state).to.equal('open');
    });
  });

  describe('registration', () => {
    it('is a no-op for the same class and warns, without throwing, for another class', () => {
      const warnings = recordWarnings();
      try {
        expect(() => defineElement('crm-realtime-provider', CrmRealtimeProvider)).not.to.throw();
        expect(warnings.messages).to.deep.equal([]);
        expect(() =>
          defineElement('crm-realtime-provider', class extends CrmRealtimeProvider {}),
        ).not.to.throw();
        expect(warnings.messages).to.have.length(1);
        expect(warnings.messages[0]).to.contain('<crm-realtime-provider> is already defined');
        expect(customElements.get('crm-realtime-provider')).to.equal(CrmRealtimeProvider);
      } finally {
        warnings.restore();
      }
    });
  });
});

describe('attachRealtimeProvider (script API)', () => {
  it('gives widgets anywhere in the body the client, including ones already there', async () => {
    const fake = await fakeConnection();
    const [early] = await Promise.all([
      fixture<CrmConnectionStatus>(html`<crm-connection-status></crm-connection-status>`),
    ]);
    expect(early.state).to.equal('unavailable');
    const attached = attachRealtimeProvider(document.body, { client: fake.client });
    try {
      await settle(early);
      expect(early.state).to.equal('open');
      const later = await fixture<CrmConnectionStatus>(
        html`<aside><crm-connection-status></crm-connection-status></aside>`,
      ).then((aside) => aside.querySelector('crm-connection-status')!);
      await settle(later);
      expect(later.state).to.equal('open');
    } finally {
      attached.detach();
    }
    await settle(early);
    expect(early.state, 'detached: not connected any more').to.equal('unavailable');
    expect(fake.client.status.state, 'a given client stays open').to.equal('open');
  });

  it('creates a client from options, defaulting to document.body, and closes it on detach', async () => {
    const fake = await fakeConnection();
    const attached = attachRealtimeProvider({ url: 'fake://x', ...fake.options });
    expect(attached.target).to.equal(document.body);
    await fake.clock.flush();
    const status = await fixture<CrmConnectionStatus>(
      html`<crm-connection-status></crm-connection-status>`,
    );
    expect(status.state).to.equal('open');
    attached.detach();
    attached.detach();
    expect(attached.client.status.state).to.equal('closed');
  });

  it('lets an element provider inside the body take over its subtree', async () => {
    const outer = await fakeConnection();
    const inner = await fakeConnection({ open: false });
    const attached = attachRealtimeProvider(document.body, { client: outer.client });
    try {
      const el = await fixture<CrmRealtimeProvider>(
        html`<crm-realtime-provider .client=${inner.client}>
          <crm-connection-status></crm-connection-status>
        </crm-realtime-provider>`,
      );
      const status = el.querySelector('crm-connection-status')!;
      await settle(status);
      expect(status.state).to.equal('connecting');
    } finally {
      attached.detach();
    }
  });

  it('hands widgets back to a provider further up on detach', async () => {
    const outer = await fakeConnection();
    const inner = await fakeConnection({ open: false });
    const wrap = await fixture<HTMLDivElement>(
      html`<div>
        <section><crm-connection-status></crm-connection-status></section>
      </div>`,
    );
    const outerAttached = attachRealtimeProvider(document.body, { client: outer.client });
    const innerAttached = attachRealtimeProvider(wrap.querySelector('section')!, {
      client: inner.client,
    });
    const status = wrap.querySelector('crm-connection-status')!;
    try {
      await settle(status);
      expect(status.state).to.equal('connecting');
      innerAttached.detach();
      await settle(status);
      expect(status.state).to.equal('open');
    } finally {
      outerAttached.detach();
    }
  });
});

describe('without any provider', () => {
  it('shows "not connected" in every widget and warns exactly once per page', async () => {
    resetNoProviderWarning();
    const warnings = recordWarnings();
    try {
      const wrap = await fixture<HTMLDivElement>(
        html`<div>
          <crm-connection-status></crm-connection-status>
          <crm-connection-status></crm-connection-status>
          <crm-connection-status compact></crm-connection-status>
        </div>`,
      );
      const all = [...wrap.querySelectorAll('crm-connection-status')];
      await settle(...all);
      for (const el of all) expect(el.state).to.equal('unavailable');
      expect(shown(all[0]!)).to.equal('Not connected');
      await waitUntil(() => warnings.messages.length > 0, 'a warning is logged');
      // More widgets later on the same page do not warn again.
      const more = await fixture<CrmConnectionStatus>(
        html`<crm-connection-status></crm-connection-status>`,
      );
      await aTimeout(0);
      await aTimeout(0);
      expect(more.state).to.equal('unavailable');
      expect(warnings.messages).to.have.length(1);
      expect(warnings.messages[0]).to.contain('found no <crm-realtime-provider>');
    } finally {
      warnings.restore();
    }
  });
});
