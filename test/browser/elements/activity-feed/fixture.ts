/**
 * `<crm-activity-feed>` inside a provider backed by the fake server, on a manual clock: the server
 * validates every frame with the real schemas, and time only moves when a test says so.
 */
import { fixture, html } from '@open-wc/testing';
import '../../../../src/elements/activity-feed/define.js';
import '../../../../src/elements/realtime-provider/define.js';
import type { CrmActivityFeed } from '../../../../src/elements/activity-feed/crm-activity-feed.js';
import type { CrmRealtimeProvider } from '../../../../src/elements/realtime-provider/crm-realtime-provider.js';
import type { RealtimeClientOptions } from '../../../../src/client/types.js';
import type { ActivityInput, UserProfile } from '../../../../src/protocol/index.js';
import { sampleActivity, type FakeServerOptions } from '../../../../src/testing/index.js';
import { fakeConnection, type FakeConnection } from '../../helpers/fake-connection.js';

export const ANA: UserProfile = { id: 'u-ana', name: 'Ana Ortiz' };
export const BEN: UserProfile = { id: 'u-ben', name: 'Ben Lee' };

/** A field change on customer 42 by `actor`. */
export function change(
  actor: UserProfile = ANA,
  field = 'status',
  from: unknown = 'Lead',
  to: unknown = 'Customer',
): ActivityInput {
  return {
    kind: 'entity.updated',
    actor,
    entity: { type: 'customer', id: '42', label: 'Difference Ltd' },
    customerId: '42',
    changes: [{ field, from: from as never, to: to as never }],
  };
}

/** A call on customer 42 by `actor`. */
export function call(
  actor: UserProfile = BEN,
  summary = 'Call with Difference Ltd',
): ActivityInput {
  return { kind: 'call.logged', actor, customerId: '42', summary };
}

export interface MountedFeed extends FakeConnection {
  el: CrmActivityFeed;
  provider: CrmRealtimeProvider;
  root: ShadowRoot;
  /** Let frames travel, the store notify and the element render (and scroll events arrive). */
  settle(): Promise<void>;
}

export interface FeedMountOptions {
  attrs?: Record<string, string>;
  /** History on the server before the feed loads: a count of sample items, or the inputs. */
  history?: number | ActivityInput[];
  /** Space between history items, ms (the newest is at the clock's now). */
  spacingMs?: number;
  /** Inline style of the element (e.g. a height). */
  style?: string;
  /** Options for the client (say, a short `requestTimeout`). */
  client?: Partial<RealtimeClientOptions>;
  /** Options for the fake server (say, `authorize`). */
  server?: FakeServerOptions;
}

export async function mountFeed({
  attrs = {},
  history = 0,
  spacingMs = 60_000,
  style = '',
  client = {},
  server = {},
}: FeedMountOptions = {}): Promise<MountedFeed> {
  const connection = await fakeConnection({ ...client, server });
  const inputs = typeof history === 'number' ? undefined : history;
  const count = inputs ? inputs.length : (history as number);
  if (count > 0) {
    // `seed` goes oldest first: index 0 is the oldest.
    connection.server.activity.seed(count, {
      spacingMs,
      make: inputs ? (i) => inputs[count - 1 - i]! : sampleActivity,
    });
  }
  const provider = await fixture<CrmRealtimeProvider>(
    html`<crm-realtime-provider .client=${connection.client}></crm-realtime-provider>`,
  );
  const el = document.createElement('crm-activity-feed');
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, value);
  if (style) el.setAttribute('style', style);
  provider.append(el);
  const settle = async () => {
    for (let i = 0; i < 4; i++) {
      await connection.clock.flush();
      await el.updateComplete;
      if (i === 1) await nextFrame();
    }
  };
  await settle();
  return { ...connection, el, provider, settle, root: el.shadowRoot! };
}

export function nextFrame(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => resolve()));
}

export function articles(root: ShadowRoot): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>('[role="feed"] > article')];
}

export function headlines(root: ShadowRoot): string[] {
  return articles(root).map((a) => text(a.querySelector('.headline')));
}

export function scroller(root: ShadowRoot): HTMLElement {
  return root.querySelector<HTMLElement>('.scroller')!;
}

export function feed(root: ShadowRoot): HTMLElement | null {
  return root.querySelector<HTMLElement>('[role="feed"]');
}

export function pill(root: ShadowRoot): HTMLButtonElement | null {
  return root.querySelector<HTMLButtonElement>('.pill');
}

export function text(node: Element | null | undefined): string {
  return (node?.textContent ?? '').replace(/\s+/g, ' ').trim();
}

/** Scroll the feed and let the scroll event arrive and the feed render. */
export async function scrollTo(m: MountedFeed, top: number): Promise<void> {
  scroller(m.root).scrollTop = top;
  await nextFrame();
  await m.settle();
  await nextFrame();
  await m.settle();
}

/** The first article whose top is in view, with its position. */
export function firstVisible(root: ShadowRoot): { id: string; top: number } {
  const view = scroller(root).getBoundingClientRect();
  for (const a of articles(root)) {
    const box = a.getBoundingClientRect();
    if (box.top >= view.top - 0.5 && !a.classList.contains('pinned')) {
      return { id: a.dataset['id']!, top: box.top };
    }
  }
  throw new Error('no article in view');
}

/**
 * Where the focus is, as words: `article:<posinset>`, `select`, `chip:<text>`, `pill`, or the
 * outer element. Tests compare strings: a failing `expect(element)` makes chai walk the whole
 * object graph (Lit parts, controllers, the client), which freezes the browser.
 */
export function focusIn(m: Pick<MountedFeed, 'root'>): string {
  const inner = m.root.activeElement as HTMLElement | null;
  if (!inner) {
    const outer = document.activeElement;
    return outer ? `${outer.localName}${outer.id ? `#${outer.id}` : ''}` : 'nothing';
  }
  if (inner.localName === 'article') return `article:${inner.getAttribute('aria-posinset')}`;
  if (inner.matches('.chip')) return `chip:${text(inner)}`;
  if (inner.matches('.pill')) return 'pill';
  return inner.localName;
}
