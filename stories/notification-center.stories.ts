import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html, nothing, type TemplateResult } from 'lit';
import { fn } from 'storybook/test';
import { storyScope, track } from '../.storybook/fake-backend.js';
import type { RealtimeClient } from '../src/client/realtime-client.js';
import type { Clock } from '../src/client/types.js';
import type {
  MarkReadMode,
  ToastPosition,
} from '../src/elements/notification-center/crm-notification-center.js';
import '../src/elements/notification-center/define.js';
import type { NotificationCenterMessages } from '../src/elements/notification-center/notification-center-messages.js';
import '../src/elements/realtime-provider/define.js';
import {
  DEMO_USER,
  FakeServer,
  SAMPLE_PEOPLE,
  connectFake,
  sampleNotification,
  type NotificationDraft,
} from '../src/testing/index.js';

interface Args {
  maxNotifications: number;
  autoHideDuration: number;
  toastPosition: ToastPosition;
  markRead: MarkReadMode;
  entityLinkTemplate: string;
  noToasts: boolean;
  lang: string;
  /** `page`: follow the toolbar's theme; else force one on the story's frame. */
  theme: 'page' | 'light' | 'dark';
  messages: Partial<NotificationCenterMessages> | undefined;
  onOpen: (event: Event) => void;
  onAction: (event: Event) => void;
  onRead: (event: Event) => void;
}

const ME = DEMO_USER.id;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const [amara, jonas, mei, rafael, priya] = SAMPLE_PEOPLE;

/**
 * A fake server on the real clock, whose "now" a setup can move back to date the history it
 * creates; everything stops with the story.
 */
interface Backend {
  server: FakeServer;
  client: RealtimeClient;
  /** Create history `ago` ms in the past (stored, not delivered live: nobody listens yet). */
  past(
    ago: number,
    draft: Omit<NotificationDraft, 'target'>,
    from?: (typeof SAMPLE_PEOPLE)[number],
  ): void;
  /** Send a notification now, live. */
  notify(draft: Omit<NotificationDraft, 'target'>, from?: (typeof SAMPLE_PEOPLE)[number]): void;
  /** Run `fn` every `ms` of real time until the story goes. */
  every(ms: number, fn: () => void): void;
  /** Run `fn` once after `ms`. */
  after(ms: number, fn: () => void): void;
}

function backend(): Backend {
  let shift = 0;
  const clock: Clock = {
    now: () => Date.now() - shift,
    setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
    clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
  };
  const server = new FakeServer({ clock });
  const client = connectFake(server);
  track({ stop: () => client.close() });
  const send = (draft: Omit<NotificationDraft, 'target'>, from?: (typeof SAMPLE_PEOPLE)[number]) =>
    server.notify({ ...draft, target: { user: ME } }, from);
  return {
    server,
    client,
    past(ago, draft, from) {
      shift = ago;
      try {
        send(draft, from);
      } finally {
        shift = 0;
      }
    },
    notify: send,
    every(ms, fn) {
      const handle = setInterval(fn, ms);
      track({ stop: () => clearInterval(handle) });
    },
    after(ms, fn) {
      const handle = setTimeout(fn, ms);
      track({ stop: () => clearTimeout(handle) });
    },
  };
}

const center = (args: Args) =>
  html`<crm-notification-center
    max-notifications=${args.maxNotifications}
    auto-hide-duration=${args.autoHideDuration}
    toast-position=${args.toastPosition}
    mark-read=${args.markRead}
    entity-link-template=${args.entityLinkTemplate || nothing}
    ?no-toasts=${args.noToasts}
    lang=${args.lang || nothing}
    .messages=${args.messages}
    @crm-notification-open=${(e: Event) => {
      // Storybook has no CRM pages to go to: the story routes nowhere, like a single-page app.
      e.preventDefault();
      args.onOpen(e);
    }}
    @crm-notification-action=${args.onAction}
    @crm-notification-read=${args.onRead}
  ></crm-notification-center>`;

