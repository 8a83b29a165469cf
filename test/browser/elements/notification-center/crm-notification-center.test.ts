/**
 * `<crm-notification-center>` against the fake server on a manual clock: defaults and attributes,
 * the badge, live toasts and their timers (hover, focus, urgent), reading, paging, day groups,
 * events, text-only rendering of what people and backends send, cleanup, and axe in every state.
 * The keyboard has its own file (notification-center-keyboard.test.ts).
 */
import { expect, fixture, html, nextFrame, oneEvent, waitUntil } from '@open-wc/testing';
import { emulateMedia, resetMouse, sendMouse } from '@web/test-runner-commands';
import { CrmNotificationCenter } from '../../../../src/elements/notification-center/crm-notification-center.js';
import type {
  CrmNotificationActionEvent,
  CrmNotificationOpenEvent,
  CrmNotificationReadEvent,
} from '../../../../src/events/notification-events.js';
import { userRoom } from '../../../../src/protocol/index.js';
import {
  closeFakeConnections,
  goReconnecting,
  recordWarnings,
  resetNoProviderWarning,
} from '../../helpers/fake-connection.js';
import {
  ME,
  badgeOf,
  bellOf,
  center,
  finishAnimations,
  isOpen,
  itemTitles,
  itemsOf,
  mountCenter,
  nextToggle,
  panelOf,
  recordSpoken,
  spoken,
  toastTitles,
  toastsOf,
} from './fixture.js';
import { accessibleNames } from '../../helpers/accessibility-tree.js';
import { expectAccessible } from '../../helpers/settled.js';
import { noUpdateAfterUpdate } from '../../helpers/lit-warnings.js';

afterEach(async () => {
  closeFakeConnections();
  await resetMouse();
  await emulateMedia({ reducedMotion: 'no-preference' });
  delete document.documentElement.dataset['crmTheme'];
});

/** Text isolated for a sentence: FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE. */
const fsi = (text: string) => `\u2068${text}\u2069`;
const XSS = '<img src=x onerror="window.__pwned = true">';

noUpdateAfterUpdate('crm-notification-center');

