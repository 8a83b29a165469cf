/**
 * A page that translates everything: each element under `lang="de"` gets a complete catalogue in
 * which every message says only its own key (`«saved»`), and is driven through its states. No
 * English may then reach the user: not in the text, an attribute a screen reader or a tooltip
 * reads, an accessible name, nor anything a live region says. English is every word the default
 * catalogues can produce, plus the words of English dates and relative times ("ago", "Monday").
 */
import { expect, fixture, html } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../../src/elements/activity-feed/define.js';
import '../../../src/elements/collaborative-form/define.js';
import '../../../src/elements/conflict-dialog/define.js';
import '../../../src/elements/connection-status/define.js';
import '../../../src/elements/huddle/define.js';
import '../../../src/elements/notification-center/define.js';
import '../../../src/elements/presence/define.js';
import '../../../src/elements/realtime-provider/define.js';
import { defaultActivityFeedMessages } from '../../../src/elements/activity-feed/activity-messages.js';
import type { CrmActivityFeed } from '../../../src/elements/activity-feed/crm-activity-feed.js';
import { defaultCollaborativeFormMessages } from '../../../src/elements/collaborative-form/form-messages.js';
import { defaultConflictMessages } from '../../../src/elements/conflict-dialog/conflict-messages.js';
import { defaultConnectionStatusMessages } from '../../../src/elements/connection-status/connection-status-messages.js';
import { defaultHuddleMessages } from '../../../src/elements/huddle/huddle-messages.js';
import { defaultNotificationCenterMessages } from '../../../src/elements/notification-center/notification-center-messages.js';
import { defaultPresenceMessages } from '../../../src/elements/presence/presence-messages.js';
import type {
  AnnouncedNotification,
  MessageContext,
  NotificationCenterMessages,
} from '../../../src/index.js';
import { MemoryOutboxStore } from '../../../src/client/index.js';
import type { RealtimeClientOptions } from '../../../src/client/types.js';
import type { ActivityInput, UserProfile } from '../../../src/protocol/index.js';
import { accessibleNames } from '../helpers/accessibility-tree.js';
import {
  closeFakeConnections,
  fakeConnection,
  goReconnecting,
  type FakeConnection,
  aroundEachTest,
} from '../helpers/fake-connection.js';

aroundEachTest();

/** A complete catalogue in which every message returns `«key»`. */
function markers<T extends object>(defaults: T): T {
  return Object.fromEntries(Object.keys(defaults).map((key) => [key, () => `«${key}»`])) as T;
}

const CATALOGUES = [
  defaultActivityFeedMessages,
  defaultCollaborativeFormMessages,
  defaultConflictMessages,
  defaultConnectionStatusMessages,
  defaultHuddleMessages,
  defaultNotificationCenterMessages,
  defaultPresenceMessages,
];

/** The words inside the string literals of a function's source (expressions taken out). */
function literalWords(source: string): string[] {
  let text = source;
  for (let before = ''; before !== text;) {
    before = text;
    text = text.replace(/\$\{[^{}]*\}/g, ' ');
  }
  const words: string[] = [];
  for (const [, a, b, c] of text.matchAll(/'([^'\n]*)'|"([^"\n]*)"|`([^`]*)`/g)) {
    words.push(...((a ?? b ?? c ?? '').match(/\p{L}{3,}/gu) ?? []));
  }
  return words;
}

/** English a translated page must not show: the default catalogues' words, and dates'. */
const ENGLISH = new Set(
  [
    ...CATALOGUES.flatMap((catalogue) =>
      Object.values(catalogue).flatMap((fn: () => unknown) => literalWords(String(fn))),
    ),
    ...'ago now just yesterday today tomorrow min sec minutes hour hours day days week'.split(' '),
    ...'Monday Tuesday Wednesday Thursday Friday Saturday Sunday'.split(' '),
    ...'January February March April May June July August September October November December'.split(
      ' ',
    ),
    ...'Mon Tue Wed Thu Fri Sat Sun Jan Feb Mar Apr Jun Jul Aug Sep Oct Nov Dec'.split(' '),
  ].map((word) => word.toLowerCase()),
);
// Words the catalogues only use as keys (`plural(n) === 'one'`), never as text.
for (const key of ['one', 'other', 'not_found', 'forbidden']) ENGLISH.delete(key);

