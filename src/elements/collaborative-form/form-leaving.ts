/**
 * What the user changed in the form is not lost when they leave it:
 * - `save-mode="change"`: a change waits `save-delay` ms, and a value being typed waits for the
 *   field's `change`. The page going to the background (`visibilitychange` to hidden; a phone may
 *   then close it without another event), the page being left (`pagehide`) or the element leaving
 *   the page (a framework's route change) saves it now instead, into the outbox, which sends it
 *   or keeps it for the next page. A changed value that fails its validation is not saved: while
 *   one is there, the browser asks before the page is closed or reloaded, as in submit mode.
 * - `save-mode="submit"`: while changes are not saved, the browser asks before the page is closed
 *   or reloaded (`beforeunload`), as sites do for a form the user filled in and did not send. The
 *   listener is attached only while so: a page that has nothing to lose is never asked about, and
 *   keeps its place in the back/forward cache.
 */
import { UnloadGuard, windowTarget } from '../../util/unload-guard.js';

export interface FormLeavingOptions {
  /** The form saves on change (`save-mode="change"`). */
  readonly onChange: () => boolean;
  /** Changed fields of a live record wait to be saved. */
  readonly unsaved: () => boolean;
  /** Some of them fail their validation: a save on change leaves them out. */
  readonly invalid: () => boolean;
  /** Save the changed fields now. */
  readonly save: () => void;
  /** The element is in the document. */
  readonly connected: () => boolean;
  /** Keep the record until the microtask after the element leaves (see `disconnect`). */
  readonly keep: () => void;
}

export class FormLeaving {
  private readonly guard = new UnloadGuard(windowTarget());

  constructor(private readonly options: FormLeavingOptions) {}

  /** Whether to ask before unload at all (a page that asks in its own way turns it off). */
  set warn(on: boolean) {
    this.guard.enabled = on;
  }

  connect(): void {
    this.listen(true);
  }

  /**
   * Before the element lets its record go. Whether it left the page or was only moved (a
   * framework re-parenting it: removed, then inserted in the same task) is known a microtask
   * later: then, if it left, the guard goes and a change waiting to be saved on change is saved
   * (`keep` holds the record until then). A move saves nothing early (a value half typed) and
   * keeps the guard.
   */
  disconnect(): void {
    this.listen(false);
    if (this.options.onChange() && this.options.unsaved()) this.options.keep();
    queueMicrotask(() => {
      if (this.options.connected()) return;
      this.guard.update(false);
      this.flush();
    });
  }

  /**
   * After each update: whether closing the page now would lose a change that leaving does not
   * save: in submit mode, one the user must send; on change, one that fails its validation
   * (saved once the user corrects it, and lost in silence if they closed the page meanwhile).
   */
  update(): void {
    const { onChange, unsaved, invalid } = this.options;
    this.guard.update(unsaved() && (!onChange() || invalid()));
  }

  private flush(): void {
    if (this.options.onChange() && this.options.unsaved()) this.options.save();
  }

  private listen(on: boolean): void {
    const target = windowTarget();
    if (!target) return;
    const method = on ? 'addEventListener' : 'removeEventListener';
    target[method]('pagehide', this.onPageHide);
    globalThis.document?.[method]('visibilitychange', this.onVisibility);
  }

  private readonly onPageHide = (): void => this.flush();

  private readonly onVisibility = (): void => {
    if (globalThis.document?.visibilityState === 'hidden') this.flush();
  };
}
