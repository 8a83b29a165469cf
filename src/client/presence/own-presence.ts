/**
 * The current user's own presence status: `away` after `idleTimeout` without input or after
 * `hiddenTimeout` with the tab hidden, `online` again on input or when the tab becomes visible.
 * Input events are frequent (pointermove), so they only record a time; one timer checks it.
 */
import type { Clock, EnvironmentSignals } from '../types.js';

export type OwnStatus = 'online' | 'away';

export interface OwnPresenceOptions {
  clock: Clock;
  environment: EnvironmentSignals;
  idleTimeout: number;
  hiddenTimeout: number;
  onChange: (status: OwnStatus) => void;
}

export class OwnPresence {
  private current: OwnStatus = 'online';
  private lastInput: number;
  private idleTimer: unknown;
  private hiddenTimer: unknown;
  private readonly unsubscribe: Array<() => void> = [];

  constructor(private readonly options: OwnPresenceOptions) {
    const { clock, environment } = options;
    this.lastInput = clock.now();
    this.unsubscribe.push(
      environment.onUserActivity(() => this.input()),
      environment.onVisibilityChange((visible) => this.visibility(visible)),
    );
    this.armIdle(options.idleTimeout);
    if (!environment.isVisible()) this.visibility(false);
  }

  get status(): OwnStatus {
    return this.current;
  }

  /** Manual override; automatic changes resume with the next input or visibility change. */
  set(status: OwnStatus): void {
    if (status === this.current) return;
    this.current = status;
    this.options.onChange(status);
  }

  dispose(): void {
    this.unsubscribe.forEach((off) => off());
    this.unsubscribe.length = 0;
    this.options.clock.clearTimeout(this.idleTimer);
    this.options.clock.clearTimeout(this.hiddenTimer);
  }

  private input(): void {
    this.lastInput = this.options.clock.now();
    if (this.current === 'away' && this.options.environment.isVisible()) this.set('online');
  }

  private visibility(visible: boolean): void {
    const { clock, hiddenTimeout } = this.options;
    clock.clearTimeout(this.hiddenTimer);
    this.hiddenTimer = undefined;
    if (visible) {
      this.lastInput = clock.now(); // coming back to the tab is activity
      this.set('online');
    } else {
      this.hiddenTimer = clock.setTimeout(() => this.set('away'), hiddenTimeout);
    }
  }

  private armIdle(ms: number): void {
    const { clock } = this.options;
    this.idleTimer = clock.setTimeout(() => {
      const idleFor = clock.now() - this.lastInput;
      const remaining = this.options.idleTimeout - idleFor;
      if (remaining <= 0) {
        this.set('away');
        this.armIdle(this.options.idleTimeout);
      } else {
        this.armIdle(remaining);
      }
    }, ms);
  }
}