const ATTRIBUTES = [
  'aria-label',
  'aria-description',
  'aria-roledescription',
  'aria-valuetext',
  'aria-placeholder',
  'placeholder',
  'title',
  'alt',
];

/** Every text and readable attribute under `node`, shadow trees included (not styles). */
function readable(node: Node, out: string[] = []): string[] {
  if (node instanceof Text) {
    const parent = node.parentElement;
    if (!parent?.closest('style, script')) out.push(node.data);
    return out;
  }
  if (node instanceof Element) {
    for (const name of ATTRIBUTES) {
      const value = node.getAttribute(name);
      if (value) out.push(`${name}=${value}`);
    }
    if (node.shadowRoot) readable(node.shadowRoot, out);
  }
  for (const child of node.childNodes) readable(child, out);
  return out;
}

/** Every text a live region in `root` (or a shadow tree in it) is given, from now on. */
function listen(host: Element): string[] {
  const heard: string[] = [];
  const observe = (root: Node) =>
    new MutationObserver((records) => {
      for (const record of records) {
        const target =
          record.target instanceof Element ? record.target : record.target.parentElement;
        const region = target?.closest('[role="status"], [role="alert"], [aria-live]');
        if (region?.textContent?.trim()) heard.push(region.textContent.trim());
      }
    }).observe(root, { subtree: true, childList: true, characterData: true });
  observe(host);
  const roots = (node: Element) => {
    if (node.shadowRoot) {
      observe(node.shadowRoot);
      for (const child of node.shadowRoot.querySelectorAll('*')) roots(child);
    }
    for (const child of node.querySelectorAll('*')) roots(child);
  };
  roots(host);
  return heard;
}

/** The English words in `texts`, each with the text it is in. */
function english(texts: readonly string[]): string[] {
  const found: string[] = [];
  for (const text of texts) {
    for (const word of text.replace(/«[^»]*»/g, ' ').match(/\p{L}+/gu) ?? []) {
      if (ENGLISH.has(word.toLowerCase())) found.push(`${word} in "${text.trim()}"`);
    }
  }
  return [...new Set(found)];
}

/**
 * What the page says, shown, named or announced, checked for English; `reached` are messages
 * that must be in it, so the state the test drove to is the one checked.
 */
async function expectNoEnglish(
  page: Element,
  heard: readonly string[],
  state: string,
  reached: readonly string[] = [],
) {
  const said = [...readable(page), ...heard].join(' ');
  for (const key of reached) expect(said, `${state}: «${key}»`).to.contain(`«${key}»`);
  const names = (await accessibleNames())
    .filter((n) => n.role !== 'InlineTextBox')
    .map((n) => `name: ${n.name}`);
  const leaks = english([...readable(page), ...names, ...heard]);
  expect(leaks, `English ${state}`).to.deep.equal([]);
}

// People and data whose words are not English.
const JUERGEN: UserProfile = { id: 'u-juergen', name: 'Jürgen Weiß' };
const AYLIN: UserProfile = { id: 'u-aylin', name: 'Aylin Kaya' };
const GRETA: UserProfile = { id: 'u-greta', name: 'Greta Böhm' };
const HEINZ: UserProfile = { id: 'u-heinz', name: 'Heinz Kühn' };
const ME: UserProfile = { id: 'u-ich', name: 'Ilse Dorn' };
const ROOM = 'customer:42';

interface Page {
  fake: FakeConnection;
  page: HTMLElement;
  el: HTMLElement & { updateComplete: Promise<boolean>; messages: unknown };
  settle(): Promise<void>;
}

/** `body` inside a provider, under `lang="de"`, on the fake server; `tag` is the element. */
async function mount(
  tag: string,
  body: (fake: FakeConnection) => unknown,
  prepare: (fake: FakeConnection) => void = () => {},
  client: Partial<RealtimeClientOptions> = {},
): Promise<Page> {
  const fake = await fakeConnection({ devUser: ME, ...client });
  prepare(fake);
  const page = await fixture<HTMLElement>(
    html`<div lang="de">
      <crm-realtime-provider .client=${fake.client}>${body(fake)}</crm-realtime-provider>
    </div>`,
  );
  const el = page.querySelector(tag) as Page['el'];
  const settle = async () => {
    for (let i = 0; i < 6; i++) {
      await fake.clock.flush();
      await el.updateComplete;
      await new Promise((resolve) => requestAnimationFrame(resolve));
    }
  };
  await settle();
  return { fake, page, el, settle };
}

