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
import type { ActivityFeedMessages } from '../src/elements/activity-feed/activity-messages.js';
import type { FeedType } from '../src/elements/activity-feed/crm-activity-feed.js';
import '../src/elements/activity-feed/define.js';
import '../src/elements/realtime-provider/define.js';
import type {
  ActivityFilter,
  ActivityInput,
  EntityRef,
  UserProfile,
} from '../src/protocol/index.js';
import {
  SAMPLE_PEOPLE,
  activityBurst,
  sampleActivity,
  type FakeServer,
} from '../src/testing/index.js';

interface Args {
  feedType: FeedType;
  entityId: string;
  maxItems: number;
  hideFilters: boolean;
  filter: ActivityFilter | undefined;
  people: readonly UserProfile[];
  links: boolean;
  lang: string;
  maxBlockSize: string;
  width: string;
  messages: Partial<ActivityFeedMessages> | undefined;
  onFilterChange: (event: Event) => void;
  onOpen: (event: Event) => void;
}

const person = (i: number) => SAMPLE_PEOPLE[i % SAMPLE_PEOPLE.length]!;
const DIFFERENCE: EntityRef = { type: 'customer', id: '42', label: 'Difference Ltd' };
const BABBAGE: EntityRef = { type: 'customer', id: '7', label: 'Babbage & Co.' };

/**
 * Story data: the fake server's sample activity, with now and then a richer change (several
 * fields, numbers, dates, an emptied value), so every shape of item shows up.
 */
function storyActivity(index: number): ActivityInput {
  switch (index % 9) {
    case 4:
      return {
        kind: 'entity.updated',
        actor: person(index + 2),
        entity: DIFFERENCE,
        customerId: '42',
        changes: [
          { field: 'dealValue', from: 12000, to: 18500 },
          { field: 'closeDate', from: '2025-02-28', to: '2025-03-14' },
        ],
      };
    case 7:
      return {
        kind: 'entity.updated',
        actor: person(index + 5),
        entity: BABBAGE,
        customerId: '7',
        changes: [
          { field: 'phone', from: '+44 20 7946 0958', to: '+44 20 7946 0000' },
          { field: 'secondaryEmail', from: 'ada@babbage.example', to: null },
        ],
      };
    case 8:
      return {
        kind: 'email.sent',
        actor: person(index + 1),
        customerId: '42',
        entity: { type: 'email', id: `mail-${index}` },
        summary: 'Proposal v2 and the revised pricing sheet',
      };
    default:
      return sampleActivity(index);
  }
}

