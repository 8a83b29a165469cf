/**
 * The element's settings as given (attributes can hold anything) and as used: bad values warn
 * once and fall back to the default, they never throw.
 */
import type { Clock } from '../../client/types.js';
import { warnOnceFor } from '../../util/warn.js';

export type ToastPosition =
  'top-start' | 'top-center' | 'top-end' | 'bottom-start' | 'bottom-center' | 'bottom-end';
/** `open`: what the panel shows is marked read when it is shown; `item`: one by one. */
export type MarkReadMode = 'open' | 'item';

export const DEFAULT_MAX = 50;
export const DEFAULT_DURATION = 5000;
const POSITIONS: readonly string[] = [
  'top-start',
  'top-center',
  'top-end',
  'bottom-start',
  'bottom-center',
  'bottom-end',
];

/** Says each bad setting once per page (the element and its settings share it). */
export const warnOnce = warnOnceFor('<crm-notification-center>');

/** `max-notifications` as used: a whole number from 1. */
export function validMax(value: number): number {
  return Number.isInteger(value) && value >= 1 ? value : DEFAULT_MAX;
}

/** `auto-hide-duration` as used: ms from 0. */
export function validDuration(value: number): number {
  return Number.isFinite(value) && value >= 0 ? value : DEFAULT_DURATION;
}

export interface Settings {
  maxNotifications: number;
  autoHideDuration: number;
  toastPosition: string;
  markRead: string;
}

/** Warn (once per value) about the settings in `changed` that cannot be used as given. */
export function checkSettings(s: Settings, changed: ReadonlyMap<PropertyKey, unknown>): void {
  if (changed.has('maxNotifications') && validMax(s.maxNotifications) !== s.maxNotifications) {
    warnOnce(
      `max:${s.maxNotifications}`,
      `max-notifications="${s.maxNotifications}" is not a whole number from 1; using ${DEFAULT_MAX}.`,
    );
  }
  if (changed.has('autoHideDuration') && validDuration(s.autoHideDuration) !== s.autoHideDuration) {
    warnOnce(
      `duration:${s.autoHideDuration}`,
      `auto-hide-duration="${s.autoHideDuration}" is not a number of ms from 0; using ${DEFAULT_DURATION}.`,
    );
  }
  if (changed.has('toastPosition') && !POSITIONS.includes(s.toastPosition)) {
    warnOnce(
      `position:${s.toastPosition}`,
      `toast-position="${s.toastPosition}" is not one of ${POSITIONS.join(', ')}; using bottom-end.`,
    );
  }
  if (changed.has('markRead') && s.markRead !== 'open' && s.markRead !== 'item') {
    warnOnce(`mark:${s.markRead}`, `mark-read="${s.markRead}" is not open or item; using open.`);
  }
}

/**
 * Wakes the host every `ms` on a clock (for relative times) while `start` keeps being called;
 * one timer at a time, cancelled by `stop`.
 */
export class Ticker {
  private handle: unknown;
  private clock: Clock | undefined;

  constructor(
    private readonly ms: number,
    private readonly tick: () => void,
  ) {}

  start(clock: Clock): void {
    if (this.clock === clock) return;
    this.stop();
    this.clock = clock;
    this.handle = clock.setTimeout(() => {
      this.clock = undefined;
      this.tick();
    }, this.ms);
  }

  stop(): void {
    this.clock?.clearTimeout(this.handle);
    this.clock = undefined;
  }
}
