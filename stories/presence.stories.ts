import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html, nothing, type TemplateResult } from 'lit';
import { styleMap } from 'lit/directives/style-map.js';
import { fn } from 'storybook/test';
import {
  disposeAllStories,
  fakeBackend,
  storyScope,
  takeDown,
  track,
  type FakeBackend,
} from '../.storybook/fake-backend.js';
import { pageRoom } from '../src/controllers/index.js';
import type { PresencePosition } from '../src/elements/presence/crm-presence.js';
import '../src/elements/presence/define.js';
import type { PresenceMessages } from '../src/elements/presence/presence-messages.js';
import '../src/elements/realtime-provider/define.js';
import type { UserProfile } from '../src/protocol/index.js';
import {
  SAMPLE_PEOPLE,
  livelyRoom,
  populate,
  someoneEditing,
  type FakeServer,
} from '../src/testing/index.js';

interface Args {
  roomId: string;
  showCurrentUser: boolean;
  watch: boolean;
  maxVisible: number;
  position: PresencePosition | '';
  size: string;
  callable: boolean;
  lang: string;
  messages: Partial<PresenceMessages> | undefined;
  fieldLabels: Record<string, string> | undefined;
  onChange: (event: Event) => void;
}

const ROOM = 'customer:42';
const cast = (i: number): UserProfile => SAMPLE_PEOPLE[i % SAMPLE_PEOPLE.length]!;
const [amara, jonas, mei, rafael, priya, lukas, sofia, noah] = [0, 1, 2, 3, 4, 5, 6, 7].map(
  cast,
) as [
  UserProfile,
  UserProfile,
  UserProfile,
  UserProfile,
  UserProfile,
  UserProfile,
  UserProfile,
  UserProfile,
];

const presence = (args: Args) =>
  html`<crm-presence
    room-id=${args.roomId || nothing}
    ?show-current-user=${args.showCurrentUser}
    ?watch=${args.watch}
    max-visible=${args.maxVisible}
    position=${args.position || nothing}
    ?callable=${args.callable}
    lang=${args.lang || nothing}
    style=${styleMap({ '--crm-presence-size': args.size || undefined })}
    .messages=${args.messages ?? {}}
    .fieldLabels=${args.fieldLabels ?? {}}
    @crm-presence-change=${args.onChange}
  ></crm-presence>`;

/** The room the element follows with these args (the page's room when `room-id` is empty). */
const roomOf = (args: Args) => args.roomId || pageRoom();

/** A story on its own fake server: `setup` puts people in the room before the element joins. */
const story =
  (setup: (server: FakeServer, room: string, backend: FakeBackend) => void = () => {}) =>
  (args: Args, { id }: { id: string }): TemplateResult => {
    storyScope(id);
    const backend = fakeBackend('open');
    setup(backend.server, roomOf(args), backend);
    return html`<crm-realtime-provider .client=${backend.client}
      >${presence(args)}</crm-realtime-provider
    >`;
  };

/** Run `fn` after `ms` on real time, stopped with the story. */
function later(ms: number, fn: () => void): void {
  const handle = setTimeout(fn, ms);
  track({ stop: () => clearTimeout(handle) });
}

const meta: Meta<Args> = {
  title: 'Presence/Presence',
  component: 'crm-presence',
  tags: ['autodocs'],
  beforeEach: () => disposeAllStories,
  parameters: {
    docs: {
      description: {
        component:
          'Who is here: one avatar per person however many tabs they have, with their state, ' +
          'what they do and their tab count. Every story runs live against the in-memory fake ' +
          'server; hover or Tab to the avatars for the tooltips, open "+N" for everyone.',
      },
    },
  },
  argTypes: {
    roomId: {
      name: 'room-id',
      control: 'text',
      description: 'The room to show, e.g. `customer:42`. Empty: this page (`page:` + path).',
    },
    showCurrentUser: {
      name: 'show-current-user',
      control: 'boolean',
      description: 'Show your own avatar too, first in the row.',
    },
    watch: {
      control: 'boolean',
      description:
        "Show the room's people without announcing you there: for a widget per row of a list.",
    },
    maxVisible: {
      name: 'max-visible',
      control: { type: 'number', min: 1, max: 12, step: 1 },
      description: 'Avatars shown before the rest collapse into "+N".',
    },
    position: {
      control: 'select',
      options: ['', 'top-right', 'bottom-left', 'floating'],
      description: 'Fixed to a corner of the viewport, or floating; empty: inline.',
    },
    size: {
      name: '--crm-presence-size',
      control: 'select',
      options: ['', '1.5rem', '2rem', '2.5rem', '3rem'],
      description: 'Avatar diameter (a CSS custom property).',
    },
    callable: {
      control: 'boolean',
      description:
        'A "Start a call with the people here" button after the avatars (a round handset where its text does not fit).',
    },
    lang: {
      control: 'select',
      options: ['', 'en', 'de', 'fr', 'ja', 'ar'],
      description:
        'Language of lists and numbers (the nearest `lang`); texts come from `messages`.',
    },
    messages: { control: 'object', description: 'Replacements for the built-in texts.' },
    fieldLabels: {
      control: 'object',
      description:
        'Display names of the fields people edit, e.g. `{ "phone": "Mobile" }`; by default the CRM\'s form labels for the room\'s entity type.',
    },
    onChange: { table: { disable: true } },
  },
  args: {
    roomId: ROOM,
    showCurrentUser: false,
    watch: false,
    maxVisible: 5,
    position: '',
    size: '',
    callable: false,
    lang: '',
    messages: undefined,
    fieldLabels: undefined,
    onChange: fn(),
  },
};
export default meta;

