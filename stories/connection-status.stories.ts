import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html, nothing, type TemplateResult } from 'lit';
import { fn } from 'storybook/test';
import {
  disposeAllStories,
  fakeBackend,
  storyScope,
  takeDown,
  track,
  type FakeBackend,
  type FakeState,
} from '../.storybook/fake-backend.js';
import type { ConnectionStatusMessages } from '../src/elements/connection-status/connection-status-messages.js';
import '../src/elements/connection-status/define.js';
import '../src/elements/realtime-provider/define.js';
import { flakyConnection } from '../src/testing/index.js';

interface Args {
  compact: boolean;
  lang: string;
  messages: Partial<ConnectionStatusMessages> | undefined;
  /** Seconds before the first retry, for the reconnecting stories. */
  retryAfter: number;
  onChange: (event: Event) => void;
}

const status = (args: Args) =>
  html`<crm-connection-status
    ?compact=${args.compact}
    lang=${args.lang || nothing}
    .messages=${args.messages}
    @crm-connection-status-change=${args.onChange}
  ></crm-connection-status>`;

/** A development identity the server refuses: avatars may only be https:, http: or data:image/. */
const refusedIdentity = { id: 'u-ivy', name: 'Ivy Chen', avatarUrl: 'javascript:alert(1)' };

/** The provider's `reconnect-interval` from the story's `retryAfter` (seconds). */
const retryAfter = (args: Args) => ({ reconnectInterval: args.retryAfter * 1000 });

/** One status element on a fake backend brought into `state`. */
const inState =
  (state: FakeState) =>
  (args: Args, { id }: { id: string }): TemplateResult => {
    storyScope(id);
    const backend = fakeBackend(state, retryAfter(args));
    return html`<crm-realtime-provider .client=${backend.client}>
      ${status(args)}
    </crm-realtime-provider>`;
  };

const meta: Meta<Args> = {
  title: 'Connection/Connection status',
  component: 'crm-connection-status',
  tags: ['autodocs'],
  beforeEach: () => disposeAllStories,
  argTypes: {
    compact: { control: 'boolean', description: 'Dot only; the state stays in the tooltip.' },
    lang: {
      control: 'select',
      options: ['', 'en', 'de', 'fr', 'ja', 'ar'],
      description: 'Language of numbers (the nearest `lang`); texts come from `messages`.',
    },
    messages: { control: 'object', description: 'Replacements for the built-in texts.' },
    retryAfter: {
      control: { type: 'range', min: 2, max: 30, step: 1 },
      description: 'Seconds before the first retry (the provider’s `reconnect-interval`).',
    },
    onChange: { table: { disable: true } },
  },
  args: {
    compact: false,
    lang: '',
    messages: undefined,
    retryAfter: 15,
    onChange: fn(),
  },
};
export default meta;

type Story = StoryObj<Args>;

/** All is well: a quiet dot and label that do not compete with the page. */
export const Connected: Story = { render: inState('open') };

/** The first connection is being made (here: the server never answers). */
export const Connecting: Story = { render: inState('connecting') };

/**
 * The server is unreachable: a live countdown to the next try and a "Retry now" button.
 * Pressing it tries at once (and, with the server still down, counts down again).
 */
export const Reconnecting: Story = { render: inState('reconnecting') };

/** The browser reports no network; the client retries the moment it comes back. */
export const Offline: Story = { render: inState('offline') };

/** The page closed the connection. */
export const Closed: Story = { render: inState('closed') };

/**
 * The server refused the sign-in for good (here: a development identity whose avatar is a
 * `javascript:` URL): the reason in words, and "Retry now" for after the cause is fixed, instead
 * of "Connecting…" for ever.
 */
export const SignInRefused: Story = {
  render: (args, { id }) => {
    storyScope(id);
    const backend = fakeBackend('open', { devUser: refusedIdentity });
    return html`<crm-realtime-provider .client=${backend.client}>
      ${status(args)}
    </crm-realtime-provider>`;
  },
};

/** No provider on the page: a clear, visible state instead of an error (and one warning). */
export const NotConnected: Story = {
  render: (args, { id }) => {
    storyScope(id);
    return status(args);
  },
};

/** Compact: the dot alone, for tight headers; the state is in the tooltip and for screen readers. */
export const Compact: Story = { args: { compact: true }, render: inState('reconnecting') };

/**
 * A flaky network: every 8 s the connection drops and the server refuses connections for 3 s.
 * The label follows; screen readers hear "reconnecting" and "connected", not every attempt.
 */
export const FlakyConnection: Story = {
  args: { retryAfter: 2 },
  render: (args, { id }) => {
    storyScope(id);
    const backend = fakeBackend('open', { reconnectInterval: args.retryAfter * 1000 });
    track(flakyConnection(backend.server, { everyMs: 8000, downMs: 3000 }));
    return html`<crm-realtime-provider .client=${backend.client}>
      ${status(args)}
    </crm-realtime-provider>`;
  },
};

/** Each row: its name and the backend that brings the element there (none: no provider). */
const STATES: readonly [string, ((args: Args) => FakeBackend) | undefined][] = [
  ['Connected', () => fakeBackend('open')],
  ['Connecting', () => fakeBackend('connecting')],
  ['Reconnecting', (args) => fakeBackend('reconnecting', retryAfter(args))],
  ['Offline', () => fakeBackend('offline')],
  // `maxReconnectAttempts` ran out: nothing more on a timer, "Retry now" tries again.
  ['Offline · Retry now', () => fakeBackend('reconnecting', { maxReconnectAttempts: 0 })],
  ['Closed', () => fakeBackend('closed')],
  ['Sign-in refused', () => fakeBackend('open', { devUser: refusedIdentity })],
  ['No provider', undefined],
];

