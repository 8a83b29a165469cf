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
import { SAMPLE_PEOPLE, activityBurst, type FakeServer } from '../src/testing/index.js';

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
const CUSTOMERS: EntityRef[] = [
  { type: 'customer', id: '42', label: 'Difference Ltd' },
  { type: 'customer', id: '7', label: 'Babbage & Co.' },
  { type: 'customer', id: '19', label: 'Navy Labs' },
  { type: 'customer', id: '23', label: 'Lovelace Analytics' },
];
const STAGES = ['Lead', 'Qualified', 'Proposal', 'Negotiation', 'Won'];
const CALLS = [
  'Walked through the renewal terms · 12 min',
  'Left a voicemail about the pricing update',
  'Onboarding check-in with their admin team · 25 min',
  'Follow-up on the security questionnaire · 8 min',
];
const MEETINGS = [
  'Quarterly business review, Thursday 10:00',
  'Contract signing, Monday 14:30',
  'Product demo for the finance team, Friday 9:00',
];
const NOTES = [
  'Prefers email over phone calls.',
  'Budget approved for Q3; decision expected by the end of the month.',
  'New procurement contact from April: Grace Hopper.',
];

/**
 * Story data, plausible CRM activity: stage changes, calls, meetings, notes, e-mails, several
 * fields changed at once (numbers, dates, an emptied value), a new contact; spread over the sample
 * people and four customers (`42`, `7`, `19`, `23`).
 */
function storyActivity(index: number): ActivityInput {
  const actor = person(index * 3 + Math.floor(index / 10));
  const customer = CUSTOMERS[Math.floor(index / 3) % CUSTOMERS.length]!;
  const at = { entity: customer, customerId: customer.id };
  const stage = index % (STAGES.length - 1);
  switch (index % 10) {
    case 0:
    case 6:
      return {
        kind: 'entity.updated',
        actor,
        ...at,
        changes: [{ field: 'stage', from: STAGES[stage]!, to: STAGES[stage + 1]! }],
      };
    case 1:
    case 9:
      return { kind: 'call.logged', actor, ...at, summary: CALLS[index % CALLS.length]! };
    case 2:
      return {
        kind: 'meeting.scheduled',
        actor,
        ...at,
        summary: MEETINGS[index % MEETINGS.length]!,
      };
    case 3:
      return { kind: 'note.added', actor, ...at, summary: NOTES[index % NOTES.length]! };
    case 4:
      return {
        kind: 'entity.updated',
        actor,
        ...at,
        changes: [
          { field: 'dealValue', from: 12000 + index * 10, to: 18500 + index * 10 },
          { field: 'closeDate', from: '2025-02-28', to: '2025-03-14' },
        ],
      };
    case 5:
      return {
        kind: 'email.sent',
        actor,
        ...at,
        summary: 'Proposal v2 and the revised pricing sheet',
      };
    case 7:
      return {
        kind: 'entity.updated',
        actor,
        ...at,
        changes: [
          { field: 'phone', from: '+44 20 7946 0958', to: '+44 20 7946 0000' },
          { field: 'secondaryEmail', from: 'accounts@example.com', to: null },
          { field: 'owner', from: 'Jonas Lindqvist', to: 'Mei Tanaka' },
        ],
      };
    default:
      return {
        kind: 'entity.created',
        actor,
        entity: { type: 'contact', id: `c-${index}`, label: 'Grace Hopper' },
        customerId: customer.id,
        summary: `Head of procurement at ${customer.label}`,
      };
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
      // Against the viewport, not 100%: the centred canvas sizes itself from the feed, so a
      // percentage left a 36rem feed wider than a phone's screen.
      maxInlineSize: 'calc(100vw - 2rem)',
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

let docsRenders = 0;
/**
 * The scope of a story's backend. On the docs page the primary story and its copy in the list of
 * stories share an id: each render gets its own scope there, or the second would stop the first.
 */
const scopeOf = ({ id, viewMode }: { id: string; viewMode?: string }) =>
  viewMode === 'docs' ? `${id}#docs${++docsRenders}` : id;

/** A story on its own fake server: `setup` writes history (and starts live activity). */
const story =
  (setup: (server: FakeServer, backend: FakeBackend) => void = () => {}) =>
  (args: Args, context: { id: string; viewMode?: string }): TemplateResult => {
    storyScope(scopeOf(context));
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
  args: { filter: { kinds: ['email.sent'], actors: ['u-priya'] } },
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
    const burst = () =>
      track(activityBurst(server, { perSecond: 1000, durationMs: 1000, make: storyActivity }));
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
  render: (args, context) => {
    storyScope(scopeOf(context));
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
      headline: (kind, { hasEntity }) => {
        const patterns: Record<string, [string, string]> = {
          'entity.updated': [
            '{actor} hat {fields} bei {entity} geändert',
            '{actor} hat {fields} geändert',
          ],
          'entity.created': ['{actor} hat {entity} angelegt', '{actor} hat einen Eintrag angelegt'],
          'call.logged': [
            '{actor} hat ein Telefonat mit {entity} notiert',
            '{actor} hat ein Telefonat notiert',
          ],
          'meeting.scheduled': [
            '{actor} hat einen Termin mit {entity} geplant',
            '{actor} hat einen Termin geplant',
          ],
          'note.added': [
            '{actor} hat eine Notiz zu {entity} geschrieben',
            '{actor} hat eine Notiz geschrieben',
          ],
          'email.sent': [
            '{actor} hat {entity} eine E-Mail geschickt',
            '{actor} hat eine E-Mail geschickt',
          ],
        };
        const pattern = patterns[kind] ?? ['{actor}: {entity}', '{actor}'];
        return hasEntity ? pattern[0] : pattern[1];
      },
      fields: (labels, c) =>
        labels.length <= 3 ? c.list(labels) : `${c.number(labels.length)} Felder`,
      fieldLabel: (field) =>
        ({
          stage: 'Phase',
          dealValue: 'Auftragswert',
          closeDate: 'Abschlussdatum',
          phone: 'Telefon',
          secondaryEmail: 'Zweite E-Mail',
          owner: 'Zuständig',
        })[field] ?? field,
      fieldChange: (field, from, to) => `${field} von ${from} zu ${to} geändert`,
      emptyValue: () => 'leer',
      kindLabel: (kind) =>
        ({
          'entity.updated': 'Änderungen',
          'entity.created': 'Neu angelegt',
          'call.logged': 'Telefonate',
          'meeting.scheduled': 'Termine',
          'note.added': 'Notizen',
          'email.sent': 'E-Mails',
        })[kind] ?? kind,
      allKinds: () => 'Alle',
      everyone: () => 'Alle Personen',
      filterLabel: () => 'Aktivitäten filtern',
      kindGroupLabel: () => 'Art der Aktivität',
      personLabel: () => 'Person',
      feedLabel: () => 'Aktivitäten',
      end: () => 'Keine älteren Aktivitäten',
      newItems: (n, c) => `${c.number(n)} neu`,
      filterResults: (n, more, c) =>
        more
          ? `${c.number(n)} oder mehr Aktivitäten`
          : n === 0
            ? 'Keine Aktivität'
            : n === 1
              ? '1 Aktivität'
              : `${c.number(n)} Aktivitäten`,
    },
  },
  render: story((server) => history(server, 40)),
};