/** Settle until the huddle is in `state` (its media arrives in tasks, not on the clock). */
async function waitForState(
  el: HTMLElement,
  state: string,
  settle: () => Promise<void>,
): Promise<void> {
  while ((el as HTMLElement & { state: string }).state !== state) await settle();
}

describe('a complete German catalogue leaves no English', () => {
  it('<crm-connection-status>: connected, reconnecting, offline, waiting changes, compact', async () => {
    const { fake, page, settle } = await mount(
      'crm-connection-status',
      () =>
        html`<crm-connection-status
            .messages=${markers(defaultConnectionStatusMessages)}
          ></crm-connection-status
          ><crm-connection-status
            compact
            .messages=${markers(defaultConnectionStatusMessages)}
          ></crm-connection-status>`,
    );
    const heard = listen(page);
    await expectNoEnglish(page, heard, 'connected', ['connected', 'spoken']);
    await goReconnecting(fake);
    await settle();
    await expectNoEnglish(page, heard, 'reconnecting', ['reconnectingIn', 'retryNow', 'spoken']);
    fake.environment.setOnline(false);
    await settle();
    await expectNoEnglish(page, heard, 'offline', ['offline']);
    fake.environment.setOnline(true);
    fake.client.retryNow();
    await settle();
    await expectNoEnglish(page, heard, 'after a failed retry');
  });

  it('<crm-presence>: people editing, tabs, the "+N" list, tooltips, arrivals', async () => {
    const { fake, page, el, settle } = await mount(
      'crm-presence',
      () =>
        html`<crm-presence
          room-id=${ROOM}
          max-visible="2"
          callable
          .messages=${markers(defaultPresenceMessages)}
        ></crm-presence>`,
      (f) => {
        f.server.addPerson(ROOM, JUERGEN, {
          activity: { kind: 'editing', field: 'email' },
          connections: 3,
          devices: 2,
        });
        f.server.addPerson(ROOM, AYLIN, { status: 'away' });
        f.server.addPerson(ROOM, GRETA);
      },
    );
    const heard = listen(page);
    fake.server.addPerson(ROOM, HEINZ, { inCall: true });
    await fake.clock.advance(2000);
    await settle();
    fake.server.removePerson(ROOM, GRETA.id);
    await fake.clock.advance(2000);
    await settle();
    const root = el.shadowRoot!;
    root.querySelector<HTMLElement>('.avatar')!.focus();
    await settle();
    await expectNoEnglish(page, heard, 'with people here', [
      'personLabel',
      'editing',
      'tabs',
      'inCall',
      'startCall',
      'overflowButton',
      'sentences',
    ]);
    root.querySelector<HTMLButtonElement>('.overflow')!.click();
    await settle();
    await expectNoEnglish(page, heard, 'in the list of everyone', [
      'overflowHeading',
      'status',
      'viewing',
    ]);
  });

  it('<crm-notification-center>: bell, panel with day groups and times, toasts, announcements', async () => {
    const { fake, page, el, settle } = await mount(
      'crm-notification-center',
      () =>
        html`<crm-notification-center
          mark-read="item"
          .messages=${markers(defaultNotificationCenterMessages)}
        ></crm-notification-center>`,
      (f) => {
        f.server.notifications.notify(
          { target: { user: ME.id }, title: 'Rechnung überfällig', type: 'warning' },
          JUERGEN,
        );
      },
    );
    const heard = listen(page);
    await fake.clock.advance(3 * 86_400_000);
    fake.server.notify(
      {
        target: { user: ME.id },
        title: 'Vertrag unterschrieben',
        message: 'Bitte prüfen',
        type: 'success',
        priority: 'urgent',
        entity: { type: 'customer', id: '42' },
      },
      AYLIN,
    );
    fake.server.notify({ target: { user: ME.id }, title: 'Termin verschoben' }, GRETA);
    await settle();
    await expectNoEnglish(page, heard, 'with toasts', [
      'toastsLabel',
      'dismiss',
      'from',
      'priority',
      'type',
    ]);
    await fake.clock.advance(5 * 60_000);
    el.shadowRoot!.querySelector<HTMLButtonElement>('.bell')!.click();
    await settle();
    await expectNoEnglish(page, heard, 'in the open panel', [
      'today',
      'day',
      'unread',
      'markRead',
      'markReadText',
      'announcement',
    ]);
  });

  it('<crm-activity-feed>: items, times, long changes, filters, the "new" pill', async () => {
    const change = (actor: UserProfile, fields: number): ActivityInput => ({
      kind: 'entity.updated',
      actor,
      entity: { type: 'customer', id: '42', label: 'Müller GmbH' },
      customerId: '42',
      changes: Array.from({ length: fields }, (_, i) => ({
        field: ['status', 'phone', 'value', 'renewal', 'active', 'email'][i]!,
        from: [null, '030 1234', 1234.5, '2025-01-06', true, 'a@b.de'][i] as never,
        to: ['Kunde', '', 98765, '2025-02-01', false, 'c@d.de'][i] as never,
      })),
    });
    const { fake, page, el, settle } = await mount(
      'crm-activity-feed',
      () =>
        html`<crm-activity-feed
          feed-type="global"
          style="height: 300px"
          .messages=${markers(defaultActivityFeedMessages)}
        ></crm-activity-feed>`,
      (f) => {
        const inputs = [change(JUERGEN, 6), change(AYLIN, 2), change(GRETA, 1)];
        f.server.activity.seed(inputs.length, {
          spacingMs: 3 * 3_600_000,
          make: (i) => inputs[i]!,
        });
      },
    );
    const heard = listen(page);
    await fake.clock.advance(90_000);
    await settle();
    await expectNoEnglish(page, heard, 'with items', [
      'headline',
      'fieldChange',
      'fieldLabel',
      'moreChanges',
      'kindLabel',
      'everyone',
    ]);
    const scroller = el.shadowRoot!.querySelector<HTMLElement>('.scroller')!;
    scroller.scrollTop = scroller.scrollHeight;
    await settle();
    fake.server.activity.append(change(HEINZ, 1));
    await settle();
    await expectNoEnglish(page, heard, 'with new items above', [
      'newItems',
      'newItemsAnnouncement',
    ]);
  });

  it('<crm-conflict-dialog>: several fields, a base, an author, the save time', async () => {
    const page = await fixture<HTMLElement>(
      html`<div lang="de">
        <crm-conflict-dialog
          entity-label="Müller GmbH"
          .localData=${{ status: 'Kunde', value: 1234.5, active: true, renewal: '2025-03-01' }}
          .remoteData=${{ status: 'Interessent', value: 2000, active: false, renewal: '2025-04-01' }}
          .baseData=${{ status: 'Neu', value: 1000, active: true, renewal: null }}
          .conflictedFields=${['status', 'value', 'active', 'renewal']}
          .remoteAuthor=${JUERGEN}
          remote-changed-at=${Date.now() - 3 * 60_000}
          .messages=${markers(defaultConflictMessages)}
        ></crm-conflict-dialog>
      </div>`,
    );
    const el = page.querySelector('crm-conflict-dialog')!;
    el.open = true;
    await el.updateComplete;
    await expectNoEnglish(page, [], 'in the open dialog', [
      'title',
      'description',
      'savedAt',
      'was',
      'yes',
      'no',
      'empty',
      'summary',
    ]);
  });

  it('<crm-collaborative-form>: others editing, a change held back, a refused save', async () => {
    const { fake, page, settle } = await mount(
      'crm-collaborative-form',
      (f) =>
        html`<crm-collaborative-form
          entity-type="customer"
          entity-id="42"
          .clock=${f.clock}
          .messages=${markers(defaultCollaborativeFormMessages)}
        >
          <form>
            <label for="f-name">Ansprechpartner</label><input id="f-name" name="name" />
            <label for="f-phone">Telefon</label><input id="f-phone" name="phone" />
            <input name="city" />
            <button>Speichern</button>
          </form>
        </crm-collaborative-form>`,
      (f) => {
        f.server.entities.put({
          type: 'customer',
          id: '42',
          fields: { name: 'Jürgen', phone: '030', city: 'Köln' },
        });
        f.server.addPerson(`customer:42`, JUERGEN, {
          activity: { kind: 'editing', field: 'phone' },
        });
        f.server.addPerson(`customer:42`, AYLIN, { activity: { kind: 'editing', field: 'phone' } });
        f.server.addPerson(`customer:42`, GRETA, { activity: { kind: 'editing', field: 'phone' } });
      },
    );
    const heard = listen(page);
    const name = page.querySelector<HTMLInputElement>('[name="name"]')!;
    name.focus();
    await sendKeys({ type: 'x' });
    await settle();
    await expectNoEnglish(page, heard, 'while others edit', [
      'editorTab',
      'moreEditors',
      'editingDescription',
      'unsaved',
    ]);
    // Someone changes the field the user is in, and the city: held back, and announced.
    fake.server.entities.remoteUpdate('customer', '42', { name: 'Jörg', city: 'Bonn' }, AYLIN);
    await settle();
    await expectNoEnglish(page, heard, 'with a change held back', [
      'heldTab',
      'heldDescription',
      'remoteChanged',
      'remoteHeld',
    ]);
    // The user may no longer change the record: the save is refused and rolled back.
    fake.server.entities.authorize = (user, _e, access) => access === 'read' || user.id !== ME.id;
    const phone = page.querySelector<HTMLInputElement>('[name="phone"]')!;
    phone.focus();
    await sendKeys({ type: '9' });
    page.querySelector('form')!.requestSubmit();
    await settle();
    await expectNoEnglish(page, heard, 'after a refused save', [
      'errorTab',
      'notSaved',
      'saveFailed',
      'restore',
      'errorDescription',
    ]);
  });

  it('<crm-collaborative-form>: a conflict, and the dialog it opens', async () => {
    const { fake, page, settle } = await mount(
      'crm-collaborative-form',
      (f) =>
        html`<crm-collaborative-form
          entity-type="customer"
          entity-id="42"
          .clock=${f.clock}
          .messages=${markers(defaultCollaborativeFormMessages)}
          .conflictMessages=${markers(defaultConflictMessages)}
        >
          <form>
            <label for="f-phone">Telefon</label><input id="f-phone" name="phone" />
            <button>Speichern</button>
          </form>
        </crm-collaborative-form>`,
      (f) => f.server.entities.put({ type: 'customer', id: '42', fields: { phone: '030' } }),
    );
    // The user saves a phone number Aylin changed meanwhile.
    const phone = page.querySelector<HTMLInputElement>('[name="phone"]')!;
    phone.focus();
    await sendKeys({ type: '9' });
    fake.server.entities.remoteUpdate('customer', '42', { phone: '040' }, AYLIN);
    await settle();
    page.querySelector('form')!.requestSubmit();
    await settle();
    await expectNoEnglish(page, [], 'with the conflict dialog open', [
      'conflict',
      'conflictTab',
      'title',
      'mine',
      'theirs',
      'save',
    ]);
  });

  it('<crm-huddle>: before joining, someone in the call, a ring', async () => {
    const { fake, page, settle } = await mount(
      'crm-huddle',
      () =>
        html`<crm-huddle room-id=${ROOM} .messages=${markers(defaultHuddleMessages)}></crm-huddle>`,
      (f) => {
        f.server.addPerson(ROOM, JUERGEN, { inCall: true });
        f.server.addPerson(ROOM, AYLIN);
      },
    );
    const heard = listen(page);
    await settle();
    await expectNoEnglish(page, heard, 'before joining', ['label', 'inCall', 'join']);
    fake.server.broadcast(ROOM, 'call.ring', {}, AYLIN.id);
    await settle();
    await expectNoEnglish(page, heard, 'ringing', ['ringing', 'ringAnnouncement', 'dismiss']);
  });

  it('<crm-connection-status>: changes waiting offline, a refused sign-in, no provider', async () => {
    const status = () =>
      html`<crm-connection-status
          .messages=${markers(defaultConnectionStatusMessages)}
        ></crm-connection-status
        ><crm-connection-status
          compact
          .messages=${markers(defaultConnectionStatusMessages)}
        ></crm-connection-status>`;
    const waiting = await mount(
      'crm-connection-status',
      status,
      (f) => f.server.entities.put({ type: 'customer', id: '42', fields: { name: 'Müller' } }),
      { outbox: new MemoryOutboxStore() },
    );
    const live = waiting.fake.client.liveData({ entityType: 'customer', entityId: '42' });
    await waiting.fake.clock.flush();
    await goReconnecting(waiting.fake);
    void live.update({ name: 'Meier' });
    await waiting.settle();
    await expectNoEnglish(waiting.page, [], 'with changes waiting', ['changesWaiting']);
    closeFakeConnections();

    const refused = await mount('crm-connection-status', status, () => {}, {
      devUser: { id: 'u-ivy', name: 'Ivy', avatarUrl: 'javascript:alert(1)' },
    });
    await expectNoEnglish(refused.page, [], 'refused', ['refused']);

    const alone = await fixture<HTMLElement>(html`<div lang="de">${status()}</div>`);
    await alone.querySelector('crm-connection-status')!.updateComplete;
    await expectNoEnglish(alone, [], 'without a provider', ['unavailable']);
  });

  it('quiet states: no provider, an empty feed and panel, a filter matching nothing', async () => {
    const page = await fixture<HTMLElement>(
      html`<div lang="de">
        <crm-presence room-id=${ROOM} .messages=${markers(defaultPresenceMessages)}></crm-presence>
        <crm-notification-center
          .messages=${markers(defaultNotificationCenterMessages)}
        ></crm-notification-center>
        <crm-activity-feed
          feed-type="global"
          .messages=${markers(defaultActivityFeedMessages)}
        ></crm-activity-feed>
        <crm-huddle room-id=${ROOM} .messages=${markers(defaultHuddleMessages)}></crm-huddle>
      </div>`,
    );
    for (const el of page.querySelectorAll<HTMLElement & { updateComplete: Promise<boolean> }>(
      '*',
    )) {
      await el.updateComplete;
    }
    await expectNoEnglish(page, [], 'without a provider', ['notConnected']);
    closeFakeConnections();

    const { fake, el, settle } = await mount(
      'crm-activity-feed',
      () =>
        html`<crm-presence
            room-id=${ROOM}
            .messages=${markers(defaultPresenceMessages)}
          ></crm-presence>
          <crm-notification-center
            .messages=${markers(defaultNotificationCenterMessages)}
          ></crm-notification-center>
          <crm-activity-feed
            feed-type="global"
            .messages=${markers(defaultActivityFeedMessages)}
          ></crm-activity-feed>`,
      (f) =>
        f.server.activity.seed(1, {
          make: () => ({ kind: 'note.added', actor: JUERGEN, summary: 'Rückruf' }),
        }),
    );
    const heard = listen(el.parentElement!);
    const center = el.parentElement!.querySelector('crm-notification-center')!;
    center.shadowRoot!.querySelector<HTMLButtonElement>('.bell')!.click();
    // A kind of activity nobody did: the filter matches nothing.
    (el as unknown as CrmActivityFeed).filter = { kinds: ['call.logged'] };
    await settle();
    await fake.clock.advance(2000);
    await settle();
    await expectNoEnglish(el.parentElement!, heard, 'alone, empty, filtered', [
      'alone',
      'empty',
      'emptyDetail',
      'emptyFiltered',
      'clearFilters',
    ]);
    fake.environment.setOnline(false);
    await settle();
    await expectNoEnglish(el.parentElement!, heard, 'offline', ['offline']);
  });

  it('<crm-huddle>: joining, in a call, muted, a refused microphone', async () => {
    const devices = navigator.mediaDevices;
    const real = devices.getUserMedia;
    let refuse = false;
    devices.getUserMedia = async () => {
      if (refuse) throw new DOMException('refused', 'NotAllowedError');
      const audio = new AudioContext();
      const out = audio.createMediaStreamDestination();
      audio.createOscillator().connect(out);
      return out.stream;
    };
    try {
      const { page, el, settle } = await mount(
        'crm-huddle',
        () =>
          html`<crm-huddle
            room-id=${ROOM}
            .messages=${markers(defaultHuddleMessages)}
          ></crm-huddle>`,
        (f) => f.server.addPerson(ROOM, JUERGEN, { inCall: true }),
      );
      const heard = listen(page);
      const part = (name: string) =>
        el.shadowRoot!.querySelector<HTMLButtonElement>(`[part~="${name}"]`)!;
      refuse = true;
      part('join').click();
      await waitForState(el, 'denied', settle);
      await expectNoEnglish(page, heard, 'refused', ['denied', 'retry']);
      refuse = false;
      part('join').click();
      await waitForState(el, 'in-call', settle);
      part('mute').click();
      await settle();
      await expectNoEnglish(page, heard, 'in a call', [
        'selfJoined',
        'withNote',
        'mute',
        'camera',
        'share',
        'leave',
      ]);
    } finally {
      devices.getUserMedia = real;
    }
  });
});

