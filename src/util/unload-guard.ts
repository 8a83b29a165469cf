/**
 * Asks the browser to confirm leaving the page while a change would be lost with it: sent or
 * waiting, not answered, and not (or not yet) stored on this device. The listener is attached only
 * while that is so, so a page in the normal case keeps no `beforeunload` listener (which some
 * browsers take as a reason not to keep it in the back/forward cache) and is never nagged.
 */

/** Where `beforeunload` fires: the window. */
export type UnloadTarget = Pick<Window, 'addEventListener' | 'removeEventListener'>;

/** The page's window, or undefined in a worker or in Node. */
export function windowTarget(): UnloadTarget | undefined {
  const g = globalThis as unknown as Partial<Window>;
  return typeof g.addEventListener === 'function' && 'onbeforeunload' in g
    ? (g as UnloadTarget)
    : undefined;
}

export class UnloadGuard {
  private attached = false;
  private needed = false;
  private on = true;

  constructor(private readonly target: UnloadTarget | undefined) {}

  /** Warn at all (a page that warns in its own way turns it off). */
  get enabled(): boolean {
    return this.on;
  }

  set enabled(on: boolean) {
    this.on = on;
    this.sync();
  }

  /** Whether a change would be lost with the page now. */
  update(needed: boolean): void {
    this.needed = needed;
    this.sync();
  }

  private readonly listener = (event: BeforeUnloadEvent): void => {
    event.preventDefault();
    // Browsers before the standard's `preventDefault` ask through a non-empty return value.
    event.returnValue = true;
  };

  private sync(): void {
    const want = this.on && this.needed && this.target !== undefined;
    if (want === this.attached) return;
    this.attached = want;
    if (want) this.target!.addEventListener('beforeunload', this.listener);
    else this.target!.removeEventListener('beforeunload', this.listener);
  }
}