/** A CRM page header with the bell at its end, as the element is meant to be used. */
const page = (args: Args, b: Backend, body: TemplateResult | typeof nothing = nothing) =>
  html`<div
    class="frame"
    data-crm-theme=${args.theme === 'page' ? nothing : args.theme}
    dir=${args.lang === 'ar' ? 'rtl' : nothing}
  >
    <style>
      .frame {
        min-block-size: 100vh;
        background: var(--crm-color-surface-sunken);
        color: var(--crm-color-text);
        font-family: var(--crm-font-family);
      }
      .bar {
        display: flex;
        align-items: center;
        gap: 1rem;
        padding-block: 0.5rem;
        padding-inline: 1.25rem 0.75rem;
        background: var(--crm-color-surface);
        border-block-end: 1px solid var(--crm-color-border);
      }
      .brand {
        font-weight: 600;
        letter-spacing: -0.01em;
      }
      .nav {
        display: flex;
        gap: 1rem;
        flex: 1;
        font-size: 0.875rem;
        color: var(--crm-color-text-muted);
      }
      .me {
        inline-size: 2rem;
        block-size: 2rem;
        border-radius: 50%;
      }
      .content {
        padding: 1.5rem 1.25rem;
        font-size: 0.875rem;
        color: var(--crm-color-text-muted);
      }
    </style>
    <crm-realtime-provider .client=${b.client}>
      <header class="bar">
        <span class="brand">Acme CRM</span>
        <nav class="nav" aria-label=${args.lang === 'ar' ? 'الرئيسية' : 'Main'}>
          ${
            args.lang === 'ar'
              ? html`<span>العملاء</span><span>الصفقات</span><span>المكالمات</span>`
              : html`<span>Customers</span><span>Deals</span><span>Calls</span>`
          }
        </nav>
        ${center(args)}
        <img class="me" src=${DEMO_USER.avatarUrl!} alt=${DEMO_USER.name} />
      </header>
      <main class="content">${body}</main>
    </crm-realtime-provider>
  </div>`;

/** A story on its own fake server: `setup` writes history before the element loads it. */
const story =
  (setup: (b: Backend) => void = () => {}) =>
  (args: Args, { id }: { id: string }): TemplateResult => {
    storyScope(id);
    const b = backend();
    setup(b);
    return page(args, b);
  };

/** Open the panel once the element has loaded (for screenshots and the docs page). */
const openPanel: Story['play'] = async ({ canvasElement }) => {
  const el = canvasElement.querySelector('crm-notification-center');
  await customElements.whenDefined('crm-notification-center');
  await new Promise((resolve) => setTimeout(resolve, 150));
  el?.show();
};

const meta: Meta<Args> = {
  title: 'Notifications/Notification center',
  component: 'crm-notification-center',
  tags: ['autodocs'],
  parameters: {
    layout: 'fullscreen',
    docs: {
      story: { inline: false, iframeHeight: 620 },
      description: {
        component:
          'The current user’s notifications: a bell with an unread badge, a panel with the ' +
          'history grouped by day (older pages load as you scroll), and toasts for new ones. ' +
          'Every story runs live against the in-memory fake server.',
      },
    },
  },
  argTypes: {
    maxNotifications: {
      name: 'max-notifications',
      control: { type: 'number', min: 1, max: 200, step: 1 },
      description: 'Notifications kept in memory; older ones load on scroll.',
    },
    autoHideDuration: {
      name: 'auto-hide-duration',
      control: { type: 'number', min: 0, max: 30_000, step: 500 },
      description: 'How long a toast stays, in ms; 0: until dismissed. Urgent ones always stay.',
    },
    toastPosition: {
      name: 'toast-position',
      control: 'select',
      options: [
        'bottom-end',
        'bottom-start',
        'bottom-center',
        'top-end',
        'top-start',
        'top-center',
      ],
    },
    markRead: {
      name: 'mark-read',
      control: 'inline-radio',
      options: ['open', 'item'],
      description: '`open`: what the panel shows is read; `item`: one by one.',
    },
    entityLinkTemplate: {
      name: 'entity-link-template',
      control: 'text',
      description: 'Where entity links go; `{type}` and `{id}` are replaced. Empty: no links.',
    },
    noToasts: { name: 'no-toasts', control: 'boolean' },
    lang: { control: 'select', options: ['', 'en', 'de', 'fr', 'ja', 'ar'] },
    theme: { control: 'inline-radio', options: ['page', 'light', 'dark'] },
    messages: { control: 'object' },
    onOpen: { table: { disable: true } },
    onAction: { table: { disable: true } },
    onRead: { table: { disable: true } },
  },
  args: {
    maxNotifications: 50,
    autoHideDuration: 5000,
    toastPosition: 'bottom-end',
    markRead: 'open',
    entityLinkTemplate: '/customers/{id}',
    noToasts: false,
    lang: '',
    theme: 'page',
    messages: undefined,
    onOpen: fn(),
    onAction: fn(),
    onRead: fn(),
  },
};
export default meta;

