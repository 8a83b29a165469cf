/* global document, window, location, localStorage, sessionStorage, requestAnimationFrame, ResizeObserver */
// What every page of the demo CRM shares: who you are (development identities), the header, the
// "open another window" hint, and wiring the kit's provider to the reference server.
//
// Each page renders its content and calls `setUpPage()` in a render-blocking module (so its first
// paint is complete), then loads the kit (`/kit/crm-realtime.bundle.js`) after `afterPageShown()`.
import { PEOPLE, findPerson } from './data.js';
import { setUpLiveWidgets } from './live.js';

const STORAGE_KEY = 'crm-demo:user';
const FORMAT_LOCALE = document.documentElement.lang || undefined;

/** Reads storage without failing where it is blocked (privacy modes, sandboxed frames). */
const storage = {
  /** @param {Storage} area @param {string} key */
  get(area, key) {
    try {
      return area.getItem(key);
    } catch {
      return null;
    }
  },
  /** @param {Storage} area @param {string} key @param {string} value */
  set(area, key, value) {
    try {
      area.setItem(key, value);
    } catch {
      // The choice then lasts for this page only; nothing else depends on it.
    }
  },
};

/**
 * Who you are in development mode: `?as=<id>` wins (and sticks to this tab), then this tab's last
 * choice, then this browser's last choice, then the first sample person.
 */
export function currentPerson() {
  const fromQuery = findPerson(new URLSearchParams(location.search).get('as'));
  if (fromQuery) {
    storage.set(sessionStorage, STORAGE_KEY, fromQuery.id);
    return fromQuery;
  }
  return (
    findPerson(storage.get(sessionStorage, STORAGE_KEY)) ??
    findPerson(storage.get(localStorage, STORAGE_KEY)) ??
    PEOPLE[0]
  );
}

/** The URL of this page as someone else (keeps the other query parameters, e.g. `id`). */
export function urlAs(/** @type {string} */ personId) {
  const url = new URL(location.href);
  url.searchParams.set('as', personId);
  return url.href;
}

/**
 * The WebSocket endpoint of the server that served this page, beside the page: the demo also runs
 * under a path a proxy gives it (`https://crm.example.com/realtime-demo/`).
 */
