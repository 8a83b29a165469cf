/* global document */
// The customer list: a table of the customers as the server stores them, kept live (a rename or
// a status change saved on a customer page shows at once, for everyone), with a search box and
// status filters.
import { avatar, h, hueOf, initials, money, personChip, relativeTime, statusBadge } from './app.js';
import { cachedElements, updateChildren, watchCustomers } from './records.js';

const STATUSES = ['All', 'Lead', 'Qualified', 'Customer', 'At risk'];

/** A company's logo stand-in: its initials on its colour. */
export function companyMark(/** @type {string} */ company, size = 's') {
  const el = h('span', { class: `company-mark company-mark-${size}`, 'aria-hidden': 'true' });
  el.textContent = initials(company);
  el.style.setProperty('--hue', String(hueOf(company)));
  return el;
}

/** @param {import('./data.js').Customer} customer */
function row(customer) {
  const href = `customer.html?id=${customer.id}`;
  const tr = h(
    'tr',
    { 'data-customer': String(customer.id) },
    h(
      'td',
      {},
      h(
        'div',
        { class: 'name-cell' },
        h(
          'a',
          { href, class: 'row-link' },
          avatar({ id: customer.email, name: customer.name }),
          h(
            'span',
            { class: 'stacked' },
            h('span', { class: 'strong' }, customer.name),
            h('span', { class: 'subtle' }, customer.title),
          ),
        ),
        // Who has this customer open now. `watch`: the list's reader is not on every customer
        // listed, so the row shows the others without showing them there.
        h('crm-presence', {
          watch: true,
          'room-id': `customer:${customer.id}`,
          'max-visible': '2',
        }),
      ),
    ),
    h(
      'td',
      {},
      h(
        'span',
        { class: 'company' },
        companyMark(customer.company),
        h(
          'span',
          { class: 'stacked' },
          h('span', {}, customer.company),
          h('span', { class: 'subtle' }, customer.city),
        ),
      ),
    ),
    h('td', {}, personChip(customer.owner)),
    h('td', {}, statusBadge(customer.status)),
    h('td', { class: 'num' }, money.format(customer.value)),
    h('td', {}, relativeTime(customer.lastContact)),
  );
  // The whole row opens the customer, as users of CRM tables expect; the link stays the one
  // keyboard stop.
  tr.addEventListener('click', (event) => {
    // A link opens itself; the avatars of who is on the customer open their own details.
    if (/** @type {Element} */ (event.target).closest('a, crm-presence')) return;
    /** @type {HTMLAnchorElement} */ (tr.querySelector('a.row-link')).click();
  });
  return tr;
}

/**
 * Fills the list from the stored customers and keeps it live.
 * @param {Element | null} provider the page's `<crm-realtime-provider>`, its `url` set
 */
export function renderCustomerList(provider) {
  const rows = document.querySelector('[data-rows]');
  const empty = document.querySelector('[data-empty]');
  const loading = document.querySelector('[data-loading]');
  const search = /** @type {HTMLInputElement | null} */ (document.querySelector('[data-search]'));
  const filters = document.querySelector('[data-filters]');
  const summary = document.querySelector('[data-summary]');
  if (!rows) return;

  /** @type {import('./data.js').Customer[]} */
  let customers = [];
  let loaded = false;
  let status = 'All';
  // A row is made again only when its customer changed, so a focused row keeps the focus.
  const rowsFor = cachedElements(row);
  const update = () => {
    const query = (search?.value ?? '').trim().toLowerCase();
    const shown = customers
      .filter(
        (c) =>
          (status === 'All' || c.status === status) &&
          (!query || `${c.name} ${c.company} ${c.city}`.toLowerCase().includes(query)),
      )
      .sort((a, b) => b.lastContact.localeCompare(a.lastContact));
    updateChildren(rows, rowsFor(shown.map((c) => ({ key: String(c.id), item: c }))));
    if (empty) empty.hidden = !loaded || shown.length > 0;
  };

  if (filters) {
    for (const name of STATUSES) {
      const button = h(
        'button',
        { type: 'button', class: 'chip', 'aria-pressed': String(name === status) },
        name,
      );
      button.addEventListener('click', () => {
        status = name;
        for (const b of filters.querySelectorAll('button')) {
          b.setAttribute('aria-pressed', String(b === button));
        }
        update();
      });
      filters.append(button);
    }
  }
  search?.addEventListener('input', update);

  watchCustomers(provider, (records) => {
    customers = records.customers;
    loaded = !records.loading;
    rows.setAttribute('aria-busy', String(!loaded));
    if (loading) loading.hidden = loaded;
    if (summary) {
      const pipeline = customers
        .filter((c) => c.status !== 'Customer')
        .reduce((sum, c) => sum + c.value, 0);
      summary.textContent = loaded
        ? `${customers.length} accounts · ${money.format(pipeline)} in open pipeline`
        : 'Loading accounts…';
    }
    update();
  });
}
