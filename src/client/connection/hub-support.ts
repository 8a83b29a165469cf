/**
 * What the hub of a shared connection needs besides routing: the network and visibility of its
 * tabs (a hub in a `SharedWorker` has no window to listen to), and a light parse of server frames
 * that routes them without the capabilities' schemas, which load in the tabs that use them.
 */
import { LIMITS } from '../../protocol/constants.js';
import type { ServerFrame } from '../../protocol/frames.js';
import { CORE_SERVER_FRAMES } from '../../protocol/server-frame-checks.js';
import { Listeners } from '../store/listeners.js';
import type { EnvironmentSignals } from '../types.js';
import type { Decoded } from './wire.js';

/**
 * Online while any tab says so (`navigator.onLine` is per browser, but a tab that has not
 * reported yet must not hold the socket offline), visible while any tab is: the socket retries at
 * once when the network returns or a tab is looked at, as a tab's own socket would.
 */
export class TabsEnvironment implements EnvironmentSignals {
  private readonly reports = new Map<string, { online: boolean; visible: boolean }>();
  private readonly online = new Listeners<boolean>();
  private readonly visible = new Listeners<boolean>();

  isOnline(): boolean {
    if (this.reports.size === 0) return true;
    return [...this.reports.values()].some((r) => r.online);
  }

  isVisible(): boolean {
    return [...this.reports.values()].some((r) => r.visible);
  }

  /** A tab's signals (or `undefined`: the tab is gone). */
  report(tab: string, signals: { online: boolean; visible: boolean } | undefined): void {
    const wasOnline = this.isOnline();
    const before = this.reports.get(tab);
    if (signals) this.reports.set(tab, { ...signals });
    else this.reports.delete(tab);
    if (this.isOnline() !== wasOnline) this.online.emit(this.isOnline());
    // A tab coming into view: the socket retries now, or checks itself after a sleep.
    if (signals?.visible && before && !before.visible) this.visible.emit(true);
  }

  onOnlineChange(listener: (online: boolean) => void): () => void {
    return this.online.add(listener);
  }

  onVisibilityChange(listener: (visible: boolean) => void): () => void {
    return this.visible.add(listener);
  }

  onUserActivity(): () => void {
    return () => {}; // idle detection stays in each tab (its own presence)
  }
}

/**
 * Parses a server frame far enough to route it: the handshake, heartbeat and room frames with
 * their checks (the socket acts on them), any other typed object as it is. Each tab checks what
 * it receives with its own schemas, as a tab's own socket would.
 */
export function routeDecode(data: unknown): Decoded {
  if (typeof data !== 'string') {
    return { ok: false, kind: 'binary', message: 'binary frames are not part of the protocol' };
  }
  if (data.length > LIMITS.maxFrameBytes) {
    return { ok: false, kind: 'frame_too_large', message: 'frame exceeds the size limit' };
  }
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return { ok: false, kind: 'bad_frame:not-json', message: 'frame is not valid JSON' };
  }
  const type = (value as { type?: unknown } | null)?.type;
  if (typeof type !== 'string') {
    return { ok: false, kind: 'bad_frame:untyped', message: 'frame has no type' };
  }
  const check = Object.hasOwn(CORE_SERVER_FRAMES, type) ? CORE_SERVER_FRAMES[type] : undefined;
  if (!check) return { ok: true, frame: value as ServerFrame };
  try {
    return { ok: true, frame: check(value, '') as ServerFrame };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, kind: `bad_frame:${type.slice(0, 32)}`, message };
  }
}

/**
 * Whom a token names: the `sub` of a JWT (the server's tokens are JWTs and take the user from
 * `sub`), read without checking the signature, since the server checks it. Tabs of one browser
 * share a socket only with tabs whose tokens name the same person; `undefined` for anything else.
 */
export function tokenSubject(token: string | undefined): string | undefined {
  const payload = token?.split('.')[1];
  if (!payload) return undefined;
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/');
    const json = new TextDecoder().decode(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)));
    const sub = (JSON.parse(json) as { sub?: unknown } | null)?.sub;
    return typeof sub === 'string' ? sub : undefined;
  } catch {
    return undefined;
  }
}