export function realtimeUrl() {
  const url = new URL('realtime', location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  url.search = '';
  url.hash = '';
  return url.href;
}

// ---------------------------------------------------------------------------------------------
// Small DOM helpers: every string from data goes in as text, never as HTML.

/**
 * @param {string} tag
 * @param {Record<string, string | boolean | undefined>} [attrs]
 * @param {(Node | string | null | undefined | false)[]} children
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    el.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child);
  }
  return el;
}

/** Line icons (static markup of this module, never data). */
const ICONS = {
  calendar:
    '<rect x="3.5" y="5" width="17" height="15" rx="2.5"/><path d="M3.5 10h17M8 3v4M16 3v4"/>',
  phone:
    '<path d="M6.6 3.5h2.6l1.4 4.2-2 1.3a11 11 0 0 0 6.4 6.4l1.3-2 4.2 1.4v2.6a2 2 0 0 1-2.2 2A16.5 16.5 0 0 1 4.6 5.7a2 2 0 0 1 2-2.2z"/>',
  place:
    '<path d="M12 21s-6.5-5.6-6.5-11a6.5 6.5 0 0 1 13 0c0 5.4-6.5 11-6.5 11z"/><circle cx="12" cy="10" r="2.3"/>',
};

/** Each icon parsed once; a page shows the same few many times (one per meeting, per call). */
/** @type {Map<string, Element>} */
const parsedIcons = new Map();

/** An inline SVG icon, decorative. @param {keyof typeof ICONS} name */
export function icon(name) {
  let svg = parsedIcons.get(name);
  if (!svg) {
    const template = document.createElement('template');
    template.innerHTML = `<svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round">${ICONS[name]}</svg>`;
    svg = /** @type {Element} */ (template.content.firstElementChild);
    parsedIcons.set(name, svg);
  }
  return /** @type {Element} */ (svg.cloneNode(true));
}

/** @param {string} name */
export function initials(name) {
  const parts = name.trim().split(/\s+/);
  const first = parts[0]?.[0] ?? '?';
  const last = parts.length > 1 ? (parts[parts.length - 1]?.[0] ?? '') : '';
  return (first + last).toUpperCase();
}

/**
 * The colour of an initials avatar. Same palette and hash as the kit's `<crm-presence>`, so a
 * person has one colour in the table and in the presence avatars.
 */
const AVATAR_PALETTE = [
  '#b91c1c',
  '#c2410c',
  '#a16207',
  '#4d7c0f',
  '#15803d',
  '#0f766e',
  '#0e7490',
  '#0369a1',
  '#1d4ed8',
  '#4338ca',
  '#6d28d9',
  '#7e22ce',
  '#a21caf',
  '#be185d',
  '#be123c',
  '#475569',
];

/** FNV-1a then Murmur3's finaliser, as in the kit. @param {string} text */
function hash(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function avatarColor(/** @type {string} */ id) {
  return AVATAR_PALETTE[hash(id) % AVATAR_PALETTE.length];
}

/** A stable hue for a string, for company marks. */
export function hueOf(/** @type {string} */ text) {
  return hash(text) % 360;
}

/**
 * A person's avatar: their portrait, or initials on their colour.
 * @param {{ id: string; name: string; avatarUrl?: string }} person
 * @param {'s' | 'm'} [size]
 */
export function avatar(person, size = 's') {
  const el = h('span', { class: `avatar avatar-${size}`, 'aria-hidden': 'true' });
  if (person.avatarUrl) {
    el.append(h('img', { src: person.avatarUrl, alt: '' }));
  } else {
    el.textContent = initials(person.name);
    el.style.setProperty('--avatar-color', avatarColor(person.id));
  }
  return el;
}

/** A person's avatar and name, for owner columns and attendee lists. */
export function personChip(/** @type {string} */ personId) {
  const person = findPerson(personId) ?? { id: personId, name: personId };
  return h('span', { class: 'person' }, avatar(person), h('span', {}, person.name));
}

const relative = new Intl.RelativeTimeFormat(FORMAT_LOCALE, { numeric: 'auto' });
const dateFormat = new Intl.DateTimeFormat(FORMAT_LOCALE, { dateStyle: 'medium' });
const dateTimeFormat = new Intl.DateTimeFormat(FORMAT_LOCALE, {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
});

/** "yesterday", "in 3 days", "2 months ago", with the absolute date in a `<time>`'s title. */
export function relativeTime(/** @type {string} */ iso) {
  const date = new Date(iso);
  const days = Math.round((date.getTime() - Date.now()) / 86_400_000);
  const calendarDays = Math.round(
    (startOfDay(date).getTime() - startOfDay(new Date()).getTime()) / 86_400_000,
  );
  let text;
  if (Math.abs(days) < 30) text = relative.format(calendarDays, 'day');
  else if (Math.abs(days) < 365) text = relative.format(Math.round(days / 30), 'month');
  else text = relative.format(Math.round(days / 365), 'year');
  return h('time', { datetime: iso, title: dateTimeFormat.format(date) }, text);
}

/** @param {Date} date */
function startOfDay(date) {
  const d = new Date(date);
  d.setHours(0, 0, 0, 0);
  return d;
}

export function formatDate(/** @type {string} */ iso) {
  return h('time', { datetime: iso }, dateFormat.format(new Date(iso)));
}

export function formatDateTime(/** @type {string} */ iso) {
  return h('time', { datetime: iso }, dateTimeFormat.format(new Date(iso)));
}

export const money = new Intl.NumberFormat(FORMAT_LOCALE, {
  style: 'currency',
  currency: 'EUR',
  maximumFractionDigits: 0,
});

/** @param {string} status */
export function statusBadge(status) {
  const tone = { Lead: 'lead', Qualified: 'qualified', Customer: 'customer', 'At risk': 'risk' };
  return h(
    'span',
    { class: `badge badge-${tone[/** @type {keyof typeof tone} */ (status)] ?? 'lead'}` },
    status,
  );
}

// ---------------------------------------------------------------------------------------------
// Header, hint and provider

/**
 * Fills the identity switcher: shows who you are and switches person (this tab and, as the
 * default for new tabs, this browser). Switching reloads, so the connection starts as the new
 * person.
 * @param {{ id: string; name: string; title: string; avatarUrl?: string }} me
 */
function renderIdentity(me) {
  const slot = document.querySelector('[data-identity]');
  if (!slot) return;
  const select = h('select', { id: 'identity-select', 'aria-label': 'Signed in as (development)' });
  for (const person of PEOPLE) {
    const option = h('option', { value: person.id }, person.name);
    if (person.id === me.id) option.setAttribute('selected', '');
    select.append(option);
  }
  select.addEventListener('change', () => {
    const id = /** @type {HTMLSelectElement} */ (select).value;
    storage.set(localStorage, STORAGE_KEY, id);
    storage.set(sessionStorage, STORAGE_KEY, id);
    const url = new URL(location.href);
    url.searchParams.set('as', id);
    location.assign(url.href);
  });
  slot.replaceChildren(
    avatar(me, 'm'),
    h(
      'span',
      { class: 'identity-text' },
      h('span', { class: 'identity-label' }, 'You are'),
      h('span', { class: 'identity-select' }, select),
    ),
    h('span', { class: 'dev-badge', title: 'Development identities: no sign-in' }, 'Dev'),
  );
}

/**
 * The hint that makes the demo self-explaining: open the same page as the next sample person, in
 * a window of its own, and watch each other appear. The page prints the hint (so it shows with the
 * first paint, before the kit has loaded); this points its link at the person after you.
 * @param {{ id: string; name: string }} me
 */
function renderHint(me) {
  /** @type {HTMLAnchorElement | null} */
  const link = document.querySelector('[data-hint] [data-open-as]');
  if (!link) return;
  const index = PEOPLE.findIndex((p) => p.id === me.id);
  const other = PEOPLE[(index + 1) % PEOPLE.length] ?? PEOPLE[0];
  const href = urlAs(other.id);
  link.href = href;
  link.dataset['openAs'] = other.id;
  const text = `Open as ${other.name}`;
  // Only when it differs: rewriting the same text would lay the hint out again for nothing.
  if (link.textContent !== text) link.textContent = text;
  link.addEventListener('click', (event) => {
    // A window of its own (not a tab) so both people are visible side by side.
    const opened = window.open(href, '_blank', 'width=1180,height=860');
    if (opened) {
      opened.opener = null;
      event.preventDefault();
    }
  });
}

/**
 * The cards' "Live" badges show the one connection status the widgets show, from the provider's
 * `crm-connection-status-change`: lit only while open, "Offline" when the browser has no network
 * (as the header says), else "Not live". They never keep their own idea of the connection.
 * @param {HTMLElement & Record<string, unknown>} provider
 */
function followConnection(provider) {
  const badges = /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll('.live-dot'));
  /** @param {unknown} state */
  const show = (state) => {
    for (const badge of badges) {
      badge.dataset['state'] = String(state);
      badge.textContent = state === 'open' ? 'Live' : state === 'offline' ? 'Offline' : 'Not live';
    }
  };
  show(provider.state ?? 'unavailable');
  provider.addEventListener('crm-connection-status-change', (event) => {
    if (event.target === provider) show(/** @type {Event & { state: string }} */ (event).state);
  });
}

/**
 * Resolves once the page has loaded and the browser has painted it: each page loads the kit then,
 * so its own content (what a server-rendered CRM prints) shows at once and the widgets follow
 * (a kit loaded after the page registers its tags one per task, leaving room for the reader's
 * input in between). A page in a background tab paints nothing until it is shown; it loads the
 * kit once loaded, so its reader still shows up in presence.
 * @returns {Promise<void>}
 */
export async function afterPageShown() {
  if (document.readyState !== 'complete') {
    await new Promise((resolve) => window.addEventListener('load', resolve, { once: true }));
  }
  await new Promise((resolve) => {
    if (document.visibilityState === 'hidden') setTimeout(resolve, 0);
    else requestAnimationFrame(() => setTimeout(resolve, 0));
  });
}

/**
 * Sets up what every page shares and connects the page's provider to the server as you.
 * Called before the kit is loaded, as a legacy page's own script may be: the properties set here
 * wait on the provider until it is defined, and it connects once, as the right person, with the
 * `url` set last.
 */
/**
 * Keeps `--app-topbar-size` at the sticky header's height, so the page's scroll padding keeps a
 * field that Tab (or Shift+Tab) scrolls into view out from under the header, however the header
 * wraps (narrow windows, zoom, longer translations).
 */
function followHeaderSize() {
  const header = document.querySelector('.topbar');
  if (!header || typeof ResizeObserver === 'undefined') return;
  const root = document.documentElement;
  new ResizeObserver(() => {
    root.style.setProperty('--app-topbar-size', `${header.getBoundingClientRect().height}px`);
  }).observe(header);
}

export function setUpPage() {
  const me = currentPerson();
  followHeaderSize();
  renderIdentity(me);
  renderHint(me);
  setUpLiveWidgets();

  /** @type {(HTMLElement & Record<string, unknown>) | null} */
  const provider = document.querySelector('crm-realtime-provider');
  if (provider) {
    const { id, name, avatarUrl } = me;
    // Accepted only by a server in development-identity mode (`npm start`); a real deployment
    // sets `provider.getToken` instead.
    provider.devUser = avatarUrl ? { id, name, avatarUrl } : { id, name };
    followConnection(provider);
    // End-to-end tests shorten the first reconnect delay; people use the kit's default.
    const reconnect = Number(new URLSearchParams(location.search).get('reconnect'));
    if (reconnect > 0) provider.reconnectInterval = reconnect;
    // `?shared`: the tabs of this browser share one socket (held by a SharedWorker; `?shared=leader`:
    // by a leader tab).
    const shared = new URLSearchParams(location.search).get('shared');
    if (shared !== null) provider.sharedConnection = shared;
    provider.url = realtimeUrl();
  }
  return { me, provider };
}
