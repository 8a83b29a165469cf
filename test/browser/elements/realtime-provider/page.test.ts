/**
 * The provider in a page: it connects once, with what the page's own scripts set. A legacy page
 * (the README's quick start, loaded in a frame as a browser parses it) and a page's script that
 * creates a provider and configures it in the same task both make exactly one handshake.
 */
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import type { SocketFactory } from '../../../../src/client/types.js';
import type { CrmRealtimeProvider } from '../../../../src/elements/realtime-provider/crm-realtime-provider.js';
import '../../../../src/elements/realtime-provider/define.js';
import type { CrmConnectionStatusChangeEvent } from '../../../../src/events/connection-status-change.js';
import { DEMO_USER, FakeServer, ManualClock, fakeToken } from '../../../../src/testing/index.js';
import { closeFakeConnections, fakeConnection } from '../../helpers/fake-connection.js';

afterEach(() => closeFakeConnections());

/** The ```html blocks of the README's legacy quick start, as written there. */
async function quickStartBlocks(): Promise<string[]> {
  const readme = await (await fetch('/README.md')).text();
  const section = readme.split(/^## /m).find((s) => s.startsWith('Quick start: a legacy page'));
  expect(section, 'the README has a legacy quick start').to.exist;
  return [...section!.matchAll(/```html\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

/** A fake server and a socket factory that counts the sockets a page opens on it. */
function countingServer(options: ConstructorParameters<typeof FakeServer>[0] = {}) {
  const server = new FakeServer({ clock: new ManualClock(), ...options });
  const sockets: string[] = [];
  const socketFactory: SocketFactory = (url) => {
    sockets.push(url);
    return server.socketFactory(url);
  };
  return { server, sockets, socketFactory };
}

/**
 * Load `page` in a frame, as a browser parses it. Its sockets reach `socketFactory` (the frame's
 * `WebSocket` is swapped before anything else runs: the one seam), and the provider's status
 * events are recorded from the first one.
 */
async function loadInFrame(page: string, socketFactory: SocketFactory) {
  const states: string[] = [];
  const seams = window as unknown as Record<string, unknown>;
  seams['__pageSocket'] = function PageSocket(url: string) {
    return socketFactory(url);
  };
  seams['__pageStates'] = states;
  const frame = document.createElement('iframe');
  frame.srcdoc = `<!doctype html><html><head><script>
      window.WebSocket = parent.__pageSocket;
      document.addEventListener('crm-connection-status-change', (e) => {
        if (e.target.localName === 'crm-realtime-provider') parent.__pageStates.push(e.state);
      }, true);
    </script></head><body>${page}</body></html>`;
  document.body.append(frame);
  cleanups.push(() => frame.remove());
  return { frame, states };
}

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

describe('<crm-realtime-provider> in a legacy page', () => {
  it("makes one handshake with the identity the README's later script sets", async () => {
    const page = (await quickStartBlocks()).find((b) => b.includes('provider.devUser'));
    expect(page, 'the quick start shows a page that sets devUser in a later script').to.exist;
    const { server, sockets, socketFactory } = countingServer();
    // The README's page, literally; only the kit comes from the sources instead of dist/kit/.
    const { states } = await loadInFrame(
      page!.replaceAll('/kit/define.js', '/src/define.ts'),
      socketFactory,
    );

    await waitUntil(() => states.includes('open'), 'the page connects', { timeout: 20_000 });
    const hellos = server.received('hello');
    expect(sockets, 'one socket').to.have.length(1);
    expect(hellos, 'one handshake').to.have.length(1);
    expect(hellos[0]!.devUser?.id, 'the first handshake already claims the identity').to.equal(
      'ada',
    );
    expect(server.sent('error'), 'nothing refused').to.deep.equal([]);
    expect(states, 'one status sequence, no reconnect').to.deep.equal(['connecting', 'open']);
  });

  it('makes one handshake with the token a later script provides through getToken', async () => {
    const { server, sockets, socketFactory } = countingServer({
      users: [{ id: 'ben', name: 'Ben' }],
      allowDevUsers: false,
    });
    const seams = window as unknown as Record<string, unknown>;
    seams['__pageToken'] = fakeToken('ben');
    const { states } = await loadInFrame(
      `<script type="module" src="/src/define.ts"></script>
      <crm-realtime-provider url="wss://crm.example.com/realtime">
        <crm-connection-status></crm-connection-status>
      </crm-realtime-provider>
      <script type="module">
        const provider = document.querySelector('crm-realtime-provider');
        provider.getToken = async () => parent.__pageToken;
      </script>`,
      socketFactory,
    );

    await waitUntil(() => states.includes('open'), 'the page connects', { timeout: 20_000 });
    expect(sockets).to.have.length(1);
    expect(server.received('hello').map((h) => h.token)).to.deep.equal([fakeToken('ben')]);
    expect(states).to.deep.equal(['connecting', 'open']);
  });
});

describe('<crm-realtime-provider> created by script', () => {
  it('coalesces what the script sets in the same task into one connection', async () => {
    const fake = await fakeConnection();
    let sockets = 0;
    const states: string[] = [];
    const wrap = await fixture<HTMLDivElement>(html`<div></div>`);
    const el = document.createElement('crm-realtime-provider');
    el.addEventListener('crm-connection-status-change', (e: CrmConnectionStatusChangeEvent) => {
      if (e.target === el) states.push(e.state);
    });
    el.setAttribute('url', 'fake://x');
    const { devUser: _none, ...options } = fake.options;
    el.clientOptions = {
      ...options,
      socketFactory: (url) => {
        sockets += 1;
        return fake.server.socketFactory(url);
      },
    };
    wrap.append(el);
    // Set after insertion, in the same task: the connection must start with them.
    el.devUser = { id: 'cleo', name: 'Cleo' };
    el.reconnectInterval = 250;
    await el.updateComplete;
    await fake.clock.flush();

    expect(sockets, 'one socket').to.equal(1);
    const hellos = fake.server.received('hello');
    expect(hellos.map((h) => h.devUser?.id)).to.deep.equal([DEMO_USER.id, 'cleo']);
    expect(states).to.deep.equal(['connecting', 'open']);
    expect((el as CrmRealtimeProvider).client!.status.state).to.equal('open');
  });
});
