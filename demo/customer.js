/* global document, location, HTMLButtonElement, HTMLInputElement, HTMLSelectElement, HTMLTextAreaElement */
// The customer detail page (`?id=42`): the customer, its meetings and its calls, each an entity the
// server stores (`customer` 42, `meeting` 42-meeting-1, `call` 42-call-1 …) and each edited
// through the CRM's own plain forms wrapped in `<crm-collaborative-form>`: live values, who edits
// which field, saves that go through live data (queued offline), conflicts in the kit's dialog.
//
// The page renders what a server-rendered CRM would print (values from data.js); the kit then
// keeps every field live.
import { avatar, formatDate, h, icon, personChip, relativeTime, statusBadge } from './app.js';
import { companyMark } from './customers.js';
import { PEOPLE, findCustomer, findPerson } from './data.js';

/** @param {string} selector */
const all = (selector) => document.querySelectorAll(selector);
/** @param {string} selector */
const one = (selector) => document.querySelector(selector);

/** Outcomes a call can have (the CRM's picklist). */
const OUTCOMES = [
  'Discovery',
  'Qualification',
  'Demo',
  'Technical',
  'Follow-up',
  'Negotiation',
  'Executive',
  'Onboarding',
  'Check-in',
  'Upsell',
  'Billing',
  'Support',
  'Complaint',
];

/** Reads `?id=`, renders the customer and wires its live forms; null if unknown. */
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

  // What a server-rendered page would print into the tags: the entity's room and id.
  presence?.setAttribute('room-id', `customer:${customer.id}`);
  wireCall(`customer:${customer.id}`);
  renderHeading(customer);
  renderDetails(customer);
  renderMeetings(customer);
  renderCalls(customer);
  takeBackWhenRefused();
  return customer;
}

/**
 * This page prints every record from its sample data before the kit connects; a CRM's server
 * would not have printed one the person may not open. When the realtime server says so (a form's
 * record refused on load, `forbidden`: the CRM's authorization callback said no), the page takes
 * back what it printed there: the fields are emptied and locked, so a confidential note does not
 * stay on screen in an editable form with a Save button. The form's status line says why. When
 * the record loads after all (the person was given it, and the server asked again on a
 * reconnect), the form shows its values and the page gives back the controls it locked.
 */
function takeBackWhenRefused() {
  /** @type {WeakMap<Element, HTMLInputElement[]>} the controls the page locked, by form */
  const taken = new WeakMap();
  document.addEventListener('crm-form-error', async (event) => {
    const e = /** @type {CustomEvent & { phase: string; error: { code: string } }} */ (event);
    if (e.phase !== 'load' || e.error.code !== 'forbidden') return;
    const form = /** @type {Element & { updateComplete?: Promise<unknown> }} */ (event.target);
    // A record taken away while open: the form gives back the fields it had locked as read-only
    // for this person (`owner`) as it renders the refusal; locking after that render keeps them
    // locked with the rest.
    await form.updateComplete;
    const locked = taken.get(form) ?? [];
    for (const field of form.querySelectorAll('input, select, textarea, button')) {
      const control = /** @type {HTMLInputElement} */ (field);
      if (!(field instanceof HTMLButtonElement)) control.value = '';
      if (control.disabled) continue;
      control.disabled = true;
      locked.push(control);
    }
    taken.set(form, locked);
  });
  // Before the form locks what this person may not change: it leaves a control the page locked.
  document.addEventListener('crm-form-change', (event) => {
    if (/** @type {CustomEvent & { source: string }} */ (event).source !== 'load') return;
    const form = /** @type {Element} */ (event.target);
    for (const control of taken.get(form) ?? []) control.disabled = false;
    taken.delete(form);
  });
}

/**
 * The heading, breadcrumb and title: printed from the page's data, then kept in step with the
 * record as anyone changes it (the form says so with `crm-form-change`).
 * @param {Record<string, unknown>} record
 */