type Story = StoryObj<Args>;

/** A history to look at: each type, high and urgent priorities, links, actions, two days. */
function typicalDay(b: Backend): void {
  b.past(2 * 24 * HOUR + 3 * HOUR, {
    title: 'Quarterly report is ready',
    type: 'info',
    priority: 'low',
  });
  b.past(
    26 * HOUR,
    {
      title: 'New lead assigned to you',
      type: 'success',
      message: 'Grace Hopper, Navy Labs — came in through the website form.',
      entity: { type: 'customer', id: '17', label: 'Navy Labs' },
    },
    jonas,
  );
  b.past(22 * HOUR, {
    title: 'Invoice #1042 is overdue',
    type: 'warning',
    priority: 'high',
    message: 'Due 3 days ago: €4,200. A reminder goes out tomorrow unless you hold it.',
    entity: { type: 'customer', id: '42', label: 'Difference Ltd' },
    actions: [{ label: 'Hold reminder', event: 'hold-reminder' }],
  });
  b.past(
    95 * MINUTE,
    {
      title: 'Deal “Analytical Engines” won',
      type: 'success',
      priority: 'high',
      entity: { type: 'customer', id: '7', label: 'Babbage & Co.' },
    },
    rafael,
  );
  b.past(
    38 * MINUTE,
    {
      title: 'Ada Lovelace replied to your email',
      type: 'info',
      message: 'Re: renewal terms — “Thursday works for me, shall we say 10:00?”',
      entity: { type: 'customer', id: '42', label: 'Difference Ltd' },
      actions: [
        { label: 'Reply', url: '/mail/381' },
        { label: 'Schedule call', event: 'schedule-call' },
      ],
    },
    amara,
  );
  b.past(4 * MINUTE, {
    title: 'Sync with the billing system failed',
    type: 'error',
    priority: 'urgent',
    message: 'Invoices since 09:40 are not in the ledger. Finance has been told.',
    actions: [{ label: 'Retry sync', event: 'retry-sync' }],
  });
}

/** Nothing yet: the bell is quiet; the panel says so kindly. */
export const Empty: Story = { render: story(), play: openPanel };

/** A few unread: a badge with the count; opening the panel reads them (they stay tinted). */
export const AFewUnread: Story = { render: story(typicalDay) };

/** The panel open on a typical history: types, priorities, links, actions, days. */
export const PanelOpen: Story = { render: story(typicalDay), play: openPanel };

/** Each type and priority side by side (`mark-read="item"`, so they stay unread). */
export const TypesAndPriorities: Story = {
  args: { markRead: 'item' },
  play: openPanel,
  render: story((b) => {
    const types = ['info', 'success', 'warning', 'error'] as const;
    const priorities = ['low', 'normal', 'high', 'urgent'] as const;
    let i = 0;
    for (const priority of priorities) {
      for (const type of types) {
        i += 1;
        b.past(
          (17 - i) * 7 * MINUTE,
          {
            type,
            priority,
            title: `${type[0]!.toUpperCase()}${type.slice(1)}, ${priority} priority`,
            message: i % 3 === 0 ? 'A message that explains a little more.' : undefined,
          },
          SAMPLE_PEOPLE[i % SAMPLE_PEOPLE.length],
        );
      }
    }
  }),
};

/** 240 in the history, 50 loaded: scroll to the end of the panel and older pages come in. */
export const ManyWithPaging: Story = {
  play: openPanel,
  render: story(
    (b) => void b.server.notifications.seed(ME, 240, { unread: 14, spacingMs: 53 * MINUTE }),
  ),
};

/** A colleague or a backend sends one every few seconds: toasts stack, hide, pause on hover. */
export const LiveToasts: Story = {
  render: story((b) => {
    typicalDay(b);
    let i = 0;
    const next = () => {
      const n = sampleNotification(i, { user: ME });
      // Live ones are not urgent here (the Urgent story shows those): they come and go.
      b.notify(
        { ...n, priority: n.priority === 'urgent' ? 'high' : n.priority },
        SAMPLE_PEOPLE[i % 8],
      );
      i += 1;
    };
    b.after(600, next);
    b.every(3500, next);
  }),
};

