/**
 * Environment signals under test control: go offline, hide the tab, simulate input.
 * Pass it as `environment` to `RealtimeClient`.
 */
import type { EnvironmentSignals } from '../client/types.js';

export class ManualEnvironment implements EnvironmentSignals {
  private online: boolean;
  private visible: boolean;
  private readonly onlineListeners = new Set<(online: boolean) => void>();
  private readonly visibilityListeners = new Set<(visible: boolean) => void>();
  private readonly activityListeners = new Set<() => void>();

  constructor({ online = true, visible = true }: { online?: boolean; visible?: boolean } = {}) {
    this.online = online;
    this.visible = visible;
  }

  isOnline(): boolean {
    return this.online;
  }

  isVisible(): boolean {
    return this.visible;
  }

  onOnlineChange(listener: (online: boolean) => void): () => void {
    this.onlineListeners.add(listener);
    return () => this.onlineListeners.delete(listener);
  }

  onVisibilityChange(listener: (visible: boolean) => void): () => void {
    this.visibilityListeners.add(listener);
    return () => this.visibilityListeners.delete(listener);
  }

  onUserActivity(listener: () => void): () => void {
    this.activityListeners.add(listener);
    return () => this.activityListeners.delete(listener);
  }

  /** Fire `online`/`offline` (only when it changes, like the browser). */
  setOnline(online: boolean): void {
    if (online === this.online) return;
    this.online = online;
    for (const listener of [...this.onlineListeners]) listener(online);
  }

  /** Fire `visibilitychange` (only when it changes). */
  setVisible(visible: boolean): void {
    if (visible === this.visible) return;
    this.visible = visible;
    for (const listener of [...this.visibilityListeners]) listener(visible);
  }

  /** Simulate a key press or pointer move. */
  userActivity(): void {
    for (const listener of [...this.activityListeners]) listener();
  }

  /** Listeners currently subscribed (a closed client leaves none behind). */
  get listenerCount(): number {
    return this.onlineListeners.size + this.visibilityListeners.size + this.activityListeners.size;
  }
}
