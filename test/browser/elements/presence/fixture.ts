/**
 * `<crm-presence>` inside a provider backed by the fake server, on a manual clock: the server
 * validates every frame with the real schemas, and time only moves when a test says so.
 */
import { fixture, html } from '@open-wc/testing';
import '../../../../src/elements/presence/define.js';
import '../../../../src/elements/realtime-provider/define.js';
import type { CrmPresence } from '../../../../src/elements/presence/crm-presence.js';
import type { CrmRealtimeProvider } from '../../../../src/elements/realtime-provider/crm-realtime-provider.js';
import type { PersonOptions } from '../../../../src/testing/index.js';
import type { UserProfile } from '../../../../src/protocol/index.js';
import { fakeConnection, type FakeConnection } from '../../helpers/fake-connection.js';

export const ROOM = 'customer:42';

export const ANA: UserProfile = { id: 'u-ana', name: 'Ana Ortiz' };
export const BEN: UserProfile = { id: 'u-ben', name: 'Ben Lee' };
export const CARL: UserProfile = { id: 'u-carl', name: 'Carl Jung' };
export const DANA: UserProfile = { id: 'u-dana', name: 'Dana Scully' };

/** `count` distinct people named Person 1, Person 2, … */
export function crowd(count: number): UserProfile[] {
  return Array.from({ length: count }, (_, i) => ({ id: `u-${i + 1}`, name: `Person ${i + 1}` }));
}

export interface Mounted extends FakeConnection {
  el: CrmPresence;
  provider: CrmRealtimeProvider;
  /** Let frames travel, the store notify and the element render. */
  settle(): Promise<void>;
  /** The element's shadow root. */
  root: ShadowRoot;
}

export interface MountOptions {
  attrs?: Record<string, string>;
  /** People already in the room when the element joins. */
  people?: (UserProfile | [UserProfile, PersonOptions])[];
  room?: string;
  /** `false`: the server never answers the handshake (the element waits for its first snapshot). */
  open?: boolean;
  /** The current user, if not the fake server's demo user. */
  user?: UserProfile;
}

export async function mountPresence({
  attrs = { 'room-id': ROOM },
  people = [],
  room = attrs['room-id'] ?? ROOM,
  open = true,
  user,
}: MountOptions = {}): Promise<Mounted> {
  const connection = await fakeConnection(user ? { open, devUser: user } : { open });
  for (const entry of people) {
    const [user, options] = Array.isArray(entry) ? entry : [entry, {}];
    connection.server.addPerson(room, user, options);
  }
  const provider = await fixture<CrmRealtimeProvider>(
    html`<crm-realtime-provider .client=${connection.client}></crm-realtime-provider>`,
  );
  const el = document.createElement('crm-presence');
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, value);
  provider.append(el);
  const settle = async () => {
    for (let i = 0; i < 3; i++) {
      await connection.clock.flush();
      await el.updateComplete;
    }
  };
  await settle();
  return { ...connection, el, provider, settle, root: el.shadowRoot! };
}

/** Avatars in the row (not those animating out). */
export function avatars(root: ShadowRoot): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>('.list .item:not(.leaving) .avatar')];
}

export function avatarNames(root: ShadowRoot): string[] {
  return avatars(root).map((a) => (a.getAttribute('aria-label') ?? '').split(':')[0]!);
}

export function overflowButton(root: ShadowRoot): HTMLButtonElement | null {
  return root.querySelector<HTMLButtonElement>('.overflow');
}

export function panel(root: ShadowRoot): HTMLElement | null {
  return root.querySelector<HTMLElement>('.panel');
}

export function liveRegion(root: ShadowRoot): HTMLElement {
  return root.querySelector<HTMLElement>('[role="status"]')!;
}

/** Finish every running animation at once (arrivals, departures), then let the element render. */
export async function finishAnimations(m: Mounted): Promise<void> {
  for (const animation of m.root.getAnimations()) {
    if (animation.effect?.getTiming().iterations !== Infinity) animation.finish();
  }
  // `animationend` is dispatched with the next animation frame.
  await nextFrame();
  await nextFrame();
  await m.settle();
}

export function nextFrame(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => resolve()));
}

/**
 * Where the focus is, as words: `avatar:Ana Ortiz`, `overflow`, `row:Ana Ortiz`, `button:after`.
 * Tests compare these strings rather than elements: a failing `expect(element)` makes chai walk
 * the element's whole object graph (Lit parts, controllers, the client, the fake server), which
 * freezes the browser instead of failing the test.
 */
export function focusIn(m: Pick<Mounted, 'root'>): string {
  const outer = document.activeElement;
  const inner = m.root.activeElement;
  if (!inner) return outer ? `${outer.localName}:${outer.textContent?.trim() ?? ''}` : 'nothing';
  const name = (inner.getAttribute('aria-label') ?? '').split(':')[0];
  if (inner.matches('.overflow')) return 'overflow';
  if (inner.matches('.row')) return `row:${name}`;
  if (inner.matches('.avatar')) return `avatar:${name}`;
  return inner.localName;
}

/** Wait for the browser's popover toggle event (a task after showPopover/hidePopover). */
export function nextToggle(el: HTMLElement): Promise<void> {
  return new Promise((resolve) => el.addEventListener('toggle', () => resolve(), { once: true }));
}