/**
 * Notifications arriving with the panel open: each lands at the top of the list, tinted as new,
 * and is announced; no toast is drawn over the panel, and closing it brings none back.
 */
export const ArrivingWhileOpen: Story = {
  args: { toastPosition: 'top-end' },
  play: openPanel,
  render: story((b) => {
    typicalDay(b);
    let i = 0;
    const next = () => {
      b.notify(sampleNotification(i, { user: ME }), SAMPLE_PEOPLE[(i + 3) % 8]);
      i += 1;
    };
    b.after(900, next);
    b.every(4000, next);
  }),
};

/**
 * Urgent notifications: an assertive announcement, an outlined toast that stays until closed.
 * Alt+Shift+N brings the focus to the newest toast (and back); Escape dismisses it.
 */
export const Urgent: Story = {
  render: story((b) => {
    b.after(400, () =>
      b.notify({
        title: 'Sync with the billing system failed',
        type: 'error',
        priority: 'urgent',
        message: 'Invoices since 09:40 are not in the ledger.',
        actions: [{ label: 'Retry sync', event: 'retry-sync' }],
      }),
    );
    b.after(900, () =>
      b.notify(
        { title: 'Meeting with Babbage & Co. in 15 minutes', type: 'info', priority: 'high' },
        priya,
      ),
    );
  }),
};

/**
 * Ten at once (a backend catching up): five toasts are shown, the oldest make room, and a screen
 * reader hears one message: the first in full, "And 9 more new notifications".
 */
export const Burst: Story = {
  render: story((b) => {
    typicalDay(b);
    b.after(600, () => {
      for (let i = 0; i < 10; i++) {
        b.notify(
          {
            title: `Renewal at risk: contract #${1040 + i}`,
            type: 'warning',
            message: 'No activity for 30 days before the renewal date.',
            entity: { type: 'customer', id: String(40 + i), label: `Customer ${40 + i}` },
          },
          SAMPLE_PEOPLE[i % 8],
        );
      }
    });
  }),
};

/**
 * A form reaching the bottom of the viewport with an urgent toast in the corner: tab to the fields
 * under it and the toasts move to the top; on a screen too small for either edge to be clear of
 * the field, they stand aside until the focus moves on.
 */
export const KeepsClearOfTheFocus: Story = {
  render: (args, { id }) => {
    storyScope(id);
    const b = backend();
    b.after(400, () =>
      b.notify({
        title: 'Sync with the billing system failed',
        type: 'error',
        priority: 'urgent',
        message: 'Invoices since 09:40 are not in the ledger.',
      }),
    );
    const field = (label: string, value: string) =>
      html`<label style="display: grid; gap: 0.25rem"
        >${label}<input value=${value} style="font: inherit; padding: 0.5rem; min-inline-size: 0"
      /></label>`;
    return page(
      args,
      b,
      html`<form
        style="display: grid; grid-template-columns: repeat(auto-fit, minmax(min(12rem, 100%), 1fr)); gap: 1rem; align-content: end;
          min-block-size: calc(100vh - 8rem)"
        @submit=${(e: Event) => e.preventDefault()}
      >
        ${field('Company', 'Difference Ltd')} ${field('Contact', 'Ada Lovelace')}
        ${field('Email', 'ada@difference.example')} ${field('Phone', '+44 20 7946 0321')}
        ${field('City', 'London')} ${field('Next step', 'Send the revised proposal')}
      </form>`,
    );
  },
};

/** The dark theme, by tokens alone, with the panel open; a mention arrives into it. */
export const Dark: Story = {
  args: { theme: 'dark' },
  play: openPanel,
  render: story((b) => {
    typicalDay(b);
    b.after(500, () =>
      b.notify(
        {
          title: 'Mei Tanaka mentioned you',
          type: 'info',
          message: '“@Alex can you check the discount on this one?”',
          entity: { type: 'customer', id: '42', label: 'Difference Ltd' },
        },
        mei,
      ),
    );
  }),
};

