/* global document */
// The dashboard: a summary of the accounts, the customers that need attention, the next
// meetings, and the CRM's global activity feed (`<crm-activity-feed feed-type="global">`). The
// figures and lists come from the customers as the server stores them and follow every saved
// change live (see records.js).
import { currentPerson, formatDateTime, h, icon, money, relativeTime, statusBadge } from './app.js';
import { companyMark } from './customers.js';
import { cachedElements, updateChildren, watchCustomers } from './records.js';

/** @param {string} selector */
const one = (selector) => document.querySelector(selector);

/** @param {string} label @param {string} value @param {string} note @param {string} [tone] */
function stat(label, value, note, tone = '') {
  return h(
    'li',
    { class: `stat ${tone}` },
    h('span', { class: 'stat-label' }, label),
    h('span', { class: 'stat-value' }, value),
    h('span', { class: 'stat-note subtle' }, note),
  );
}

/** Rows of the "needs attention" and "upcoming" lists, at most. */
const ATTENTION_ROWS = 5;
const UPCOMING_ROWS = 4;

/** A customer row of the side lists: mark, name, what to say about it. */
function customerLink(/** @type {import('./data.js').Customer} */ customer, ...detail) {
  return h(
    'li',
    {},
    h(
      'a',
      { class: 'mini-item', href: `customer.html?id=${customer.id}` },
      companyMark(customer.company),
      h(
        'span',
        { class: 'stacked' },
        h('span', { class: 'strong' }, customer.company),
        h('span', { class: 'subtle' }, ...detail),
      ),
    ),
  );
}

/**
 * Renders the greeting, then the summary and lists from the stored customers, kept live.
 * @param {Element | null} provider the page's `<crm-realtime-provider>`, its `url` set
 */
export function renderDashboard(provider) {
  const me = currentPerson();
  const greeting = one('[data-greeting]');
  if (greeting) {
    const hour = new Date().getHours();
    const part = hour < 12 ? 'morning' : hour < 18 ? 'afternoon' : 'evening';
    greeting.textContent = `Good ${part}, ${me.name.split(' ')[0]}. Here is what moves in your CRM.`;
  }
  // Links are made again only when what they show changed, so a focused one keeps the focus.
  const attentionItems = cachedElements(attentionItem);
  const upcomingItems = cachedElements(meetingItem);
  watchCustomers(provider, ({ customers, loading }) => {
    if (loading) renderLoading();
    else renderSummary(customers, me.id, attentionItems, upcomingItems);
  });
}

/** A customer needing attention: when they were last contacted, and their status. */
function attentionItem(/** @type {import('./data.js').Customer} */ customer) {
  const item = customerLink(customer, 'Last contact ', relativeTime(customer.lastContact));
  item.querySelector('.mini-item')?.append(statusBadge(customer.status));
  return item;
}

/**
 * A meeting coming up, with its customer.
 * @param {{ customer: import('./data.js').Customer; meeting: { at: string; title: string } }} next
 */
function meetingItem({ customer, meeting }) {
  const item = customerLink(customer, formatDateTime(meeting.at), ` · ${meeting.title}`);
  item
    .querySelector('.mini-item')
    ?.prepend(h('span', { class: 'timeline-icon' }, icon('calendar')));
  item.querySelector('.company-mark')?.remove();
  return item;
}

/** What the summary shows until the customers are read: its frame, no figures. */
function renderLoading() {
  const stats = one('[data-stats]');
  stats?.setAttribute('aria-busy', 'true');
  stats?.replaceChildren(
    ...['Accounts', 'Open pipeline', 'At risk', 'Meetings this week'].map((label) =>
      stat(label, '—', 'Loading…'),
    ),
  );
  // As many rows as each list shows once read, shaped like them, so nothing below moves then.
  for (const [selector, rows] of /** @type {const} */ ([
    ['[data-attention]', ATTENTION_ROWS],
    ['[data-upcoming]', UPCOMING_ROWS],
  ])) {
    const list = one(selector);
    list?.setAttribute('aria-busy', 'true');
    list?.replaceChildren(...Array.from({ length: rows }, (_, i) => placeholderRow(i === 0)));
  }
}

