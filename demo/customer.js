/* global document, location, localStorage */
// The customer detail page: fields, meetings and calls of one customer (`?id=42`), its entity
// presence (`customer:42`), and "editing" presence while you type in a field.
import {
  formatDate,
  formatDateTime,
  h,
  icon,
  money,
  personChip,
  relativeTime,
  statusBadge,
} from './app.js';
import { companyMark } from './customers.js';
import { findCustomer } from './data.js';

/** @param {string} selector */
const all = (selector) => document.querySelectorAll(selector);
/** @param {string} selector */
const one = (selector) => document.querySelector(selector);

/** Reads `?id=`, renders the customer and sets the entity presence's room; null if unknown. */
export function renderCustomer() {
  const id = Number(new URLSearchParams(location.search).get('id') ?? '42');
  const customer = Number.isInteger(id) ? findCustomer(id) : undefined;
  const page = one('[data-customer-page]');
  const notFound = one('[data-not-found]');
  const presence = one('[data-entity-presence]');
  if (!customer) {
    if (page) page.hidden = true;
    if (notFound) notFound.hidden = false;
    presence?.remove();
    document.title = 'Customer not found · Meridian CRM';
    return null;
  }

  document.title = `${customer.company} · Meridian CRM`;
  // What a server-rendered page would print into the tag: the entity's room.
  presence?.setAttribute('room-id', `customer:${customer.id}`);

  for (const el of all('[data-field]')) {
    const key = /** @type {keyof typeof customer} */ (el.getAttribute('data-field'));
    el.textContent = String(customer[key] ?? '');
  }
  one('[data-company-mark]')?.replaceWith(companyMark(customer.company, 'l'));
  one('[data-status]')?.replaceWith(statusBadge(customer.status));

  const fields = one('[data-fields]');
  if (fields) {
    /** @type {[string, Node | string][]} */
    const rows = [
      ['Contact', `${customer.name}, ${customer.title}`],
      ['Email', h('a', { href: `mailto:${customer.email}` }, customer.email)],
      ['Phone', h('a', { href: `tel:${customer.phone.replace(/\s+/g, '')}` }, customer.phone)],
      ['Owner', personChip(customer.owner)],
      ['Industry', customer.industry],
      ['Annual value', money.format(customer.value)],
      ['Customer since', formatDate(customer.since)],
      ['Last contact', relativeTime(customer.lastContact)],
    ];
    fields.replaceChildren(
      ...rows.map(([label, value]) =>
        h('div', { class: 'field' }, h('dt', {}, label), h('dd', {}, value)),
      ),
    );
  }

  renderMeetings(customer);
  renderCalls(customer);
  renderNotes(customer);
  return customer;
}

/** @param {import('./data.js').Customer} customer */
function renderMeetings(customer) {
  const list = one('[data-meetings]');
  if (!list) return;
  const now = new Date().toISOString();
  const upcoming = customer.meetings
    .filter((m) => m.at >= now)
    .sort((a, b) => a.at.localeCompare(b.at));
  const past = customer.meetings.filter((m) => m.at < now).sort((a, b) => b.at.localeCompare(a.at));
  const count = one('[data-meetings-count]');
  if (count) count.textContent = upcoming.length ? `${upcoming.length} upcoming` : 'None upcoming';
  if (customer.meetings.length === 0) {
    list.replaceChildren(h('li', { class: 'timeline-empty subtle' }, 'No meetings yet.'));
    return;
  }
  list.replaceChildren(
    ...[...upcoming, ...past].map((meeting) =>
      h(
        'li',
        { class: `timeline-item ${meeting.at >= now ? 'is-upcoming' : 'is-past'}` },
        h('span', { class: 'timeline-icon' }, icon('calendar')),
        h(
          'div',
          { class: 'timeline-body' },
          h(
            'div',
            { class: 'timeline-title' },
            h('span', { class: 'strong' }, meeting.title),
            meeting.at >= now ? h('span', { class: 'pill' }, 'Upcoming') : null,
          ),
          h('div', { class: 'subtle' }, formatDateTime(meeting.at), ' · ', meeting.place),
          h('div', { class: 'attendees' }, ...meeting.attendees.map((id) => personChip(id))),
        ),
      ),
    ),
  );
}

/** @param {import('./data.js').Customer} customer */
function renderCalls(customer) {
  const list = one('[data-calls]');
  if (!list) return;
  const calls = [...customer.calls].sort((a, b) => b.at.localeCompare(a.at));
  const count = one('[data-calls-count]');
  if (count) count.textContent = `${calls.length} logged`;
  list.replaceChildren(
    ...calls.map((call) =>
      h(
        'li',
        { class: 'timeline-item' },
        h('span', { class: 'timeline-icon' }, icon('phone')),
        h(
          'div',
          { class: 'timeline-body' },
          h(
            'div',
            { class: 'timeline-title' },
            h('span', { class: 'strong' }, call.outcome),
            h('span', { class: 'subtle' }, `${call.minutes} min`),
          ),
          h('p', { class: 'timeline-text' }, call.summary),
          h(
            'div',
            { class: 'subtle timeline-meta' },
            personChip(call.by),
            h('span', {}, '·'),
            relativeTime(call.at),
          ),
        ),
      ),
    ),
  );
}

const notesKey = (/** @type {number} */ id) => `crm-demo:notes:${id}`;

/** The editable part: kept in this browser only, as the demo has no database of its own. */
function renderNotes(/** @type {import('./data.js').Customer} */ customer) {
  const form = /** @type {HTMLFormElement | null} */ (one('[data-notes]'));
  if (!form) return;
  let saved = { nextStep: customer.nextStep, notes: customer.notes };
  try {
    saved = { ...saved, ...JSON.parse(localStorage.getItem(notesKey(customer.id)) ?? '{}') };
  } catch {
    // Unreadable or blocked storage: show the seeded values.
  }
  const nextStep = /** @type {HTMLInputElement} */ (form.elements.namedItem('nextStep'));
  const notes = /** @type {HTMLTextAreaElement} */ (form.elements.namedItem('notes'));
  nextStep.value = saved.nextStep;
  notes.value = saved.notes;
  const status = one('[data-saved]');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    try {
      localStorage.setItem(
        notesKey(customer.id),
        JSON.stringify({ nextStep: nextStep.value, notes: notes.value }),
      );
      if (status) status.textContent = 'Saved in this browser';
    } catch {
      if (status) status.textContent = 'Could not save (storage blocked)';
    }
  });
}

/**
 * Tells the others which field you are editing: focus on a `[data-edit-field]` sets the presence
 * activity to editing that field, leaving it goes back to viewing.
 * @param {Element & { client?: any; updateComplete?: Promise<unknown> }} provider
 * @param {string} room
 */
export async function trackEditing(provider, room) {
  await provider.updateComplete;
  const client = provider.client;
  if (!client || typeof client.presence !== 'function') return;
  const presence = client.presence(room);
  for (const field of all('[data-edit-field]')) {
    const name = field.getAttribute('data-edit-field') ?? 'field';
    field.addEventListener('focus', () => presence.setActivity({ kind: 'editing', field: name }));
    field.addEventListener('blur', () => presence.setActivity({ kind: 'viewing' }));
  }
}
