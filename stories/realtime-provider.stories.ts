import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html, nothing, type TemplateResult } from 'lit';
import { ref } from 'lit/directives/ref.js';
import { disposeAllStories, fakeBackend, storyScope, track } from '../.storybook/fake-backend.js';
import type { RealtimeClient } from '../src/client/realtime-client.js';
import '../src/elements/connection-status/define.js';
import { attachRealtimeProvider } from '../src/elements/realtime-provider/attach.js';
import '../src/elements/realtime-provider/define.js';
import { flakyConnection, type FakeServer } from '../src/testing/index.js';

interface Args {
  reconnectInterval: number;
  /** Unset: unlimited (the default). Not `Infinity`, which a number control cannot show. */
  maxReconnectAttempts: number | undefined;
  heartbeatInterval: number;
  flaky: boolean;
}

const meta: Meta<Args> = {
  title: 'Connection/Realtime provider',
  component: 'crm-realtime-provider',
  tags: ['autodocs'],
  beforeEach: () => disposeAllStories,
  parameters: { layout: 'padded' },
  argTypes: {
    reconnectInterval: {
      name: 'reconnect-interval',
      control: { type: 'number', min: 250, step: 250 },
      description: 'First retry delay in ms; doubles per failure with full jitter, up to 30 s.',
    },
    maxReconnectAttempts: {
      name: 'max-reconnect-attempts',
      control: { type: 'number', min: 0 },
      description: 'Attempts before giving up; unset: unlimited (the default).',
    },
    heartbeatInterval: {
      name: 'heartbeat-interval',
      control: { type: 'number', min: 1000, step: 1000 },
      description: 'Ping interval in ms.',
    },
    flaky: { control: 'boolean', description: 'Drop the connection every 8 s for 3 s.' },
  },
  args: {
    reconnectInterval: 1000,
    maxReconnectAttempts: undefined,
    heartbeatInterval: 30_000,
    flaky: false,
  },
};
export default meta;

type Story = StoryObj<Args>;

const styles = html`<style>
  .page {
    display: grid;
    grid-template-columns: 1fr 16rem;
    gap: 1rem;
    max-inline-size: 46rem;
    font-family: var(--crm-font-family);
    color: var(--crm-color-text);
  }
  /* Stacked on a phone: side by side, the cards pushed the page wider than the screen. */
  @media (max-width: 36rem) {
    .page {
      grid-template-columns: 1fr;
    }
  }
  .card {
    padding: 1rem 1.25rem;
    border: 1px solid var(--crm-color-border);
    border-radius: var(--crm-radius-l);
    background: var(--crm-color-surface);
    box-shadow: var(--crm-shadow-s);
  }
  .card h2,
  .card h3 {
    margin: 0;
    font-size: 0.9375rem;
    font-weight: 600;
  }
  .row {
    margin-block-end: 0.5rem;
    display: flex;
    align-items: center;
    justify-content: space-between;
    gap: 0.75rem;
  }
  .muted {
    margin: 0;
    color: var(--crm-color-text-muted);
    font-size: 0.8125rem;
  }
  .meter {
    font-variant-numeric: tabular-nums;
    font-weight: 600;
  }
  .controls {
    display: flex;
    gap: 0.5rem;
    margin-block-start: 1rem;
  }
  .controls button {
    font: inherit;
    font-size: 0.8125rem;
    padding: 0.375rem 0.75rem;
    border-radius: 0.375rem;
    border: 1px solid var(--crm-color-border-strong);
    background: var(--crm-color-surface);
    color: var(--crm-color-text);
    cursor: pointer;
  }
</style>`;

/** Shows how many sockets the fake server holds, live: many widgets, one connection. */
function connectionsMeter(server: FakeServer): TemplateResult {
  let timer: ReturnType<typeof setInterval> | undefined;
  return html`<span
    class="meter"
    ${ref((el) => {
      clearInterval(timer);
      if (!el) return;
      const paint = () => {
        if (!el.isConnected) return clearInterval(timer);
        el.textContent = String(server.connections);
      };
      paint();
      timer = setInterval(paint, 250);
    })}
  ></span>`;
}