/** German page: day labels, relative times and numbers follow `lang`; texts via `messages`. */
export const Translated: Story = {
  args: {
    lang: 'de',
    messages: {
      bellLabel: (unread) =>
        unread ? `Benachrichtigungen, ${unread} ungelesen` : 'Benachrichtigungen',
      panelTitle: () => 'Benachrichtigungen',
      markAllRead: () => 'Alle als gelesen markieren',
      priority: (p) => ({ low: 'Niedrig', normal: 'Normal', high: 'Hoch', urgent: 'Dringend' })[p],
      from: (name) => `von ${name}`,
    },
  },
  play: openPanel,
  render: story(typicalDay),
};

/**
 * The CRM's history of a typical day, in Arabic: the notifications' titles, messages and actions
 * are the CRM's own words, as on an Arabic page; people's names stay as they are written.
 */
function typicalDayInArabic(b: Backend): void {
  b.past(
    26 * HOUR,
    {
      title: 'عميل محتمل جديد مُسنَد إليك',
      type: 'success',
      message: 'غريس هوبر، نيفي لابز — وصل عبر نموذج الموقع.',
      entity: { type: 'customer', id: '17', label: 'نيفي لابز' },
    },
    jonas,
  );
  b.past(
    95 * MINUTE,
    {
      title: 'تم الفوز بصفقة «المحركات التحليلية»',
      type: 'success',
      priority: 'high',
      entity: { type: 'customer', id: '7', label: 'باباج وشركاه' },
    },
    rafael,
  );
  b.past(
    38 * MINUTE,
    {
      title: 'ردّت آدا لوفليس على رسالتك',
      type: 'info',
      message: 'بخصوص شروط التجديد — «يناسبني الخميس، فلنقل الساعة 10:00؟»',
      entity: { type: 'customer', id: '42', label: 'ديفرنس المحدودة' },
      actions: [
        { label: 'رد', url: '/mail/381' },
        { label: 'جدولة مكالمة', event: 'schedule-call' },
      ],
    },
    amara,
  );
  b.past(4 * MINUTE, {
    title: 'فشلت المزامنة مع نظام الفوترة',
    type: 'error',
    priority: 'urgent',
    message: 'الفواتير منذ 09:40 ليست في دفتر الحسابات. تم إبلاغ قسم المالية.',
    actions: [{ label: 'إعادة المزامنة', event: 'retry-sync' }],
  });
}

/**
 * A right-to-left page in Arabic: the panel opens under the bell on the other side (toasts, when
 * it is closed, go bottom-left); the element's texts come through `messages`, day labels, times
 * and numbers follow `lang`.
 */
export const RightToLeft: Story = {
  args: {
    lang: 'ar',
    messages: {
      bellLabel: (unread, c) =>
        unread ? `الإشعارات، ${c.number(unread)} غير مقروءة` : 'الإشعارات',
      panelTitle: () => 'الإشعارات',
      markAllRead: () => 'تعليم الكل كمقروء',
      markRead: (title) => `تعليم «${title}» كمقروء`,
      markReadText: () => 'تعليم كمقروء',
      empty: () => 'لا توجد إشعارات',
      priority: (p) => ({ low: 'منخفضة', normal: 'عادية', high: 'مهم', urgent: 'عاجل' })[p],
      unread: () => 'غير مقروء',
      from: (name) => `من ${name}`,
      dismiss: (title) => `إغلاق «${title}»`,
      toastsLabel: () => 'الإشعارات الجديدة',
    },
  },
  play: openPanel,
  render: story((b) => {
    typicalDayInArabic(b);
    b.after(500, () => b.notify({ title: 'عميل محتمل جديد مُسنَد إليك', type: 'success' }, jonas));
  }),
};

/** The connection drops after loading: the history stays, a notice says why nothing moves. */
export const Reconnecting: Story = {
  play: openPanel,
  render: story((b) => {
    typicalDay(b);
    b.after(100, () => {
      b.server.refuseConnections(true);
      b.server.dropConnections();
    });
  }),
};

/** No provider on the page: the bell says "not connected", and so does the panel. */
export const NotConnected: Story = {
  play: openPanel,
  render: (args, { id }) => {
    storyScope(id);
    return html`<div style="padding: 1rem; display: flex; justify-content: flex-end">
      ${center(args)}
    </div>`;
  },
};