function renderHeading(record) {
  const text = (/** @type {string} */ key) => String(record[key] ?? '');
  document.title = `${text('company')} · Meridian CRM`;
  for (const el of all('[data-field]')) {
    el.textContent = text(el.getAttribute('data-field') ?? '');
  }
  one('[data-company-mark]')?.replaceChildren(companyMark(text('company'), 'l'));
  one('[data-status]')?.replaceChildren(statusBadge(text('status')));
}

/** @param {import('./data.js').Customer} customer */
function renderDetails(customer) {
  const form = /** @type {HTMLElement | null} */ (one('[data-customer-form]'));
  if (!form) return;
  form.setAttribute('entity-id', String(customer.id));
  // No entity-label: the form names the record by the kit's own rule (a customer is its company),
  // the one its activity items and notifications use, and follows it as the company is renamed.
  const owner = one('[data-people]');
  owner?.replaceChildren(...PEOPLE.map((p) => h('option', { value: p.id }, p.name)));
  fill(form, customer);
  form.addEventListener('crm-form-change', (event) => {
    const data = /** @type {CustomEvent & { data: Record<string, unknown> }} */ (event).data;
    renderHeading(data);
  });
  const since = one('[data-since]');
  since?.replaceChildren('Customer since ', formatDate(customer.since));
  one('[data-last-contact]')?.replaceChildren('Last contact ', relativeTime(customer.lastContact));
}

/**
 * Puts a record's values into a form's named fields, as a server-rendered page prints them.
 * @param {Element} root
 * @param {Record<string, unknown>} record
 */
function fill(root, record) {
  for (const field of root.querySelectorAll('[name]')) {
    const value = record[field.getAttribute('name') ?? ''];
    if (value === undefined) continue;
    if (field instanceof HTMLInputElement && field.type === 'datetime-local') {
      field.value = localDateTime(String(value));
    } else if (
      field instanceof HTMLInputElement ||
      field instanceof HTMLSelectElement ||
      field instanceof HTMLTextAreaElement
    ) {
      field.value = String(value);
    }
  }
}