describe('with no catalogue, times and numbers follow `lang`', () => {
  it('lang="de": "vor 2 Minuten", "Heute", "1.234,5", "06.01.2025"', async () => {
    const { fake, page, settle } = await mount(
      'crm-activity-feed',
      () =>
        html`<crm-activity-feed feed-type="global"></crm-activity-feed>
          <crm-notification-center></crm-notification-center>`,
      (f) => {
        f.server.activity.seed(1, {
          spacingMs: 60_000,
          make: () => ({
            kind: 'entity.updated',
            actor: JUERGEN,
            entity: { type: 'customer', id: '42', label: 'Müller GmbH' },
            customerId: '42',
            changes: [
              { field: 'value', from: 1000, to: 1234.5 },
              { field: 'renewal', from: null, to: '2025-01-06' },
            ],
          }),
        });
        f.server.notify({ target: { user: ME.id }, title: 'Rechnung überfällig' }, AYLIN);
      },
    );
    await fake.clock.advance(2 * 60_000);
    const center = page.querySelector('crm-notification-center')!;
    center.shadowRoot!.querySelector<HTMLButtonElement>('.bell')!.click();
    await settle();
    const feedText = readable(page.querySelector('crm-activity-feed')!).join(' ');
    expect(feedText).to.contain('vor 2 Minuten');
    expect(feedText).to.contain('1.234,5');
    expect(feedText).to.contain('06.01.2025');
    expect(feedText).to.contain('Januar 2025 um');
    const centerText = readable(center).join(' ');
    expect(centerText).to.contain('Heute');
    expect(centerText).to.contain('vor 2 Minuten');
  });
});