type Story = StoryObj<Args>;

/** Nobody else is here: a quiet line, no empty frame. */
export const Alone: Story = { render: story() };

/** Three colleagues on the customer: pictures where they have one, initials otherwise. */
export const AFewPeople: Story = {
  render: story((server, room) => {
    for (const user of [amara, mei, rafael]) server.addPerson(room, user);
  }),
};

/** Twelve people: five avatars and "+7", which opens a list of everyone with state and tabs. */
export const Many: Story = {
  render: story((server, room) => populate(server, { room, count: 12 })),
};

/** Someone is away (idle, or their tab is hidden): a crescent on a muted avatar. */
export const SomeoneAway: Story = {
  render: story((server, room) => {
    server.addPerson(room, jonas);
    server.addPerson(room, mei, { status: 'away' });
    server.addPerson(room, priya);
  }),
};

/** Someone edits a field: a pencil, an accent ring, and the field in the tooltip. */
export const SomeoneEditing: Story = {
  render: story((server, room) => {
    server.addPerson(room, sofia, { activity: { kind: 'editing', field: 'phone' } });
    server.addPerson(room, lukas);
    track(someoneEditing(server, { room, user: lukas, field: 'email', afterMs: 1500 }));
  }),
};

/** One person with three tabs on two devices is still one avatar; the tooltip says "3 tabs". */
export const ThreeTabs: Story = {
  render: story((server, room) => {
    server.addPerson(room, noah, { connections: 3, devices: 2 });
    server.addPerson(room, amara);
  }),
};

/**
 * The connection drops a moment after joining: the people stay (drained of colour) and a quiet
 * "Reconnecting…" says why nothing moves. The fake server stays down.
 */
export const Reconnecting: Story = {
  render: story((server, room, backend) => {
    populate(server, { room, count: 4 });
    later(400, () => takeDown(backend));
  }),
};

/** Arrivals, an edit, someone going away and back: watch the animations, hear the batches. */
export const Live: Story = {
  render: story((server, room) => {
    server.addPerson(room, lukas);
    track(livelyRoom(server, { room }));
  }),
};

/**
 * `callable`: "Start a call with the people here" after the avatars, as tall as they are. In a
 * header too narrow for its text (below: a phone's, 320 px) it is a round handset, named by the
 * text and showing it as a tooltip, and the page does not scroll sideways.
 */
export const Callable: Story = {
  args: { callable: true },
  render: (args, { id }) => {
    storyScope(id);
    const backend = fakeBackend('open');
    const room = roomOf(args);
    for (const user of [amara, mei, rafael]) backend.server.addPerson(room, user);
    return html`<style>
        .call-sheet {
          display: grid;
          gap: 1.5rem;
          justify-items: start;
          font-family: var(--crm-font-family);
          color: var(--crm-color-text);
        }
        .call-sheet header {
          display: flex;
          align-items: center;
          gap: 0.75rem;
          box-sizing: border-box;
          inline-size: 320px;
          padding: 0.5rem 0.75rem;
          background: var(--crm-color-surface);
          border: 1px solid var(--crm-color-border);
          border-radius: var(--crm-radius-m);
        }
        .call-sheet strong {
          white-space: nowrap;
        }
      </style>
      <crm-realtime-provider .client=${backend.client}>
        <div class="call-sheet">
          ${presence(args)}
          <header><strong>Acme Corp</strong>${presence(args)}</header>
        </div>
      </crm-realtime-provider>`;
  },
};

/** Your own avatar first, marked "You" in the tooltip and the list. */
export const WithCurrentUser: Story = {
  args: { showCurrentUser: true },
  render: story((server, room) => {
    server.addPerson(room, amara);
    server.addPerson(room, jonas, { status: 'away' });
  }),
};