/** `2025-03-04T14:00:00.000Z` as a datetime-local value in this browser's time zone. */
function localDateTime(/** @type {string} */ iso) {
  const d = new Date(iso);
  const pad = (/** @type {number} */ n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/**
 * A meeting or call as a small inline form: fields that look like text until hovered or focused,
 * saved shortly after each change (`save-mode="change"`), with a quiet status line.
 * @param {string} type @param {string} id @param {string} label @param {Node[]} content
 */
function inlineForm(type, id, label, content) {
  return h(
    'crm-collaborative-form',
    {
      class: 'timeline-body',
      'entity-type': type,
      'entity-id': id,
      'entity-label': label,
      'save-mode': 'change',
      compact: true,
    },
    h('form', { class: 'inline-form' }, ...content),
  );
}

/** @param {import('./data.js').Customer} customer */
function renderMeetings(customer) {
  const list = one('[data-meetings]');
  if (!list) return;
  const now = new Date().toISOString();
  // The server's ids follow the order in the data: 42-meeting-1, 42-meeting-2 …
  const meetings = customer.meetings.map((meeting, i) => ({
    ...meeting,
    entityId: `${customer.id}-meeting-${i + 1}`,
  }));
  const upcoming = meetings.filter((m) => m.at >= now).sort((a, b) => a.at.localeCompare(b.at));
  const past = meetings.filter((m) => m.at < now).sort((a, b) => b.at.localeCompare(a.at));
  const count = one('[data-meetings-count]');
  if (count) count.textContent = upcoming.length ? `${upcoming.length} upcoming` : 'None upcoming';
  if (meetings.length === 0) {
    list.replaceChildren(h('li', { class: 'timeline-empty subtle' }, 'No meetings yet.'));
    return;
  }
  list.replaceChildren(
    ...[...upcoming, ...past].map((meeting) => {
      const key = meeting.entityId;
      const form = inlineForm('meeting', key, `Meeting “${meeting.title}”`, [
        h(
          'div',
          { class: 'timeline-title' },
          h('input', {
            class: 'inline-input strong',
            name: 'title',
            'aria-label': 'Meeting title',
            autocomplete: 'off',
          }),
          meeting.at >= now ? h('span', { class: 'pill' }, 'Upcoming') : null,
        ),
        h(
          'div',
          { class: 'inline-row subtle' },
          h('input', {
            class: 'inline-input when',
            name: 'at',
            type: 'datetime-local',
            'aria-label': 'Date and time',
          }),
          // A pin, not a separator: when the place goes under the date (a narrow column), a "·"
          // was left hanging at the end of the date's line.
          h(
            'span',
            { class: 'place' },
            icon('place'),
            h('input', {
              class: 'inline-input',
              name: 'place',
              'aria-label': 'Place',
              autocomplete: 'off',
            }),
          ),
        ),
        h('div', { class: 'attendees' }, ...meeting.attendees.map((id) => personChip(id))),
      ]);
      fill(form, meeting);
      return h(
        'li',
        { class: `timeline-item ${meeting.at >= now ? 'is-upcoming' : 'is-past'}` },
        h('span', { class: 'timeline-icon' }, icon('calendar')),
        form,
      );
    }),
  );
}

/** @param {import('./data.js').Customer} customer */
function renderCalls(customer) {
  const list = one('[data-calls]');
  if (!list) return;
  const calls = customer.calls
    .map((call, i) => ({ ...call, entityId: `${customer.id}-call-${i + 1}` }))
    .sort((a, b) => b.at.localeCompare(a.at));
  const count = one('[data-calls-count]');
  if (count) count.textContent = `${calls.length} logged`;
  list.replaceChildren(
    ...calls.map((call) => {
      const by = findPerson(call.by) ?? { id: call.by, name: call.by };
      const outcomes = OUTCOMES.includes(call.outcome) ? OUTCOMES : [call.outcome, ...OUTCOMES];
      const form = inlineForm('call', call.entityId, `Call with ${by.name}`, [
        h(
          'div',
          { class: 'timeline-title' },
          h(
            'select',
            { class: 'inline-input strong', name: 'outcome', 'aria-label': 'Outcome' },
            ...outcomes.map((o) => h('option', {}, o)),
          ),
          h(
            'span',
            { class: 'subtle minutes' },
            h('input', {
              class: 'inline-input',
              name: 'minutes',
              type: 'number',
              min: '0',
              max: '600',
              'aria-label': 'Minutes',
            }),
            h('span', { 'aria-hidden': 'true' }, 'min'),
          ),
        ),
        h('textarea', {
          class: 'inline-input timeline-text',
          name: 'summary',
          rows: '2',
          'aria-label': 'Summary',
        }),
        h(
          'div',
          { class: 'subtle timeline-meta' },
          h('span', { class: 'person' }, avatar(by), h('span', {}, by.name)),
          h('span', { 'aria-hidden': 'true' }, '·'),
          relativeTime(call.at),
        ),
      ]);
      fill(form, call);
      return h(
        'li',
        { class: 'timeline-item' },
        h('span', { class: 'timeline-icon' }, icon('phone')),
        form,
      );
    }),
  );
}

/**
 * The "Call" button: opens the record's huddle and joins it (the microphone is asked for now,
 * when it is needed). Pressed again, it leaves and closes the huddle.
 * @param {string} room
 */
function wireCall(room) {
  const button = one('[data-call]');
  const huddle = /** @type {(HTMLElement & { join(): Promise<void>; leave(): void }) | null} */ (
    one('[data-huddle]')
  );
  if (!button || !huddle) return;
  huddle.setAttribute('room-id', room);
  const open = (/** @type {boolean} */ value) => {
    huddle.hidden = !value;
    button.setAttribute('aria-expanded', String(value));
  };
  button.addEventListener('click', () => {
    if (huddle.hidden) {
      open(true);
      void huddle.join();
    } else {
      huddle.leave();
      open(false);
    }
  });
  // Someone rang, or the user joined from elsewhere (presence's "Start a call"): show the call.
  huddle.addEventListener('crm-huddle-ring', () => open(true));
  huddle.addEventListener('crm-huddle-change', (event) => {
    if (/** @type {{ state?: string }} */ (event).state !== 'idle') open(true);
  });
}