/** Every state side by side, full and compact: the sheet a designer reviews. */
export const AllStates: Story = {
  parameters: { layout: 'padded' },
  render: (args, { id }) => {
    storyScope(id);
    const row = ([name, backendFor]: (typeof STATES)[number]) => {
      const cell = (compact: boolean) => {
        const el = status({ ...args, compact });
        if (!backendFor) return el;
        return html`<crm-realtime-provider .client=${backendFor(args).client}
          >${el}</crm-realtime-provider
        >`;
      };
      return html`<tr>
        <th scope="row">${name}</th>
        <td>${cell(false)}</td>
        <td>${cell(true)}</td>
      </tr>`;
    };
    return html`<style>
        .sheet {
          border-collapse: separate;
          border-spacing: 0;
          font: 0.8125rem/1.4 var(--crm-font-family);
          color: var(--crm-color-text);
          background: var(--crm-color-surface);
          border: 1px solid var(--crm-color-border);
          border-radius: var(--crm-radius-l);
          box-shadow: var(--crm-shadow-s);
          overflow: hidden;
        }
        /* On a phone the sheet scrolls sideways inside the screen instead of widening the page. */
        @media (max-width: 40rem) {
          .sheet {
            display: block;
            max-inline-size: 100%;
            overflow-x: auto;
          }
        }
        .sheet th,
        .sheet td {
          padding: 0.75rem 1.25rem;
          text-align: start;
          border-block-end: 1px solid var(--crm-color-border);
        }
        .sheet tr:last-child > * {
          border-block-end: 0;
        }
        .sheet thead th {
          font-size: 0.6875rem;
          font-weight: 600;
          letter-spacing: 0.06em;
          text-transform: uppercase;
          color: var(--crm-color-text-muted);
          background: var(--crm-color-surface-sunken);
        }
        .sheet tbody th {
          font-weight: 500;
          min-inline-size: 8rem;
        }
        .sheet td {
          min-inline-size: 14rem;
        }
      </style>
      <table class="sheet">
        <thead>
          <tr>
            <th scope="col">State</th>
            <th scope="col">Default</th>
            <th scope="col">Compact</th>
          </tr>
        </thead>
        <tbody>
          ${STATES.map(row)}
        </tbody>
      </table>`;
  },
};

/**
 * Where it lives: the end of a CRM header, next to the user menu. Use the buttons to take the
 * server down and bring it back.
 */
export const InAHeader: Story = {
  parameters: { layout: 'fullscreen' },
  args: { retryAfter: 5 },
  render: (args, { id }) => {
    storyScope(id);
    const backend = fakeBackend('open', { reconnectInterval: args.retryAfter * 1000 });
    const down = () => takeDown(backend);
    const up = () => {
      backend.server.refuseConnections(false);
      backend.client.retryNow();
    };
    return html`<style>
        .app-header {
          display: flex;
          align-items: center;
          gap: 1rem;
          padding: 0.625rem 1.25rem;
          background: var(--crm-color-surface);
          border-block-end: 1px solid var(--crm-color-border);
          font-family: var(--crm-font-family);
          color: var(--crm-color-text);
        }
        .brand {
          display: flex;
          white-space: nowrap;
          align-items: center;
          gap: 0.5rem;
          font-weight: 600;
          font-size: 0.9375rem;
        }
        .brand-mark {
          inline-size: 1.5rem;
          block-size: 1.5rem;
          border-radius: 0.375rem;
          background: linear-gradient(135deg, var(--crm-color-accent), #7c3aed);
        }
        /* On a phone the links scroll sideways instead of pushing the status off the page. */
        .nav {
          display: flex;
          gap: 0.25rem;
          min-inline-size: 0;
          overflow-x: auto;
          font-size: 0.875rem;
        }
        .nav a {
          flex: none;
        }
        .nav a {
          padding: 0.375rem 0.625rem;
          border-radius: 0.375rem;
          color: var(--crm-color-text-muted);
          text-decoration: none;
        }
        .nav a[aria-current='page'] {
          color: var(--crm-color-text);
          background: var(--crm-color-surface-hover);
        }
        .spacer {
          flex: 1;
        }
        .me {
          flex: none;
          inline-size: 2rem;
          block-size: 2rem;
          border-radius: 50%;
          display: grid;
          place-items: center;
          font-size: 0.75rem;
          font-weight: 600;
          color: #fff;
          background: #2563eb;
        }
        .controls {
          display: flex;
          gap: 0.5rem;
          padding: 1.5rem 1.25rem;
          font-family: var(--crm-font-family);
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
      </style>
      <crm-realtime-provider .client=${backend.client}>
        <header class="app-header">
          <span class="brand"><span class="brand-mark" aria-hidden="true"></span>Meridian CRM</span>
          <nav class="nav" aria-label="Main">
            <a href="#" aria-current="page">Customers</a>
            <a href="#">Deals</a>
            <a href="#">Activities</a>
          </nav>
          <span class="spacer"></span>
          ${status(args)}
          <span class="me" aria-label="Alex Morgan">AM</span>
        </header>
      </crm-realtime-provider>
      <div class="controls">
        <button type="button" @click=${down}>Take the server down</button>
        <button type="button" @click=${up}>Bring it back</button>
      </div>`;
  },
};
