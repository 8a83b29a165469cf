/* global document, CSS, queueMicrotask, customElements */
// The customers as the server stores them, live: the records `<crm-collaborative-form>` edits on
// the customer page, read through the public API of the kit's client (the one the page's
// `<crm-realtime-provider>` holds), so the customer list and the dashboard show every saved
// rename or status change, from anyone, at once and after a reload.
//
// - Each customer is read with an `entity.get` request (`client.request`). The kit has no "list
//   every customer" request, so the pages read the customers they know: the ids `npm start` seeds
//   from data.js. Their calls and meetings are entities of their own that these pages do not read;
//   they come from data.js.
// - What changes is learned from the global activity feed (`client.activity({ kind: 'global' })`):
//   every accepted change of an entity is logged there, so a new item about a customer means
//   "read it again". After every (re)connect all are read again, for what changed meanwhile.
//
// Not `client.liveData()`, the live view a form uses: holding an entity's room makes you present
// in it, so everyone on the list would show as "Viewing now" on every customer, and be notified
// of every save to any of them.
import { CUSTOMERS } from './data.js';

/**
 * @typedef {import('./data.js').Customer} Customer
 * @typedef {{ customers: Customer[]; loading: boolean }} CustomerRecords
 *   `customers`: those the server has, in data.js order; `loading`: not all are read yet (the
 *   first call only, with no customers).
 * @typedef {{ type: string; id: string; version: number; fields: Record<string, unknown> }} Entity
 * @typedef {{ id: string; entity?: { type: string; id: string } }} ActivityItem
 * @typedef {{ items: readonly ActivityItem[]; loaded: boolean }} ActivitySnapshot
 * @typedef {{
 *   status: { state: string };
 *   onStatus(listener: (status: { state: string }) => void): () => void;
 *   request(frame: { type: 'entity.get'; entityType: string; entityId: string }): Promise<{ type: string; entity?: Entity }>;
 *   activity(feed: { kind: 'global' }, options?: { pageSize?: number; maxItems?: number }): {
 *     snapshot(): ActivitySnapshot;
 *     subscribe(listener: (snapshot: ActivitySnapshot) => void): () => void;
 *     release(): void;
 *   };
 * }} Client
 */

/** Activity items the feed keeps: more arriving between two looks means "read everyone". */
const FEED_ITEMS = 50;
/** Answers that say a customer cannot be read at all (as opposed to "not now"). */
const GONE = new Set(['not_found', 'forbidden']);

/**
 * Reads the stored records of the seeded customers and calls `render` with them: once all are
 * read, then on every change (a save in this page or any other, a re-read after a reconnect).
 * Changes that arrive together are rendered once. Returns a function that stops watching.
 * @param {Element | null} provider the page's `<crm-realtime-provider>`, its `url` set
 * @param {(records: CustomerRecords) => void} render
 */
export function watchCustomers(provider, render) {
  /** @type {Map<string, Entity | 'gone'>} what the server answered per customer id */
  const stored = new Map();
  const ids = CUSTOMERS.map((seed) => String(seed.id));
  /** @type {(() => void)[]} */
  const stops = [];
  let stopped = false;
  let scheduled = false;

  const emit = () => {
    scheduled = false;
    // Nothing half-read is shown: the first render waits for every customer.
    if (stopped || ids.some((id) => !stored.has(id))) return;
    const customers = CUSTOMERS.flatMap((seed) => {
      const entity = stored.get(String(seed.id));
      // A customer the server does not have, or may not show, is left out.
      return entity && entity !== 'gone' ? [customerOf(seed, entity.fields)] : [];
    });
    render({ customers, loading: false });
  };
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    queueMicrotask(emit);
  };

  render({ customers: [], loading: true });
  const host =
    /** @type {(Element & { client?: Client; updateComplete?: Promise<unknown> }) | null} */ (
      provider
    );
  if (!host) return () => {};
  // The provider creates its client in its first update after `url` is set, once the kit (which
  // the page may load after this runs) has defined it.
  void customElements
    .whenDefined('crm-realtime-provider')
    .then(() => host.updateComplete)
    .then(() => {
      const client = host.client;
      if (stopped || !client) return;

      /** @param {string} id */
      const read = (id) =>
        client.request({ type: 'entity.get', entityType: 'customer', entityId: id }).then(
          (answer) => {
            const entity = answer.type === 'entity.snapshot' ? answer.entity : undefined;
            const known = stored.get(id);
            // An answer overtaken by a newer one changes nothing.
            if (!entity || (known && known !== 'gone' && known.version >= entity.version)) return;
            stored.set(id, entity);
            schedule();
          },
          (/** @type {{ code?: string }} */ error) => {
            if (GONE.has(error.code ?? '')) {
              stored.set(id, 'gone');
              schedule();
            }
            // Anything else (the connection dropped): read again after the next connect.
          },
        );
      const readAll = () => ids.forEach(read);

      // Every (re)connect reads everyone: what changed while away is not in the feed's tail.
      if (client.status.state === 'open') readAll();
      stops.push(client.onStatus((status) => status.state === 'open' && readAll()));

      const feed = client.activity({ kind: 'global' }, { pageSize: 1, maxItems: FEED_ITEMS });
      /** @type {Set<string> | undefined} ids of the items already looked at */
      let seen;
      /** @param {ActivitySnapshot} snapshot */
      const look = (snapshot) => {
        if (!snapshot.loaded) return;
        // The first page (one item) is read too: a save just before it may have missed `readAll`.
        const fresh = seen ? snapshot.items.filter((item) => !seen?.has(item.id)) : snapshot.items;
        seen = new Set(snapshot.items.map((item) => item.id));
        if (fresh.length >= FEED_ITEMS) return readAll();
        const changed = new Set(
          fresh.flatMap((item) => (item.entity?.type === 'customer' ? [item.entity.id] : [])),
        );
        for (const id of changed) if (ids.includes(id)) read(id);
      };
      look(feed.snapshot());
      stops.push(feed.subscribe(look), () => feed.release());
    });
  return () => {
    stopped = true;
    for (const stop of stops) stop();
  };
}