describe('crm-notification-center', () => {
  describe('defaults', () => {
    it('has the documented defaults', () => {
      const el = new CrmNotificationCenter();
      expect(el.maxNotifications).to.equal(50);
      expect(el.autoHideDuration).to.equal(5000);
      expect(el.toastPosition).to.equal('bottom-end');
      expect(el.markRead).to.equal('open');
      expect(el.entityLinkTemplate).to.equal('');
      expect(el.entityHref).to.equal(undefined);
      expect(el.noToasts).to.equal(false);
      expect(el.open).to.equal(false);
    });

    it('joins the user’s personal room and loads the first page of history', async () => {
      const m = await mountCenter({ seed: 3 });
      expect(m.server.received('join').map((f) => f.room)).to.include(userRoom(ME));
      expect(m.server.received('notification.list')).to.have.length(1);
      expect(m.el.items).to.have.length(3);
    });
  });

  describe('properties and attributes', () => {
    it('max-notifications ↔ maxNotifications sizes the first page', async () => {
      const m = await mountCenter({ seed: 30, attrs: { 'max-notifications': '10' } });
      expect(m.el.maxNotifications).to.equal(10);
      expect(m.server.received('notification.list')[0]!.limit).to.equal(10);
      expect(m.el.items).to.have.length(10);
    });

    it('auto-hide-duration ↔ autoHideDuration', async () => {
      const m = await mountCenter({ attrs: { 'auto-hide-duration': '2000' } });
      expect(m.el.autoHideDuration).to.equal(2000);
      await m.notify({ title: 'Short' });
      await m.clock.advance(2000);
      await m.settle();
      expect(toastsOf(m.root)).to.have.length(0);
    });

    it('toast-position is reflected once set, for CSS, and moves the stack', async () => {
      const m = await mountCenter();
      // The default writes no attribute: a server-rendered tag stays as rendered, so React's
      // hydration finds the attributes it rendered and no others.
      expect(m.el.toastPosition).to.equal('bottom-end');
      expect(m.el.hasAttribute('toast-position')).to.equal(false);
      await m.notify();
      const stack = m.root.querySelector<HTMLElement>('.toasts')!;
      expect(stack.getBoundingClientRect().bottom).to.be.closeTo(innerHeight - 16, 1);
      m.el.toastPosition = 'top-start';
      await m.settle();
      expect(m.el.getAttribute('toast-position')).to.equal('top-start');
      expect(stack.getBoundingClientRect().top).to.be.closeTo(16, 1);
      expect(stack.getBoundingClientRect().left).to.be.closeTo(16, 1);
    });

    it('no-toasts ↔ noToasts shows no toast, still counts', async () => {
      const m = await mountCenter({ attrs: { 'no-toasts': '' } });
      expect(m.el.noToasts).to.equal(true);
      await m.notify();
      expect(toastsOf(m.root)).to.have.length(0);
      expect(badgeOf(m.root).textContent!.trim()).to.equal('1');
    });

    it('bad values warn once and fall back', async () => {
      const warnings = recordWarnings();
      try {
        const m = await mountCenter({
          attrs: {
            'max-notifications': 'lots',
            'auto-hide-duration': '-5',
            'toast-position': 'middle',
            'mark-read': 'never',
          },
          seed: 60,
        });
        m.el.requestUpdate();
        await m.settle();
        expect(m.el.items).to.have.length(50);
        await m.notify();
        await m.clock.advance(5000);
        await m.settle();
        expect(toastsOf(m.root)).to.have.length(0);
        const mine = warnings.messages.filter((w) => w.includes('crm-notification-center'));
        expect(mine.filter((w) => w.includes('max-notifications="NaN"'))).to.have.length(1);
        expect(mine.filter((w) => w.includes('auto-hide-duration="-5"'))).to.have.length(1);
        expect(mine.filter((w) => w.includes('toast-position="middle"'))).to.have.length(1);
        expect(mine.filter((w) => w.includes('mark-read="never"'))).to.have.length(1);
      } finally {
        warnings.restore();
      }
    });
  });

  describe('badge', () => {
    it('is hidden at 0, and the bell says just "Notifications"', async () => {
      const m = await mountCenter({ seed: 4, unread: 0 });
      expect(badgeOf(m.root).hidden).to.equal(true);
      expect(getComputedStyle(badgeOf(m.root)).display).to.equal('none');
      expect(bellOf(m.root).getAttribute('aria-label')).to.equal('Notifications');
    });

    it('shows 3 and names it on the bell', async () => {
      const m = await mountCenter({ seed: 5, unread: 3 });
      expect(badgeOf(m.root).hidden).to.equal(false);
      expect(badgeOf(m.root).textContent!.trim()).to.equal('3');
      expect(badgeOf(m.root).getAttribute('aria-hidden')).to.equal('true');
      expect(bellOf(m.root).getAttribute('aria-label')).to.equal('Notifications, 3 unread');
    });

    it('says 9+ above 9, while the label keeps the real count', async () => {
      const m = await mountCenter({ seed: 12 });
      expect(badgeOf(m.root).textContent!.trim()).to.equal('9+');
      expect(bellOf(m.root).getAttribute('aria-label')).to.equal('Notifications, 12 unread');
    });

    it('counts unread ones that are not loaded yet', async () => {
      const m = await mountCenter({ seed: 70, attrs: { 'max-notifications': '20' } });
      expect(m.el.items).to.have.length(20);
      expect(m.el.unread).to.equal(70);
    });
  });

  describe('live notifications', () => {
    it('a new one makes a toast, bumps the badge and joins the top of the history', async () => {
      const m = await mountCenter({ seed: 2 });
      await m.notify({ title: 'Deal won', type: 'success' });
      expect(toastTitles(m.root)).to.deep.equal(['Deal won']);
      expect(badgeOf(m.root).textContent!.trim()).to.equal('3');
      expect(m.el.items[0]!.title).to.equal('Deal won');
      await m.open();
      expect(itemTitles(m.root)[0]).to.equal('Deal won');
    });

    it('history is never toasted', async () => {
      const m = await mountCenter({ seed: 5 });
      expect(toastsOf(m.root)).to.have.length(0);
    });

    it('a notification for someone else never shows', async () => {
      const m = await mountCenter();
      m.server.notify({ target: { user: 'u-other' }, title: 'Not yours' });
      await m.settle();
      expect(toastsOf(m.root)).to.have.length(0);
      expect(m.el.unread).to.equal(0);
    });

    it('rings the bell (an animation class, removed when it ends)', async () => {
      const m = await mountCenter();
      await m.notify();
      expect(bellOf(m.root).classList.contains('ringing')).to.equal(true);
      await finishAnimations(m);
      expect(bellOf(m.root).classList.contains('ringing')).to.equal(false);
    });
  });

  describe('toasts', () => {
    it('hide after auto-hide-duration on the injected clock', async () => {
      const m = await mountCenter();
      await m.notify({ title: 'One' });
      await m.clock.advance(4999);
      await m.settle();
      expect(toastTitles(m.root)).to.deep.equal(['One']);
      await m.clock.advance(1);
      await m.settle();
      expect(toastTitles(m.root)).to.deep.equal([]);
      // Animated out, then gone from the DOM.
      await finishAnimations(m);
      expect(m.root.querySelectorAll('.toast')).to.have.length(0);
    });

    it('pause while hovered and resume with the time left', async () => {
      const m = await mountCenter();
      await m.notify({ title: 'Hover me' });
      await m.clock.advance(3000);
      await sendMouse({ type: 'move', position: center(toastsOf(m.root)[0]!) });
      await m.settle();
      await m.clock.advance(60_000);
      await m.settle();
      expect(toastTitles(m.root)).to.deep.equal(['Hover me']);
      expect(m.root.querySelector('.toasts')!.hasAttribute('data-paused')).to.equal(true);
      await sendMouse({ type: 'move', position: [2, 2] });
      await m.settle();
      await m.clock.advance(1999);
      await m.settle();
      expect(toastTitles(m.root)).to.deep.equal(['Hover me']);
      await m.clock.advance(1);
      await m.settle();
      expect(toastTitles(m.root)).to.deep.equal([]);
    });

    it('pause while focused and resume when the focus leaves', async () => {
      const m = await mountCenter();
      await m.notify({ title: 'Focus me' });
      await m.clock.advance(1000);
      toastsOf(m.root)[0]!.focus();
      await m.settle();
      await m.clock.advance(60_000);
      await m.settle();
      expect(toastTitles(m.root)).to.deep.equal(['Focus me']);
      bellOf(m.root).focus();
      await m.settle();
      await m.clock.advance(4000);
      await m.settle();
      expect(toastTitles(m.root)).to.deep.equal([]);
    });

    it('pause while the page is hidden', async () => {
      const m = await mountCenter();
      await m.notify({ title: 'Seen later' });
      await m.clock.advance(1000);
      const visibility = Object.getOwnPropertyDescriptor(Document.prototype, 'visibilityState')!;
      try {
        Object.defineProperty(document, 'visibilityState', { configurable: true, value: 'hidden' });
        document.dispatchEvent(new Event('visibilitychange'));
        await m.clock.advance(60_000);
        await m.settle();
        expect(toastTitles(m.root)).to.deep.equal(['Seen later']);
      } finally {
        delete (document as { visibilityState?: unknown }).visibilityState;
        Object.defineProperty(Document.prototype, 'visibilityState', visibility);
      }
      document.dispatchEvent(new Event('visibilitychange'));
      await m.clock.advance(4000);
      await m.settle();
      expect(toastTitles(m.root)).to.deep.equal([]);
    });

    it('urgent ones stay until dismissed', async () => {
      const m = await mountCenter();
      await m.notify({ title: 'Server down', priority: 'urgent', type: 'error' });
      await m.clock.advance(3_600_000);
      await m.settle();
      expect(toastTitles(m.root)).to.deep.equal(['Server down']);
      expect(toastsOf(m.root)[0]!.querySelector('.countdown')).to.equal(null);
      toastsOf(m.root)[0]!.querySelector<HTMLButtonElement>('.dismiss')!.click();
      await m.settle();
      expect(toastTitles(m.root)).to.deep.equal([]);
    });

    it('auto-hide-duration 0 keeps every toast until dismissed', async () => {
      const m = await mountCenter({ attrs: { 'auto-hide-duration': '0' } });
      await m.notify();
      await m.clock.advance(600_000);
      await m.settle();
      expect(toastsOf(m.root)).to.have.length(1);
    });

    it('the dismiss button removes the toast, and dismissing does not mark it read', async () => {
      const m = await mountCenter();
      await m.notify({ title: 'Bye' });
      const dismiss = toastsOf(m.root)[0]!.querySelector<HTMLButtonElement>('.dismiss')!;
      // Said once: a description repeating the name read "Dismiss: Bye, Dismiss: Bye".
      expect(spoken(dismiss)).to.deep.equal(['Dismiss: Bye']);
      dismiss.click();
      await m.settle();
      expect(toastsOf(m.root)).to.have.length(0);
      expect(m.el.unread).to.equal(1);
    });

    it('non-urgent arrivals are announced politely, urgent ones assertively', async () => {
      const m = await mountCenter();
      const spoken = recordSpoken(m.root);
      await m.notify({ title: 'FYI' });
      await m.notify({ title: 'Now!', priority: 'urgent' });
      await m.clock.advance(1000);
      await m.settle();
      expect(spoken.of('FYI').map((h) => h.live)).to.deep.equal(['polite']);
      expect(spoken.of('Now!').map((h) => h.live)).to.deep.equal(['assertive']);
      spoken.stop();
    });

    it('the live regions exist before the first toast, so it is heard', async () => {
      const m = await mountCenter();
      const regions = [...m.root.querySelectorAll('[aria-live]')].map((r) =>
        r.getAttribute('aria-live'),
      );
      expect(regions.sort()).to.deep.equal(['assertive', 'polite']);
      await nextFrame();
      expect(m.root.querySelector('.toasts')!.matches(':popover-open')).to.equal(true);
    });

    it("an empty stack opens in the next frame, leaving the page's layout to it", async () => {
      // Opening a popover lays the page out on the spot: in the first render of a page's widgets,
      // the whole page, inside the task that upgrades them all.
      const m = await mountCenter();
      // A second center, checked in the task that renders it (mounting the first one took frames).
      const el = document.createElement('crm-notification-center');
      m.el.after(el);
      await el.updateComplete;
      const stack = el.shadowRoot!.querySelector<HTMLElement>('.toasts')!;
      expect(stack.matches(':popover-open')).to.equal(false);
      await nextFrame();
      expect(stack.matches(':popover-open')).to.equal(true);
    });

    it('a toast that arrives before that frame opens the stack with it', async () => {
      const m = await mountCenter();
      await m.notify({ title: 'Early' });
      expect(toastsOf(m.root)).to.have.length(1);
      expect(m.root.querySelector('.toasts')!.matches(':popover-open')).to.equal(true);
    });

    it('clicking a toast opens it: the open event, then read, then gone', async () => {
      const m = await mountCenter();
      const n = await m.notify({ title: 'Open me' });
      const opened = oneEvent(m.el, 'crm-notification-open') as Promise<CrmNotificationOpenEvent>;
      toastsOf(m.root)[0]!.querySelector<HTMLElement>('.title')!.click();
      const event = await opened;
      expect(event.notification.id).to.equal(n.id);
      expect(event.source).to.equal('toast');
      await m.settle();
      expect(toastsOf(m.root)).to.have.length(0);
      expect(m.server.notifications.unread(ME)).to.equal(0);
    });

    it('opening a toast without a link shows it in the panel, focused', async () => {
      const m = await mountCenter({ seed: 3, unread: 0, attrs: { 'auto-hide-duration': '0' } });
      const n = await m.notify({ title: 'Look' });
      await m.notify({ title: 'Newer' });
      toastsOf(m.root)[0]!.click();
      await m.settle();
      await m.settle();
      expect(isOpen(m.root)).to.equal(true);
      expect(m.root.activeElement?.getAttribute('data-id')).to.equal(n.id);
    });

    it('keeps at most five, dropping the oldest non-urgent first', async () => {
      const m = await mountCenter({ attrs: { 'auto-hide-duration': '0' } });
      await m.notify({ title: 'U', priority: 'urgent' });
      for (const t of ['A', 'B', 'C', 'D', 'E']) await m.notify({ title: t });
      expect(toastTitles(m.root).sort()).to.deep.equal(['B', 'C', 'D', 'E', 'U']);
    });

    it('a toast of a notification read elsewhere goes away', async () => {
      const m = await mountCenter();
      const n = await m.notify({ title: 'Read on my phone', priority: 'urgent' });
      m.server.notifications.markRead(ME, [n.id]);
      await m.settle();
      expect(toastsOf(m.root)).to.have.length(0);
    });
  });

  describe('reading', () => {
    it('mark-read="open" (default): what the panel shows is read at once, tinted until it closes', async () => {
      const m = await mountCenter({ seed: 4 });
      const read = oneEvent(m.el, 'crm-notification-read') as Promise<CrmNotificationReadEvent>;
      await m.open();
      const event = await read;
      expect(event.reason).to.equal('open-panel');
      expect(event.ids).to.have.length(4);
      await m.settle();
      expect(m.server.notifications.unread(ME)).to.equal(0);
      expect(badgeOf(m.root).hidden).to.equal(true);
      expect(itemsOf(m.root).filter((i) => i.hasAttribute('data-unread'))).to.have.length(4);
      m.el.hide();
      await m.settle();
      await m.open();
      expect(itemsOf(m.root).filter((i) => i.hasAttribute('data-unread'))).to.have.length(0);
    });

    it('mark-read="item": opening the panel reads nothing; the item button reads one', async () => {
      const m = await mountCenter({ seed: 3, attrs: { 'mark-read': 'item' } });
      await m.open();
      expect(m.server.notifications.unread(ME)).to.equal(3);
      const buttons = m.root.querySelectorAll<HTMLButtonElement>('.mark-read');
      expect(buttons).to.have.length(3);
      expect(spoken(buttons[1]!)).to.deep.equal([`Mark as read: ${fsi(itemTitles(m.root)[1]!)}`]);
      buttons[1]!.click();
      await m.settle();
      expect(m.server.notifications.unread(ME)).to.equal(2);
      expect(m.el.items[1]!.read).to.equal(true);
      expect(itemsOf(m.root)[1]!.hasAttribute('data-unread')).to.equal(false);
      expect(badgeOf(m.root).textContent!.trim()).to.equal('2');
    });

    it('opening an item reads it', async () => {
      const m = await mountCenter({ seed: 3, attrs: { 'mark-read': 'item' } });
      await m.open();
      itemsOf(m.root)[2]!.click();
      await m.settle();
      expect(m.el.items[2]!.read).to.equal(true);
      expect(m.server.notifications.unread(ME)).to.equal(2);
    });

    it('"mark all as read" reads every one, loaded or not', async () => {
      const m = await mountCenter({
        seed: 80,
        attrs: { 'mark-read': 'item', 'max-notifications': '20' },
      });
      await m.open();
      const markAll = m.root.querySelector<HTMLButtonElement>('.mark-all')!;
      expect(markAll.disabled).to.equal(false);
      const read = oneEvent(m.el, 'crm-notification-read') as Promise<CrmNotificationReadEvent>;
      markAll.click();
      expect((await read).ids).to.equal('all');
      await m.settle();
      expect(m.server.notifications.unread(ME)).to.equal(0);
      expect(m.el.unread).to.equal(0);
      expect(markAll.disabled).to.equal(true);
      expect(m.server.received('notification.read').map((f) => f.ids)).to.deep.equal(['all']);
    });

    it('another tab reading keeps this one in step', async () => {
      const m = await mountCenter({ seed: 3, attrs: { 'mark-read': 'item' } });
      m.server.notifications.markRead(ME, 'all');
      await m.settle();
      expect(m.el.unread).to.equal(0);
      expect(badgeOf(m.root).hidden).to.equal(true);
    });
  });

  describe('history', () => {
    it('loads older pages when the list is scrolled to its end', async () => {
      const m = await mountCenter({ seed: 120, unread: 0 });
      await m.open();
      expect(itemsOf(m.root)).to.have.length(50);
      const list = m.root.querySelector<HTMLElement>('.list')!;
      list.scrollTop = list.scrollHeight;
      list.dispatchEvent(new Event('scroll'));
      await m.settle();
      expect(itemsOf(m.root)).to.have.length(100);
      const pages = m.server.received('notification.list');
      expect(pages).to.have.length(2);
      expect(pages[1]!.before).to.be.a('string');
      list.scrollTop = list.scrollHeight;
      list.dispatchEvent(new Event('scroll'));
      await m.settle();
      expect(itemsOf(m.root)).to.have.length(120);
      // Nothing more to load: scrolling again asks for nothing.
      list.dispatchEvent(new Event('scroll'));
      await m.settle();
      expect(m.server.received('notification.list')).to.have.length(3);
    });

    it('does not load more while the list is scrolled near the top', async () => {
      const m = await mountCenter({ seed: 120, unread: 0 });
      await m.open();
      const list = m.root.querySelector<HTMLElement>('.list')!;
      list.scrollTop = 100;
      list.dispatchEvent(new Event('scroll'));
      await m.settle();
      expect(m.server.received('notification.list')).to.have.length(1);
    });

    it('shows newest first, grouped by day: Today, Yesterday, then dates', async () => {
      // 7 hours apart, from 09:00 on the clock's day back over several days.
      const m = await mountCenter({ seed: 12, spacingMs: 7 * 3_600_000, unread: 0 });
      await m.open();
      const days = [...m.root.querySelectorAll('.day')].map((d) => d.textContent!.trim());
      expect(days[0]).to.equal('Today');
      expect(days[1]).to.equal('Yesterday');
      const third = new Date(m.clock.now() - 2 * 86_400_000);
      expect(days[2]).to.equal(
        new Intl.DateTimeFormat('en', { weekday: 'long', day: 'numeric', month: 'long' }).format(
          third,
        ),
      );
      const times = m.el.items.map((n) => n.createdAt);
      expect([...times].sort((a, b) => b - a)).to.deep.equal(times);
      // Each group is a labelled group of its items.
      const group = m.root.querySelector('.group')!;
      expect(group.getAttribute('role')).to.equal('group');
      expect(m.root.getElementById(group.getAttribute('aria-labelledby')!)!.textContent).to.equal(
        'Today',
      );
    });

    it('times are relative, in the page’s language, with the absolute time in <time datetime>', async () => {
      const m = await mountCenter({ seed: 2, spacingMs: 3 * 60_000, attrs: { lang: 'de' } });
      await m.open();
      const times = [...m.root.querySelectorAll('.item time')];
      expect(times[1]!.textContent!.trim()).to.equal('vor 3 Minuten');
      expect(times[1]!.getAttribute('datetime')).to.equal(
        new Date(m.clock.now() - 3 * 60_000).toISOString(),
      );
      expect(m.root.querySelector('.day')!.textContent!.trim()).to.equal('Heute');
    });

    it('relative times move on with the clock while the panel is open', async () => {
      const m = await mountCenter({ seed: 1 });
      await m.open();
      expect(m.root.querySelector('.item time')!.textContent!.trim()).to.equal('now');
      await m.clock.advance(5 * 60_000);
      await m.settle();
      expect(m.root.querySelector('.item time')!.textContent!.trim()).to.equal('5 minutes ago');
    });

    it('says so when there is nothing', async () => {
      const m = await mountCenter();
      await m.open();
      expect(m.root.querySelector('[part="state"]')!.textContent).to.contain('No notifications');
    });
  });

  describe('items', () => {
    it('shows type, priority (in words, not colour alone), title, message and sender', async () => {
      const m = await mountCenter({ attrs: { 'mark-read': 'item' } });
      await m.notify({
        title: 'Invoice overdue',
        message: 'Due 3 days ago',
        type: 'warning',
        priority: 'urgent',
      });
      await m.open();
      const item = itemsOf(m.root)[0]!;
      expect(item.dataset['type']).to.equal('warning');
      expect(item.querySelector('.priority')!.textContent!.trim()).to.equal('Urgent');
      expect(item.querySelector('.message')!.textContent).to.equal('Due 3 days ago');
      const name = item
        .getAttribute('aria-labelledby')!
        .split(' ')
        .map((id) => m.root.getElementById(id)!.textContent!.trim())
        .filter(Boolean)
        .join(' ');
      expect(name).to.equal('Unread Warning Urgent Invoice overdue');
    });

    it('marks high priority, and leaves normal and low unmarked', async () => {
      const m = await mountCenter();
      await m.notify({ title: 'Low', priority: 'low' });
      await m.notify({ title: 'Normal' });
      await m.notify({ title: 'High', priority: 'high' });
      await m.open();
      const chips = itemsOf(m.root).map((i) => i.querySelector('.priority')?.textContent?.trim());
      expect(chips).to.deep.equal(['High', undefined, undefined]);
    });

    it('says the priority in words, not in the capitals of its chip', async () => {
      const m = await mountCenter({ attrs: { 'mark-read': 'item', 'auto-hide-duration': '0' } });
      await m.notify({ title: 'Deal won', priority: 'high' });
      await m.notify({ title: 'Billing down', priority: 'urgent', type: 'error' });
      const chip = toastsOf(m.root)[0]!.querySelector('.priority')!;
      expect(getComputedStyle(chip).textTransform, 'the look is kept').to.equal('uppercase');
      await m.open();
      const names = await accessibleNames();
      expect(names).to.deep.include.members([
        { role: 'listitem', name: 'Unread Information High Deal won' },
        { role: 'listitem', name: 'Unread Error Urgent Billing down' },
      ]);
      expect(names.filter(({ name }) => /HIGH|URGENT/.test(name))).to.deep.equal([]);
    });

    it('entity links need entity-link-template (or entityHref); none by default', async () => {
      const m = await mountCenter();
      const entity = { type: 'customer', id: '42', label: 'Difference Ltd' };
      await m.notify({ title: 'Updated', entity });
      await m.open();
      expect(m.root.querySelector('.item a.entity')).to.equal(null);
      m.el.entityLinkTemplate = '/crm/{type}s/{id}';
      await m.settle();
      const link = m.root.querySelector<HTMLAnchorElement>('.item a.entity')!;
      expect(link.getAttribute('href')).to.equal('/crm/customers/42');
      expect(link.textContent!.trim()).to.equal('Difference Ltd');
      m.el.entityHref = (e) => `https://crm.example.com/${e.type}/${e.id}`;
      await m.settle();
      expect(link.getAttribute('href')).to.equal('https://crm.example.com/customer/42');
    });

    it('actions: a URL is a link, an event fires crm-notification-action and reads the item', async () => {
      const m = await mountCenter({ attrs: { 'mark-read': 'item' } });
      await m.notify({
        title: 'Call back',
        actions: [
          { label: 'Open deal', url: '/deals/7' },
          { label: 'Call now', event: 'call-back' },
        ],
      });
      await m.open();
      const [link, button] = [...itemsOf(m.root)[0]!.querySelectorAll<HTMLElement>('.action')];
      expect(link!.tagName).to.equal('A');
      expect(link!.getAttribute('href')).to.equal('/deals/7');
      expect(button!.tagName).to.equal('BUTTON');
      const acted = oneEvent(
        m.el,
        'crm-notification-action',
      ) as Promise<CrmNotificationActionEvent>;
      button!.click();
      const event = await acted;
      expect(event.action).to.deep.equal({ label: 'Call now', event: 'call-back' });
      expect(event.notification.title).to.equal('Call back');
      expect(event.source).to.equal('panel');
      expect(event.bubbles && event.composed).to.equal(true);
      await m.settle();
      expect(m.server.notifications.unread(ME)).to.equal(0);
    });
  });

  describe('events', () => {
    it('crm-notification-open is a cancelable request with the entity link', async () => {
      const m = await mountCenter({ attrs: { 'entity-link-template': '/customers/{id}' } });
      await m.notify({ title: 'Go', entity: { type: 'customer', id: '9' } });
      await m.open();
      let defaultPrevented = false;
      m.el.addEventListener('crm-notification-open', (e) => e.preventDefault(), { once: true });
      const link = m.root.querySelector<HTMLAnchorElement>('.item a.entity')!;
      const opened = oneEvent(m.el, 'crm-notification-open') as Promise<CrmNotificationOpenEvent>;
      link.addEventListener(
        'click',
        (e) => queueMicrotask(() => (defaultPrevented = e.defaultPrevented)),
        {
          once: true,
        },
      );
      link.click();
      const event = await opened;
      expect(event.href).to.equal('/customers/9');
      expect(event.cancelable && event.bubbles && event.composed).to.equal(true);
      await m.settle();
      // The page routed itself: the browser did not follow the link.
      expect(defaultPrevented).to.equal(true);
      expect(m.el.items[0]!.read).to.equal(true);
    });

    it('Enter on an item with a link asks the page first, and follows only if allowed', async () => {
      const m = await mountCenter({ attrs: { 'entity-link-template': '#entity-{id}' } });
      await m.notify({ title: 'Go', entity: { type: 'customer', id: '9' } });
      await m.open();
      m.el.addEventListener('crm-notification-open', (e) => e.preventDefault(), { once: true });
      const before = location.href;
      itemsOf(m.root)[0]!.dispatchEvent(
        new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }),
      );
      await m.settle();
      expect(location.href).to.equal(before);
      itemsOf(m.root)[0]!.dispatchEvent(
        new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }),
      );
      await m.settle();
      expect(location.hash).to.equal('#entity-9');
      history.replaceState(null, '', before);
    });
  });

  describe('text only', () => {
    it('a title or message with markup shows the markup as text', async () => {
      const m = await mountCenter();
      await m.notify({ title: XSS, message: `<b>bold</b> ${XSS}` });
      expect(toastsOf(m.root)[0]!.querySelector('.title')!.textContent).to.equal(XSS);
      await m.open();
      expect(itemsOf(m.root)[0]!.querySelector('.title')!.textContent).to.equal(XSS);
      expect(itemsOf(m.root)[0]!.querySelector('.message')!.textContent).to.equal(
        `<b>bold</b> ${XSS}`,
      );
      expect(m.root.querySelector('img')).to.equal(null);
      expect(m.root.querySelector('b')).to.equal(null);
      expect((window as { __pwned?: boolean }).__pwned).to.equal(undefined);
    });

    it('a javascript: entity link never becomes an href', async () => {
      const m = await mountCenter({
        props: { entityHref: () => 'javascript:window.__pwned=true' },
      });
      await m.notify({ title: 'Trap', entity: { type: 'customer', id: '1' } });
      await m.open();
      expect(m.root.querySelector('a.entity')).to.equal(null);
      expect(
        [...m.root.querySelectorAll('[href]')].filter((a) =>
          a.getAttribute('href')!.toLowerCase().includes('javascript'),
        ),
      ).to.deep.equal([]);
    });

    it('a javascript: template makes no link', async () => {
      const m = await mountCenter({ attrs: { 'entity-link-template': 'javascript:go({id})' } });
      await m.notify({ title: 'Trap', entity: { type: 'customer', id: '1' } });
      await m.open();
      expect(m.root.querySelector('a.entity')).to.equal(null);
      expect(m.root.querySelector('[href^="javascript" i]')).to.equal(null);
    });

    it('a javascript: action from a rogue backend is refused with its notification', async () => {
      const warnings = recordWarnings();
      try {
        const m = await mountCenter();
        // Bypasses the server's own validation: the client must still refuse it.
        m.server.broadcast(userRoom(ME), 'notification', {
          id: 'n-rogue',
          target: { user: ME },
          type: 'info',
          priority: 'normal',
          title: 'Click me',
          actions: [{ label: 'Win', url: 'javascript:alert(1)' }],
          createdAt: m.clock.now(),
          read: false,
        });
        await m.settle();
        expect(toastsOf(m.root)).to.have.length(0);
        expect(m.root.querySelector('[href^="javascript" i]')).to.equal(null);
      } finally {
        warnings.restore();
      }
    });
  });

  describe('connection', () => {
    it('without a provider: a "not connected" bell and panel, one warning, no throw', async () => {
      resetNoProviderWarning();
      const warnings = recordWarnings();
      try {
        const el = await fixture<CrmNotificationCenter>(
          html`<crm-notification-center></crm-notification-center>`,
        );
        const root = el.shadowRoot!;
        // The warning waits for the page's load and a task, in case a provider arrives late.
        await waitUntil(() => warnings.messages.length > 0, 'a warning is logged');
        expect(bellOf(root).getAttribute('aria-label')).to.equal('Notifications, not connected');
        expect(root.querySelector('[part="not-connected"]')).to.not.equal(null);
        const toggled = nextToggle(panelOf(root));
        el.show();
        await toggled;
        await el.updateComplete;
        expect(panelOf(root).textContent).to.contain('Not connected');
        expect(
          warnings.messages.filter((w) => w.includes('crm-notification-center')),
        ).to.have.length(1);
        await expectAccessible(el);
      } finally {
        warnings.restore();
      }
    });

    it('while reconnecting, the history stays and a notice says why nothing moves', async () => {
      const m = await mountCenter({ seed: 3 });
      await goReconnecting(m);
      await m.settle();
      await m.open();
      expect(itemsOf(m.root)).to.have.length(3);
      expect(m.root.querySelector('[part="notice"]')!.textContent).to.contain('Reconnecting');
    });
  });

  describe('cleanup', () => {
    it('leaves the personal room and shows nothing more when removed', async () => {
      const m = await mountCenter({ seed: 1 });
      expect(m.client.heldRooms().get(userRoom(ME))).to.equal(1);
      await m.notify();
      m.el.remove();
      await m.settle();
      expect(m.client.heldRooms().has(userRoom(ME))).to.equal(false);
      expect(m.server.received('leave').map((f) => f.room)).to.deep.equal([userRoom(ME)]);
      // The toast's countdown and the relative-time tick were on the client's clock: both gone.
      let updates = 0;
      const requestUpdate = m.el.requestUpdate.bind(m.el);
      m.el.requestUpdate = (...args: Parameters<typeof requestUpdate>) => {
        updates += 1;
        requestUpdate(...args);
      };
      await m.clock.advance(600_000);
      expect(updates).to.equal(0);
      m.server.notify({ target: { user: ME }, title: 'After' });
      await m.settle();
      expect(m.root.querySelectorAll('.toast')).to.have.length(0);
    });
  });

  describe('motion', () => {
    it('under reduced motion toasts do not slide in and no countdown runs down', async () => {
      await emulateMedia({ reducedMotion: 'reduce' });
      const m = await mountCenter();
      await m.notify({ title: 'Calm' });
      const toast = toastsOf(m.root)[0]!;
      expect(getComputedStyle(toast.querySelector('.countdown')!).display).to.equal('none');
      expect(getComputedStyle(toast).animationName).to.equal('toast-in');
      expect(parseFloat(getComputedStyle(toast).animationDuration)).to.be.below(0.001);
    });
  });

  describe('axe', () => {
    it('closed, with unread', async () => {
      const m = await mountCenter({ seed: 3 });
      await expectAccessible(m.el);
    });

    it('open with items of every type and priority, links and actions', async () => {
      const m = await mountCenter({
        seed: 8,
        attrs: { 'entity-link-template': '/customers/{id}', 'mark-read': 'item' },
      });
      await m.notify({
        title: 'Urgent',
        type: 'error',
        priority: 'urgent',
        actions: [{ label: 'Retry', event: 'retry' }],
      });
      await m.open();
      await finishAnimations(m);
      expect(isOpen(m.root)).to.equal(true);
      await expectAccessible(m.el);
    });

    it('open and empty', async () => {
      const m = await mountCenter();
      await m.open();
      await finishAnimations(m);
      await expectAccessible(m.el);
    });

    it('with toasts', async () => {
      const m = await mountCenter();
      await m.notify({ title: 'Info', message: 'Some text' });
      await m.notify({ title: 'Done', type: 'success', actions: [{ label: 'View', url: '/x' }] });
      await finishAnimations(m);
      await expectAccessible(m.el);
    });

    it('with an urgent toast', async () => {
      const m = await mountCenter();
      await m.notify({ title: 'Sync failed', type: 'error', priority: 'urgent' });
      await finishAnimations(m);
      await expectAccessible(m.el);
    });

    it('dark theme, open with items and a toast', async () => {
      document.documentElement.dataset['crmTheme'] = 'dark';
      const m = await mountCenter({ seed: 6, attrs: { 'entity-link-template': '/c/{id}' } });
      await m.notify({ title: 'Urgent', type: 'error', priority: 'urgent' });
      await m.open();
      await finishAnimations(m);
      await expectAccessible(m.el);
    });

    it('loading the first page', async () => {
      const m = await mountCenter({ seed: 3 });
      m.server.blackhole(true);
      await goReconnecting(m);
      await m.open();
      await finishAnimations(m);
      await expectAccessible(m.el);
    });
  });
});