function page(
  server: FakeServer,
  client: () => RealtimeClient | undefined,
  controls = true,
): TemplateResult {
  const down = () => {
    server.refuseConnections(true);
    server.dropConnections();
  };
  const up = () => {
    server.refuseConnections(false);
    client()?.retryNow();
  };
  return html`<div class="page">
      <section class="card">
        <div class="row">
          <h2>Acme Corporation</h2>
          <crm-connection-status></crm-connection-status>
        </div>
        <p class="muted">Customer since 2019 · Key account · Berlin</p>
      </section>
      <aside class="card">
        <div class="row">
          <h3>Sockets open</h3>
          ${connectionsMeter(server)}
        </div>
        <div class="row">
          <p class="muted">Sidebar widget</p>
          <crm-connection-status compact></crm-connection-status>
        </div>
      </aside>
    </div>
    ${
      controls
        ? html`<div class="controls">
            <button type="button" @click=${down}>Take the server down</button>
            <button type="button" @click=${up}>Bring it back</button>
          </div>`
        : nothing
    }`;
}

/**
 * The provider wraps the page; it creates one client from its `url` (here against the fake
 * server) and every widget inside shares it: two status widgets, one socket.
 */
export const WrappingWidgets: Story = {
  render: (args, { id }) => {
    storyScope(id);
    const backend = fakeBackend('open');
    backend.client.close(); // the provider makes its own client from `url` below
    if (args.flaky) track(flakyConnection(backend.server, { everyMs: 8000, downMs: 3000 }));
    let provider: HTMLElementTagNameMap['crm-realtime-provider'] | undefined;
    return html`${styles}
      <crm-realtime-provider
        url="fake://crm-realtime"
        reconnect-interval=${args.reconnectInterval}
        max-reconnect-attempts=${args.maxReconnectAttempts ?? nothing}
        heartbeat-interval=${args.heartbeatInterval}
        .clientOptions=${backend.options}
        .devUser=${{ id: 'u-you', name: 'Alex Morgan' }}
        ${ref((el) => (provider = el as typeof provider))}
      >
        ${page(backend.server, () => provider?.client)}
      </crm-realtime-provider>`;
  },
};

/**
 * A legacy page whose widgets cannot share one wrapper: `attachRealtimeProvider(target, …)` from
 * script. Here the target is the story's root; a page would use `document.body`.
 */
export const AttachedFromScript: Story = {
  render: (args, { id }) => {
    storyScope(id);
    const backend = fakeBackend('open', { reconnectInterval: args.reconnectInterval });
    if (args.flaky) track(flakyConnection(backend.server, { everyMs: 8000, downMs: 3000 }));
    let attached: ReturnType<typeof attachRealtimeProvider> | undefined;
    track({ stop: () => attached?.detach() });
    return html`${styles}
      <div
        ${ref((el) => {
          attached?.detach();
          attached = el
            ? attachRealtimeProvider(el as HTMLElement, { client: backend.client })
            : undefined;
        })}
      >
        ${page(backend.server, () => backend.client)}
      </div>`;
  },
};

/** A provider given a ready client (`.client = …`): it provides it and never closes it. */
export const GivenClient: Story = {
  render: (args, { id }) => {
    storyScope(id);
    const backend = fakeBackend('open', { reconnectInterval: args.reconnectInterval });
    if (args.flaky) track(flakyConnection(backend.server, { everyMs: 8000, downMs: 3000 }));
    return html`${styles}
      <crm-realtime-provider .client=${backend.client}>
        ${page(backend.server, () => backend.client)}
      </crm-realtime-provider>`;
  },
};

/** Widgets outside any provider: each shows "Not connected"; the console has one warning. */
export const WithoutProvider: Story = {
  render: (_args, { id }) => {
    storyScope(id);
    const backend = fakeBackend('closed');
    return html`${styles}${page(backend.server, () => undefined, false)}`;
  },
};