const feed = (args: Args) =>
  html`<crm-activity-feed
    feed-type=${args.feedType}
    entity-id=${args.entityId || nothing}
    max-items=${args.maxItems}
    ?hide-filters=${args.hideFilters}
    lang=${args.lang || nothing}
    style=${styleMap({
      '--crm-activity-feed-max-block-size': args.maxBlockSize || undefined,
      inlineSize: args.width || undefined,
    })}
    .filter=${args.filter}
    .people=${args.people}
    .entityHref=${args.links ? (e: EntityRef) => `#/${e.type}/${e.id}` : undefined}
    .messages=${args.messages ?? {}}
    @crm-activity-filter-change=${args.onFilterChange}
    @crm-activity-open=${(e: Event) => {
      e.preventDefault();
      args.onOpen(e);
    }}
  ></crm-activity-feed>`;

/** A story on its own fake server: `setup` writes history (and starts live activity). */
const story =
  (setup: (server: FakeServer, backend: FakeBackend) => void = () => {}) =>
  (args: Args, { id }: { id: string }): TemplateResult => {
    storyScope(id);
    const backend = fakeBackend('open');
    setup(backend.server, backend);
    return html`<crm-realtime-provider .client=${backend.client}
      >${feed(args)}</crm-realtime-provider
    >`;
  };

/** History of `count` items, one every few minutes up to now. */
const history = (server: FakeServer, count: number, spacingMs = 7 * 60_000) =>
  server.activity.seed(count, { spacingMs, make: storyActivity });

/** Live activity on real time: an item every `everyMs`, stopped with the story. */
function trickle(server: FakeServer, everyMs = 3500): void {
  let n = 1000;
  const handle = setInterval(() => server.appendActivity(storyActivity(n++)), everyMs);
  track({ stop: () => clearInterval(handle) });
}

const meta: Meta<Args> = {
  title: 'Activity/Activity feed',
  component: 'crm-activity-feed',
  tags: ['autodocs'],
  beforeEach: () => disposeAllStories,
  parameters: {
    layout: 'centered',
    docs: {
      description: {
        component:
          'What happened, live: entity changes with old → new values, calls, meetings and notes, ' +
          'for everyone, one person or one customer. Scroll down and wait for new items: what you ' +
          'look at stays put and a pill counts what arrived. Every story runs against the ' +
          'in-memory fake server.',
      },
    },
  },
  argTypes: {
    feedType: {
      name: 'feed-type',
      control: 'inline-radio',
      options: ['global', 'customer', 'user'],
      description: 'Whose activity: everyone, one customer, one person.',
    },
    entityId: {
      name: 'entity-id',
      control: 'text',
      description: 'The customer id (`customer`) or user id (`user`; empty: you).',
    },
    maxItems: {
      name: 'max-items',
      control: { type: 'number', min: 1, max: 200, step: 1 },
      description: 'Items per page of history.',
    },
    hideFilters: { name: 'hide-filters', control: 'boolean', description: 'Hide the filter bar.' },
    filter: { control: 'object', description: '`{ kinds?: string[], actors?: string[] }`' },
    people: {
      control: 'object',
      description: 'People offered in the person filter besides those in the feed.',
    },
    links: { control: 'boolean', description: 'Give entities links (`entityHref`).' },
    lang: {
      control: 'select',
      options: ['', 'en', 'de', 'fr', 'ja', 'ar'],
      description: 'Language of times and values (the nearest `lang`).',
    },
    maxBlockSize: {
      name: '--crm-activity-feed-max-block-size',
      control: 'select',
      options: ['', '20rem', '32rem', '48rem'],
    },
    width: { control: 'select', options: ['', '20rem', '28rem', '36rem', '48rem'] },
    messages: { control: 'object', description: 'Replacements for the built-in texts.' },
    onFilterChange: { table: { disable: true } },
    onOpen: { table: { disable: true } },
  },
  args: {
    feedType: 'global',
    entityId: '',
    maxItems: 50,
    hideFilters: false,
    filter: undefined,
    people: SAMPLE_PEOPLE,
    links: true,
    lang: '',
    maxBlockSize: '',
    width: '36rem',
    messages: undefined,
    onFilterChange: fn(),
    onOpen: fn(),
  },
};
export default meta;

type Story = StoryObj<Args>;

/** Everyone's activity with something new every few seconds. */
export const GlobalLive: Story = {
  render: story((server) => {
    history(server, 80);
    trickle(server);
  }),
};

/** One customer: its changes, calls, meetings and notes (the customer is not repeated). */
export const CustomerFeed: Story = {
  args: { feedType: 'customer', entityId: '42' },
  render: story((server) => {
    history(server, 120);
    trickle(server, 5000);
  }),
};

/** One person's activity. */
export const UserFeed: Story = {
  args: { feedType: 'user', entityId: 'u-amara' },
  render: story((server) => history(server, 160)),
};

/** Nothing happened yet. */
export const Empty: Story = { render: story() };

/** The first page on its way (the fake server answers after a long delay). */
export const Loading: Story = {
  render: story((server) => {
    history(server, 20);
    server.setLatency(3_600_000);
  }),
};

/** Only calls: the filter set by the page (the chips show it, and can change it). */
export const Filtered: Story = {
  args: { filter: { kinds: ['call.logged', 'meeting.scheduled'] } },
  render: story((server) => history(server, 120)),
};

/** A filter that matches nothing: say so, offer to clear it. */
export const FilteredEmpty: Story = {
  args: { filter: { kinds: ['note.added'], actors: ['u-noah'] } },
  render: story((server) => history(server, 8)),
};

/**
 * Ten thousand items: only those near the viewport are in the DOM (inspect it), scrolling stays
 * smooth, and the end is reachable (pages of 100 load as you go).
 */
export const TenThousandItems: Story = {
  args: { maxItems: 100 },
  render: story((server) => history(server, 10_000, 60_000)),
};

/** A burst of 1,000 items in one second, every eight seconds: one render per frame at most. */
export const Burst: Story = {
  render: story((server) => {
    history(server, 40);
    const burst = () => track(activityBurst(server, { perSecond: 1000, durationMs: 1000 }));
    const first = setTimeout(burst, 1500);
    const again = setInterval(burst, 8000);
    track({ stop: () => (clearTimeout(first), clearInterval(again)) });
  }),
};

/**
 * The reader scrolled down and three items arrived: they stay where they were, and a pill says
 * "3 new" (click it to go up).
 */
export const NewItemsPill: Story = {
  render: (args, context) => {
    const view = story((server) => {
      history(server, 60);
      const handle = setTimeout(() => {
        const el = document.querySelector('crm-activity-feed');
        const scroller = el?.shadowRoot?.querySelector('.scroller');
        if (scroller) scroller.scrollTop = 420;
        setTimeout(() => [1, 2, 3].forEach((i) => server.appendActivity(storyActivity(i))), 300);
      }, 600);
      track({ stop: () => clearTimeout(handle) });
    });
    return view(args, context);
  },
};

/** The connection drops after loading: the items stay, a quiet line says it is reconnecting. */
export const Reconnecting: Story = {
  render: story((server, backend) => {
    history(server, 30);
    const handle = setTimeout(() => takeDown(backend), 500);
    track({ stop: () => clearTimeout(handle) });
  }),
};

/** No provider on the page: a quiet "Not connected" instead of an error. */
export const NotConnected: Story = {
  render: (args, { id }) => {
    storyScope(id);
    return feed(args);
  },
};

/** The dark theme, by tokens alone. */
export const Dark: Story = {
  globals: { theme: 'dark' },
  render: story((server) => {
    history(server, 60);
    trickle(server);
  }),
};

/** A narrow column (a sidebar): times go under the headline, values wrap. */
export const Narrow: Story = {
  args: { width: '20rem', feedType: 'customer', entityId: '42' },
  render: story((server) => history(server, 60)),
};

/** In German: times, numbers and dates follow `lang`; texts come from `messages`. */
export const German: Story = {
  args: {
    lang: 'de',
    messages: {
      headline: (kind, { hasEntity }) =>
        kind === 'entity.updated'
          ? hasEntity
            ? '{actor} hat {fields} bei {entity} geändert'
            : '{actor} hat {fields} geändert'
          : kind === 'call.logged'
            ? '{actor} hat einen Anruf protokolliert'
            : '{actor}: {entity}',
      fields: (labels, c) => c.list(labels),
      kindLabel: (kind) =>
        ({
          'entity.updated': 'Änderungen',
          'call.logged': 'Anrufe',
          'meeting.scheduled': 'Termine',
        })[kind] ?? kind,
      allKinds: () => 'Alle',
      everyone: () => 'Alle Personen',
      end: () => 'Keine älteren Aktivitäten',
    },
  },
  render: story((server) => history(server, 40)),
};
