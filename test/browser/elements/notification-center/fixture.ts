/**
 * `<crm-notification-center>` inside a provider backed by the fake server, on a manual clock: the
 * server validates every frame with the real schemas, and time only moves when a test says so.
 */
import { fixture, html } from '@open-wc/testing';
import '../../../../src/elements/notification-center/define.js';
import '../../../../src/elements/realtime-provider/define.js';
import type { CrmNotificationCenter } from '../../../../src/elements/notification-center/crm-notification-center.js';
import type { CrmRealtimeProvider } from '../../../../src/elements/realtime-provider/crm-realtime-provider.js';
import type { Notification } from '../../../../src/protocol/index.js';
import {
  DEMO_USER,
  type FakeServerOptions,
  type NotificationDraft,
} from '../../../../src/testing/index.js';
import { fakeConnection, type FakeConnection } from '../../helpers/fake-connection.js';

export const ME = DEMO_USER.id;

export interface Mounted extends FakeConnection {
  el: CrmNotificationCenter;
  provider: CrmRealtimeProvider;
  root: ShadowRoot;
  /** Let frames travel, the store notify and the element render. */
  settle(): Promise<void>;
  /** Send the current user a notification, as a backend would, and let it arrive. */
  notify(draft?: Partial<NotificationDraft>): Promise<Notification>;
  /** Open the panel by clicking the bell, and wait until its items are rendered. */
  open(): Promise<void>;
}

export interface MountOptions {
  attrs?: Record<string, string>;
  /** History on the server before the element loads it. */
  seed?: number;
  /** How many of the newest seeded are unread (default: all). */
  unread?: number;
  /** Time between seeded notifications (default 17 minutes). */
  spacingMs?: number;
  /** Set on the element before it is connected. */
  props?: Partial<CrmNotificationCenter>;
  /** Options for the fake server (say, `authorize`). */
  server?: FakeServerOptions;
  /**
   * Called as soon as the element is in the page, before its first render, as a framework's
   * "mounted" hook runs (Vue's `onMounted`, Angular's `ngAfterViewInit`).
   */
  mounted?: (el: CrmNotificationCenter) => void;
}

export async function mountCenter({
  attrs = {},
  seed = 0,
  unread,
  spacingMs,
  props = {},
  server = {},
  mounted,
}: MountOptions = {}): Promise<Mounted> {
  const connection = await fakeConnection({ server });
  if (seed > 0) {
    connection.server.notifications.seed(ME, seed, {
      ...(unread !== undefined ? { unread } : {}),
      ...(spacingMs !== undefined ? { spacingMs } : {}),
    });
  }
  const provider = await fixture<CrmRealtimeProvider>(
    html`<crm-realtime-provider .client=${connection.client}></crm-realtime-provider>`,
  );
  const el = document.createElement('crm-notification-center');
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, value);
  Object.assign(el, props);
  provider.append(el);
  mounted?.(el);
  const settle = async () => {
    for (let i = 0; i < 4; i++) {
      await connection.clock.flush();
      await el.updateComplete;
    }
  };
  await settle();
  const root = el.shadowRoot!;
  return {
    ...connection,
    el,
    provider,
    root,
    settle,
    async notify(draft = {}) {
      const n = connection.server.notify({ target: { user: ME }, title: 'Hello', ...draft });
      await settle();
      return n;
    },
    async open() {
      const toggled = nextToggle(panelOf(root));
      bellOf(root).click();
      await toggled;
      await settle();
    },
  };
}

export const bellOf = (root: ShadowRoot) => root.querySelector<HTMLButtonElement>('.bell')!;
export const badgeOf = (root: ShadowRoot) => root.querySelector<HTMLElement>('.badge')!;
export const panelOf = (root: ShadowRoot) => root.querySelector<HTMLElement>('.panel')!;
export const isOpen = (root: ShadowRoot) => panelOf(root).matches(':popover-open');

/** Items in the panel, in order. */
export const itemsOf = (root: ShadowRoot) => [...root.querySelectorAll<HTMLElement>('.item')];
export const itemTitles = (root: ShadowRoot) =>
  itemsOf(root).map((i) => i.querySelector('.title')!.textContent!.trim());

/** Toasts on screen (not those animating out). */
export const toastsOf = (root: ShadowRoot) => [
  ...root.querySelectorAll<HTMLElement>('.toast:not(.leaving)'),
];
export const toastTitles = (root: ShadowRoot) =>
  toastsOf(root).map((t) => t.querySelector('.title')!.textContent!.trim());

