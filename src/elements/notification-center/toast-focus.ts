/**
 * The keyboard's way to and from the toasts, and the focus when a toast goes:
 *
 * - `Alt+Shift+N` anywhere in the page brings the focus to the newest toast (to the bell when
 *   there is none), and from the toasts back to where it was. A toast can sit over what one works
 *   on, and an urgent one stays until dismissed: this reaches it without tabbing through the
 *   page. An Alt+Shift letter types nothing in a text field on Windows and Linux, the common
 *   browsers do not bind this one, screen readers use their own modifiers, and a page that binds
 *   it itself wins (its listener runs first and prevents the default).
 * - Escape in a toast dismisses it.
 * - A toast that goes while it holds the focus hands it on first, to the next toast, else back to
 *   where `Alt+Shift+N` brought it from, else to the bell: a leaving toast is made inert, and the
 *   focus left in it would fall to the page's body.
 */
import { cssEscape } from '../shared/css-escape.js';
import { deepActiveElement } from '../shared/deep-focus.js';

/** The shortcut, in `aria-keyshortcuts` syntax. */
export const TOAST_SHORTCUT = 'Alt+Shift+N';

/** `Alt+Shift+N`: by the letter, or by the key's place where Option makes it "˜" (macOS). */
function isShortcut(e: KeyboardEvent): boolean {
  if (!e.altKey || !e.shiftKey || e.ctrlKey || e.metaKey) return false;
  return /^[a-z]$/i.test(e.key) ? e.key.toLowerCase() === 'n' : e.code === 'KeyN';
}

export interface ToastFocusOptions {
  /** The shadow root the toasts are in. */
  root(): ShadowRoot;
  /** The id of the newest toast on screen, if any. */
  newest(): string | undefined;
  /** Dismiss a toast. */
  dismiss(id: string): void;
  /** Make the stack focusable (it may stand aside, hidden) and wait until it is rendered so. */
  reveal(): Promise<unknown>;
  /** Whether the shortcut is off: the host shows no toasts, or a modal dialog makes them inert. */
  off(): boolean;
  /** The bell. */
  bell(): HTMLElement | null;
}

export class ToastFocus {
  /** Where the focus was when `Alt+Shift+N` brought it to the toasts. */
  private returnTo: HTMLElement | undefined;

  constructor(private readonly options: ToastFocusOptions) {}

  connect(): void {
    document.addEventListener('keydown', this.onPageKeydown);
  }

  disconnect(): void {
    document.removeEventListener('keydown', this.onPageKeydown);
    this.returnTo = undefined;
  }

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
    (shown[at + 1] ?? shown[at - 1] ?? this.back())?.focus();
  }

  /** The focus left the toasts for the page: the way back is forgotten. */
  left(): void {
    this.returnTo = undefined;
  }

  /** Escape in a toast (the stack's `keydown`). */
  readonly onKeydown = (event: KeyboardEvent): void => {
    const id = event.key === 'Escape' ? this.focused()?.dataset['id'] : undefined;
    if (id === undefined) return;
    // Nothing of the page's own (a side panel, a dialog around the element) closes with it.
    event.preventDefault();
    event.stopPropagation();
    this.options.dismiss(id);
  };

  private readonly onPageKeydown = (event: KeyboardEvent): void => {
    if (event.defaultPrevented || !isShortcut(event) || this.options.off()) return;
    event.preventDefault();
    if (this.focused()) {
      const back = this.back();
      this.returnTo = undefined;
      back?.focus();
      return;
    }
    const newest = this.options.newest();
    if (newest === undefined) {
      this.options.bell()?.focus();
      return;
    }
    const from = deepActiveElement();
    void this.options.reveal().then(() => {
      const toast = this.options
        .root()
        .querySelector<HTMLElement>(`.toast[data-id="${cssEscape(newest)}"]`);
      if (!toast) return;
      toast.focus();
      this.returnTo = from;
    });
  };

  private back(): HTMLElement | null {
    return this.returnTo?.isConnected ? this.returnTo : this.options.bell();
  }
}