/** The notification center's announcer says what arrived within this many ms together. */
const ANNOUNCER_WINDOW = 1000;

describe('a typed German catalogue, from the public API', () => {
  /** Written apart from the catalogue, as a team shares it between elements: its types are public. */
  function ankuendigung(n: AnnouncedNotification, c: MessageContext): string {
    const art = n.priority ? c.list([n.type, n.priority]) : n.type;
    return `${art}: ${n.title}${n.from ? `, ${n.from}` : ''}`;
  }

  const de: Partial<NotificationCenterMessages> = {
    announcement: ankuendigung,
    type: (type) =>
      ({ info: 'Hinweis', success: 'Erledigt', warning: 'Warnung', error: 'Fehler' })[type],
    priority: (priority) =>
      ({ low: 'Niedrig', normal: 'Normal', high: 'Hoch', urgent: 'Dringend' })[priority],
    from: (name) => `von ${name}`,
  };

  it('announces an arrival in German', async () => {
    const { fake, page, settle } = await mount(
      'crm-notification-center',
      () => html`<crm-notification-center .messages=${de}></crm-notification-center>`,
    );
    const heard = listen(page);
    fake.server.notify(
      {
        target: { user: ME.id },
        title: 'Rechnung überfällig',
        type: 'warning',
        priority: 'urgent',
      },
      AYLIN,
    );
    // Arrivals are said together when the announcer's window closes.
    await fake.clock.advance(ANNOUNCER_WINDOW);
    await settle();
    expect(heard.join(' ').replace(/[\u2066-\u2069]/gu, '')).to.contain(
      'Warnung und Dringend: Rechnung überfällig, von Aylin Kaya',
    );
  });
});