/** The element focused inside the shadow root. */
export const focused = (root: ShadowRoot) => root.activeElement as HTMLElement | null;

/**
 * Where the focus is, in words, for assertions that must fail readably (comparing DOM nodes, a
 * failure makes the runner serialize them, which can take the browser down): the focused node's
 * class and the title of the toast or item it is in (`toast Hello`, `entity Hello`), `bell`, a
 * page element (`page button Save`), or `body`.
 */
export function focusedName(root: ShadowRoot): string {
  const el = root.activeElement as HTMLElement | null;
  if (!el) {
    const page = document.activeElement;
    if (!page || page === document.body) return 'body';
    return `page ${page.tagName.toLowerCase()} ${page.textContent!.trim()}`.trim();
  }
  const card = el.closest<HTMLElement>('.toast, .item');
  const title = card?.querySelector('.title')?.textContent?.trim();
  const what = el.classList[0] ?? el.tagName.toLowerCase();
  return title ? `${what} ${title}` : what;
}

/** Resolves on the next `toggle` event of a popover. */
export function nextToggle(popover: HTMLElement): Promise<void> {
  return new Promise((resolve) =>
    popover.addEventListener('toggle', () => resolve(), { once: true }),
  );
}

/**
 * Finish every running (finite) animation in the element and let the `animationend` events
 * arrive, so axe judges settled colours and leaving toasts are gone.
 */
export async function finishAnimations(m: Mounted): Promise<void> {
  for (const a of m.root.getAnimations()) {
    if (a.effect?.getComputedTiming().endTime !== Infinity) a.finish();
  }
  await new Promise((resolve) => requestAnimationFrame(resolve));
  await new Promise((resolve) => requestAnimationFrame(resolve));
  await m.settle();
}

/** Center of an element, for `sendMouse`. */
export function center(el: Element): [number, number] {
  const r = el.getBoundingClientRect();
  return [Math.round(r.left + r.width / 2), Math.round(r.top + r.height / 2)];
}

/** One message a live region gave a screen reader: its politeness and its whole text. */
export interface Heard {
  live: string;
  text: string;
}

/**
 * What the live regions in the element say, as a screen reader hears them: an entry each time a
 * region's text changes (a node added to it, or its text replaced), with the region's whole
 * text. Regions that are emptied are not heard.
 */
export function recordSpoken(root: ShadowRoot) {
  const heard: Heard[] = [];
  const last = new Map<Element, string>();
  const regions = () => [...root.querySelectorAll('[aria-live]')];
  for (const region of regions()) last.set(region, region.textContent!);
  const observer = new MutationObserver(() => {
    for (const region of regions()) {
      // Compared as they are: a trailing no-break space makes a repeated message a change.
      if (last.get(region) === region.textContent!) continue;
      last.set(region, region.textContent!);
      const text = region.textContent!.replace(/\s+/g, ' ').trim();
      if (text) heard.push({ live: region.getAttribute('aria-live')!, text });
    }
  });
  observer.observe(root, { childList: true, subtree: true, characterData: true });
  return {
    heard,
    /** The messages that name `words`. */
    of: (words: string) => heard.filter((h) => h.text.includes(words)),
    stop: () => observer.disconnect(),
  };
}

/**
 * What a screen reader says for a button with no text of its own (an icon): its accessible name,
 * then its description when there is one, by the rules of accname 1.2 for the attributes these
 * buttons may have (`aria-label`, `title`, `aria-description`, `aria-describedby`). Text inside
 * `aria-hidden="true"` (words shown for sighted touch users) does not name it.
 */
export function spoken(button: HTMLElement): string[] {
  const label = button.getAttribute('aria-label')?.trim() ?? '';
  const title = button.getAttribute('title')?.trim() ?? '';
  const content = textOf(button).trim();
  const name = label || content || title;
  const root = button.getRootNode() as ShadowRoot | Document;
  const describedBy = (button.getAttribute('aria-describedby') ?? '')
    .split(/\s+/)
    .map((id) => (id ? root.getElementById(id)?.textContent?.trim() : ''))
    .filter(Boolean)
    .join(' ');
  const description =
    describedBy ||
    button.getAttribute('aria-description')?.trim() ||
    // The title describes only when it did not name (equal words or not: read twice).
    (label || content ? title : '');
  return [name, description].filter(Boolean);
}

/** The text of `node` that names it: not what is in `aria-hidden="true"`. */
function textOf(node: Node): string {
  if (node instanceof Text) return node.data;
  if (node instanceof Element && node.getAttribute('aria-hidden') === 'true') return '';
  return [...node.childNodes].map(textOf).join('');
}