/**
 * A customer list with a widget per row that watches (`watch`): each row shows who is on that
 * customer, and nobody on those customers sees you there. A row with nobody shows nothing.
 */
export const ListRows: Story = {
  args: { watch: true, maxVisible: 3 },
  render: (args, { id }) => {
    storyScope(id);
    const backend = fakeBackend('open');
    const rows: [string, string, UserProfile[]][] = [
      ['customer:41', 'Acme Corp', [amara, mei]],
      ['customer:42', 'Globex', []],
      ['customer:43', 'Initech', [rafael, priya, lukas, sofia]],
    ];
    for (const [room, , people] of rows)
      for (const user of people) backend.server.addPerson(room, user);
    return html`<crm-realtime-provider .client=${backend.client}>
      <table>
        ${rows.map(
          ([room, name]) =>
            html`<tr>
              <th scope="row" style="text-align: start; padding-inline-end: 1rem">${name}</th>
              <td>${presence({ ...args, roomId: room })}</td>
            </tr>`,
        )}
      </table>
    </crm-realtime-provider>`;
  },
};

/** `room-id` empty: who is on this page (`page:` + path), as on a customer list. */
export const PagePresence: Story = {
  args: { roomId: '' },
  render: story((server, room) => {
    for (const user of [priya, rafael]) server.addPerson(room, user);
  }),
};

/** No provider on the page: a visible, quiet state instead of an error (and one warning). */
export const NotConnected: Story = {
  render: (args, { id }) => {
    storyScope(id);
    return presence(args);
  },
};

/** The fixed positions over a page: `top-right`, `bottom-left` and `floating`. */
export const Positions: Story = {
  parameters: { layout: 'fullscreen' },
  render: (args, { id }) => {
    storyScope(id);
    const backend = fakeBackend('open');
    populate(backend.server, { room: 'customer:1', count: 3 });
    populate(backend.server, { room: 'customer:2', count: 9 });
    backend.server.addPerson('customer:3', sofia, {
      activity: { kind: 'editing', field: 'notes' },
    });
    backend.server.addPerson('customer:3', mei, { status: 'away' });
    return html`<div style="min-height: 100vh">
      <crm-realtime-provider .client=${backend.client}>
        ${presence({ ...args, roomId: 'customer:1', position: 'top-right' })}
        ${presence({ ...args, roomId: 'customer:2', position: 'bottom-left', maxVisible: 4 })}
        ${presence({ ...args, roomId: 'customer:3', position: 'floating' })}
      </crm-realtime-provider>
    </div>`;
  },
};

/** Every state side by side: the sheet a designer reviews (switch the theme in the toolbar). */
export const AllStates: Story = {
  parameters: { layout: 'padded' },
  render: (args, { id }) => {
    storyScope(id);
    const rows: [string, (server: FakeServer, room: string, b: FakeBackend) => void][] = [
      ['Alone', () => {}],
      ['A few people', (s, r) => [amara, mei, rafael].forEach((u) => s.addPerson(r, u))],
      ['Many', (s, r) => populate(s, { room: r, count: 12 })],
      [
        'Away and offline',
        (s, r) => {
          s.addPerson(r, jonas);
          s.addPerson(r, mei, { status: 'away' });
          s.addPerson(r, lukas, { status: 'offline' });
        },
      ],
      [
        'Editing',
        (s, r) => {
          s.addPerson(r, sofia, { activity: { kind: 'editing', field: 'phone' } });
          s.addPerson(r, lukas, { activity: { kind: 'editing', field: 'email' } });
        },
      ],
      ['Three tabs', (s, r) => s.addPerson(r, noah, { connections: 3, devices: 2 })],
      [
        'Reconnecting',
        (s, r, b) => {
          populate(s, { room: r, count: 3 });
          later(400, () => takeDown(b));
        },
      ],
    ];
    return html`<style>
        .sheet {
          border-collapse: separate;
          border-spacing: 0 0.75rem;
          font-family: var(--crm-font-family);
        }
        .sheet th {
          padding-inline-end: 2rem;
          color: var(--crm-color-text-muted);
          font-size: var(--crm-font-size-s);
          font-weight: 500;
          text-align: start;
        }
      </style>
      <table class="sheet">
        ${rows.map(([name, setup]) => {
          const backend = fakeBackend('open');
          setup(backend.server, ROOM, backend);
          return html`<tr>
            <th scope="row">${name}</th>
            <td>
              <crm-realtime-provider .client=${backend.client}
                >${presence({ ...args, roomId: ROOM })}</crm-realtime-provider
              >
            </td>
          </tr>`;
        })}
        <tr>
          <th scope="row">No provider</th>
          <td>${presence({ ...args, roomId: ROOM })}</td>
        </tr>
      </table>`;
  },
};