/**
 * A customer as the pages render it: the stored fields, with the seed's id, calls and meetings
 * (stored apart). A field the server has no usable value for keeps the seed's, so a cleared or
 * odd value never breaks a page.
 * @param {Customer} seed
 * @param {Readonly<Record<string, unknown>>} fields
 * @returns {Customer}
 */
export function customerOf(seed, fields) {
  /** @type {Record<string, unknown>} */
  const customer = { ...seed };
  for (const [name, value] of Object.entries(fields)) {
    if (name === 'id' || name === 'calls' || name === 'meetings' || !(name in seed)) continue;
    const wanted = typeof seed[/** @type {keyof Customer} */ (name)];
    if (name === 'value') {
      const number = Number(value);
      if (value !== null && value !== '' && Number.isFinite(number)) customer[name] = number;
    } else if (name === 'lastContact' || name === 'since') {
      if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) customer[name] = value;
    } else if (wanted === 'string' && value !== null && value !== undefined) {
      customer[name] = String(value);
    }
  }
  return /** @type {Customer} */ (customer);
}

/**
 * Makes `parent`'s element children `nodes`, moving only what changed, so a live update does not
 * take the keyboard focus away: a focused node that stays is left alone, and when the node that
 * held the focus was replaced, the focus goes to the first link of its replacement (the node with
 * the same `data-key`, see `cachedElements`).
 * @param {Element} parent
 * @param {Element[]} nodes
 */
export function updateChildren(parent, nodes) {
  const active = document.activeElement;
  const focused =
    active && parent.contains(active)
      ? active.closest('[data-key]')?.getAttribute('data-key')
      : null;
  nodes.forEach((node, i) => {
    const at = parent.children[i] ?? null;
    if (at !== node) parent.insertBefore(node, at);
  });
  while (parent.children.length > nodes.length) parent.lastElementChild?.remove();
  if (focused != null && !parent.contains(document.activeElement)) {
    const replacement = parent.querySelector(`[data-key="${CSS.escape(focused)}"]`);
    const link = replacement?.matches('a[href]')
      ? replacement
      : replacement?.querySelector('a[href]');
    /** @type {HTMLElement | null | undefined} */ (link)?.focus();
  }
}

/**
 * Remembers the element made for each item (marked with its key as `data-key`) and makes a new
 * one only when the item changed, so `updateChildren` leaves unchanged rows as they are.
 * @template T
 * @param {(item: T) => Element} make
 * @returns {(items: { key: string; item: T }[]) => Element[]}
 */
export function cachedElements(make) {
  /** @type {Map<string, { json: string; element: Element }>} */
  let cache = new Map();
  return (items) => {
    /** @type {Map<string, { json: string; element: Element }>} */
    const next = new Map();
    const elements = items.map(({ key, item }) => {
      const json = JSON.stringify(item);
      const known = cache.get(key);
      let entry = known;
      if (!entry || entry.json !== json) {
        entry = { json, element: make(item) };
        entry.element.setAttribute('data-key', key);
      }
      next.set(key, entry);
      return entry.element;
    });
    cache = next;
    return elements;
  };
}
