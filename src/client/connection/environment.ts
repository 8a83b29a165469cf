/**
 * The browser signals the client listens to: network (`online`/`offline`), tab visibility and user
 * input for idle detection. Reads `window`, `document` and `navigator` only when they exist, so the
 * client also runs in Node (tests, server-side rendering) where it reports online and visible.
 */
import type { EnvironmentSignals } from '../types.js';

/** User input that counts as "not idle". Passive listeners on `window`, capture phase. */
const ACTIVITY_EVENTS = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart', 'focus'];

type Target = Pick<EventTarget, 'addEventListener' | 'removeEventListener'>;

function listen(target: Target | undefined, type: string, fn: () => void): () => void {
  if (!target) return () => {};
  const options: AddEventListenerOptions = { passive: true, capture: true };
  target.addEventListener(type, fn, options);
  return () => target.removeEventListener(type, fn, options);
}

/** Signals from the real browser environment (or inert defaults where there is none). */
export function browserEnvironment(): EnvironmentSignals {
  const win: Target | undefined = typeof window !== 'undefined' ? window : undefined;
  const doc: (Target & Pick<Document, 'visibilityState'>) | undefined =
    typeof document !== 'undefined' ? document : undefined;
  const nav: Pick<Navigator, 'onLine'> | undefined =
    typeof navigator !== 'undefined' ? navigator : undefined;

  return {
    // `navigator.onLine === false` is reliable; `true` only means "maybe": the socket decides.
    isOnline: () => nav?.onLine !== false,
    isVisible: () => doc?.visibilityState !== 'hidden',
    onOnlineChange(listener) {
      const offOnline = listen(win, 'online', () => listener(true));
      const offOffline = listen(win, 'offline', () => listener(false));
      return () => {
        offOnline();
        offOffline();
      };
    },
    onVisibilityChange(listener) {
      return listen(doc, 'visibilitychange', () => listener(doc?.visibilityState !== 'hidden'));
    },
    onUserActivity(listener) {
      const offs = ACTIVITY_EVENTS.map((type) => listen(win, type, listener));
      return () => offs.forEach((off) => off());
    },
  };
}