/** A row of a side list while the customers are read: the first says so, the rest are blank. */
function placeholderRow(/** @type {boolean} */ first) {
  return h(
    'li',
    first ? { class: 'is-placeholder' } : { class: 'is-placeholder', 'aria-hidden': 'true' },
    h(
      'span',
      { class: 'mini-item' },
      h('span', { class: 'company-mark company-mark-s', 'aria-hidden': 'true' }),
      h(
        'span',
        { class: 'stacked' },
        h('span', { class: 'subtle' }, first ? 'Loading…' : '\u00a0'),
        h('span', { class: 'subtle' }, '\u00a0'),
      ),
    ),
  );
}

/**
 * @param {import('./data.js').Customer[]} customers
 * @param {string} myId
 * @param {(items: { key: string; item: import('./data.js').Customer }[]) => Element[]} attentionItems
 * @param {(items: { key: string; item: Parameters<typeof meetingItem>[0] }[]) => Element[]} upcomingItems
 */
function renderSummary(customers, myId, attentionItems, upcomingItems) {
  const now = new Date().toISOString();
  const weekAhead = new Date(Date.now() + 7 * 86_400_000).toISOString();
  const open = customers.filter((c) => c.status !== 'Customer');
  const atRisk = customers.filter((c) => c.status === 'At risk');
  const meetings = customers
    .flatMap((customer) => customer.meetings.map((meeting) => ({ customer, meeting })))
    .filter(({ meeting }) => meeting.at >= now)
    .sort((a, b) => a.meeting.at.localeCompare(b.meeting.at));
  const thisWeek = meetings.filter(({ meeting }) => meeting.at <= weekAhead);
  const mine = customers.filter((c) => c.owner === myId);

  const stats = one('[data-stats]');
  stats?.setAttribute('aria-busy', 'false');
  stats?.replaceChildren(
    stat('Accounts', String(customers.length), `${mine.length} owned by you`),
    stat(
      'Open pipeline',
      money.format(open.reduce((sum, c) => sum + c.value, 0)),
      `${open.length} deals`,
    ),
    stat(
      'At risk',
      String(atRisk.length),
      atRisk.length === 1 ? 'account' : 'accounts',
      atRisk.length ? 'is-risk' : '',
    ),
    stat('Meetings this week', String(thisWeek.length), `${meetings.length} upcoming in all`),
  );

  const attention = one('[data-attention]');
  if (attention) {
    // At risk first, then whoever was not contacted for the longest.
    const list = customers
      .filter(
        (c) =>
          c.status !== 'Customer' ||
          c.lastContact < new Date(Date.now() - 30 * 86_400_000).toISOString(),
      )
      .sort(
        (a, b) =>
          Number(b.status === 'At risk') - Number(a.status === 'At risk') ||
          a.lastContact.localeCompare(b.lastContact),
      )
      .slice(0, ATTENTION_ROWS);
    attention.setAttribute('aria-busy', 'false');
    updateChildren(attention, attentionItems(list.map((c) => ({ key: String(c.id), item: c }))));
    const count = one('[data-attention-count]');
    if (count) count.textContent = `${list.length} accounts`;
  }

  const upcoming = one('[data-upcoming]');
  if (upcoming) {
    const next = meetings.slice(0, UPCOMING_ROWS);
    upcoming.setAttribute('aria-busy', 'false');
    if (next.length) {
      updateChildren(
        upcoming,
        upcomingItems(
          next.map((m) => ({
            key: `${m.customer.id}:${m.meeting.at}:${m.meeting.title}`,
            item: m,
          })),
        ),
      );
    } else {
      upcoming.replaceChildren(h('li', { class: 'timeline-empty subtle' }, 'No meetings planned.'));
    }
    const count = one('[data-upcoming-count]');
    if (count) count.textContent = `next ${next.length}`;
  }
}
