/* global document */
// The dashboard: a summary of the accounts, the customers that need attention, the next
// meetings, and the CRM's global activity feed (`<crm-activity-feed feed-type="global">`).
import { currentPerson, formatDateTime, h, icon, money, relativeTime, statusBadge } from './app.js';
import { companyMark } from './customers.js';
import { CUSTOMERS } from './data.js';

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

export function renderDashboard() {
  const me = currentPerson();
  const greeting = one('[data-greeting]');
  if (greeting) {
    const hour = new Date().getHours();
    const part = hour < 12 ? 'morning' : hour < 18 ? 'afternoon' : 'evening';
    greeting.textContent = `Good ${part}, ${me.name.split(' ')[0]}. Here is what moves in your CRM.`;
  }

  const now = new Date().toISOString();
  const weekAhead = new Date(Date.now() + 7 * 86_400_000).toISOString();
  const open = CUSTOMERS.filter((c) => c.status !== 'Customer');
  const atRisk = CUSTOMERS.filter((c) => c.status === 'At risk');
  const meetings = CUSTOMERS.flatMap((customer) =>
    customer.meetings.map((meeting) => ({ customer, meeting })),
  )
    .filter(({ meeting }) => meeting.at >= now)
    .sort((a, b) => a.meeting.at.localeCompare(b.meeting.at));
  const thisWeek = meetings.filter(({ meeting }) => meeting.at <= weekAhead);
  const mine = CUSTOMERS.filter((c) => c.owner === me.id);

  one('[data-stats]')?.replaceChildren(
    stat('Accounts', String(CUSTOMERS.length), `${mine.length} owned by you`),
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
    const list = [...CUSTOMERS]
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
      .slice(0, 5);
    attention.replaceChildren(
      ...list.map((c) => {
        const item = customerLink(c, 'Last contact ', relativeTime(c.lastContact));
        item.querySelector('.mini-item')?.append(statusBadge(c.status));
        return item;
      }),
    );
    const count = one('[data-attention-count]');
    if (count) count.textContent = `${list.length} accounts`;
  }

  const upcoming = one('[data-upcoming]');
  if (upcoming) {
    const next = meetings.slice(0, 4);
    upcoming.replaceChildren(
      ...(next.length
        ? next.map(({ customer, meeting }) => {
            const item = customerLink(customer, formatDateTime(meeting.at), ` · ${meeting.title}`);
            item
              .querySelector('.mini-item')
              ?.prepend(h('span', { class: 'timeline-icon' }, icon('calendar')));
            item.querySelector('.company-mark')?.remove();
            return item;
          })
        : [h('li', { class: 'timeline-empty subtle' }, 'No meetings planned.')]),
    );
    const count = one('[data-upcoming-count]');
    if (count) count.textContent = `next ${next.length}`;
  }
}
