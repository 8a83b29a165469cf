/**
 * The focus when a toast goes: a toast that goes while it holds the focus hands it on first, to
 * the next toast, else to the bell. A leaving toast is made inert, and the focus left in it would
 * fall to the page's body.
 */

export interface ToastFocusOptions {
  /** The shadow root the toasts are in. */
  root(): ShadowRoot;
  /** The bell. */
  bell(): HTMLElement | null;
}

export class ToastFocus {
  constructor(private readonly options: ToastFocusOptions) {}

  /** The toast that holds the focus (itself, or one of its links and buttons). */
  focused(): HTMLElement | undefined {
    const active = this.options.root().activeElement;
    return active?.closest<HTMLElement>('.toast:not(.leaving)') ?? undefined;
  }

  /** `node` is about to go: if it holds the focus, the focus moves on now. */
  leaving(node: HTMLElement): void {
    if (node !== this.focused()) return;
    const shown = [...this.options.root().querySelectorAll<HTMLElement>('.toast:not(.leaving)')];
    const at = shown.indexOf(node);
    (shown[at + 1] ?? shown[at - 1] ?? this.options.bell())?.focus();
  }
}
