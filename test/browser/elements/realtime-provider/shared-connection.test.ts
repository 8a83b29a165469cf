import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import type { CrmConnectionStatus } from '../../../../src/elements/connection-status/crm-connection-status.js';
import '../../../../src/elements/connection-status/define.js';
import type { CrmRealtimeProvider } from '../../../../src/elements/realtime-provider/crm-realtime-provider.js';
import '../../../../src/elements/realtime-provider/define.js';
import type { CrmConnectionStatusChangeEvent } from '../../../../src/events/connection-status-change.js';
import { DEMO_USER, FakeServer } from '../../../../src/testing/index.js';

/**
 * `shared-connection` loads the tabs' shared socket on demand (a page without it never downloads
 * it; `npm run size` checks that the presence page does not): the provider must still connect
 * through it, and only once it is loaded. Two providers of one page stand for two tabs: they reach
 * one hub over a `BroadcastChannel`, and the hub opens one socket to a fake server that answers
 * in real time (the hub keeps real timers), in place of the page's `WebSocket`.
 */
describe('<crm-realtime-provider shared-connection>', () => {
  let server: FakeServer;
  let sockets: string[];
  const realWebSocket = globalThis.WebSocket;

  beforeEach(() => {
    server = new FakeServer();
    sockets = [];
    globalThis.WebSocket = function (url: string) {
      sockets.push(url);
      return server.socketFactory(url);
    } as unknown as typeof WebSocket;
  });

  afterEach(() => {
    globalThis.WebSocket = realWebSocket;
  });

  it('connects both tabs through one socket once the shared connection is loaded', async () => {
    // Web Locks are per origin: a URL of its own keeps other test files' tabs out of this hub.
    const url = `fake://shared-${crypto.randomUUID()}`;
    const seen: string[] = [];
    const page = await fixture<HTMLElement>(html`
      <div>
        <crm-realtime-provider
          url=${url}
          shared-connection
          .devUser=${DEMO_USER}
          @crm-connection-status-change=${(e: CrmConnectionStatusChangeEvent) =>
            seen.push(`${e.previousState}→${e.state}`)}
        ></crm-realtime-provider>
        <crm-realtime-provider url=${url} shared-connection .devUser=${DEMO_USER}>
          <crm-connection-status></crm-connection-status>
        </crm-realtime-provider>
      </div>
    `);
    const [first, second] = [...page.querySelectorAll('crm-realtime-provider')] as [
      CrmRealtimeProvider,
      CrmRealtimeProvider,
    ];
    await first.updateComplete;
    await second.updateComplete;
    // `updateComplete` waits for the transport: the client exists, created with it.
    expect(first.client, 'a client once the shared connection is loaded').to.exist;
    expect(second.client).to.exist;

    await waitUntil(() => first.state === 'open' && second.state === 'open', 'both tabs open');
    expect(sockets, 'one socket for both tabs').to.deep.equal([url]);
    expect(seen[0], 'announced from no client to connecting').to.equal('unavailable→connecting');
    expect(seen.at(-1)).to.equal('connecting→open');
    const status = page.querySelector('crm-connection-status') as CrmConnectionStatus;
    await waitUntil(() => status.shadowRoot?.textContent?.includes('Connected'), 'status shown');

    // Presence still counts the tabs: each joins the room as its own member.
    const a = first.client!.presence('customer:shared');
    const b = second.client!.presence('customer:shared');
    try {
      await waitUntil(
        () => a.snapshot().people.find((p) => p.user.id === DEMO_USER.id)?.connections === 2,
        'one person with two tabs',
      );
    } finally {
      a.release();
      b.release();
    }
  });
});
