/**
 * The modal behaviour of a native `<dialog>` in a shadow root, apart from what it shows:
 * `showModal()` (top layer, the rest of the page inert), focus given back to where it was on
 * close, Tab and Shift+Tab kept inside, and Escape turned into a request the host may refuse.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { cssEscape } from '../shared/css-escape.js';
import { deepActiveElement } from '../shared/deep-focus.js';

export interface ModalOptions {
  /** The dialog, once rendered. */
  dialog(): HTMLDialogElement | null | undefined;
  /** Escape (or another close request of the platform) was pressed: true to let it close. */
  requestClose(): boolean;
  /** Whether the host still wants the dialog open. */
  wanted(): boolean;
  /** The dialog closed without the host asking (a script called `close()`): update state. */
  closed(): void;
  /** Something went wrong opening it, for a development warning. */
  warn(message: string): void;
  /** Where the focus goes on close when the element that had it is no longer in the page. */
  fallbackFocus?(): HTMLElement | undefined;
}

export class Modal implements ReactiveController {
  private returnFocus: HTMLElement | undefined;
  /** Set when a close request could not be refused (see `onCancel`). */
  private reopen = false;

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly options: ModalOptions,
  ) {
    host.addController(this);
  }

  /** Whether the dialog is showing. */
  get isOpen(): boolean {
    return this.options.dialog()?.open ?? false;
  }

  hostDisconnected(): void {
    // A removed dialog leaves the top layer by itself; give the focus back all the same.
    this.reopen = false;
    if (this.returnFocus) this.restoreFocus();
  }

  /** Open as a modal, remembering where the focus was. False when it could not open. */
  show(): boolean {
    const dialog = this.options.dialog();
    if (!dialog || !this.host.isConnected) return false;
    if (dialog.open) return true;
    this.returnFocus = deepActiveElement();
    try {
      dialog.showModal();
      return true;
    } catch (error) {
      this.returnFocus = undefined;
      this.options.warn(`could not open as a modal (${String(error)}).`);
      return false;
    }
  }

  /** Close (when open) and give the focus back. */
  close(): void {
    this.reopen = false;
    const dialog = this.options.dialog();
    if (dialog?.open) dialog.close();
    this.restoreFocus();
  }

  /** The dialog's `cancel` event: Escape asks the host first. */
  readonly onCancel = (event: Event): void => {
    event.preventDefault();
    if (this.options.requestClose()) return;
    // Without a user activation since the last one, Chrome's close watcher makes this event not
    // cancelable and closes anyway; the host refused, so the dialog comes straight back.
    if (!event.cancelable) this.reopen = true;
  };

  /** The dialog's `close` event (it comes a task after the close). */
  readonly onClose = (): void => {
    const dialog = this.options.dialog();
    if (!dialog || dialog.open) return;
    if (this.reopen) {
      this.reopen = false;
      if (this.options.wanted() && this.host.isConnected) dialog.showModal();
      return;
    }
    this.options.closed();
    this.restoreFocus();
  };

  /** Tab and Shift+Tab wrap around inside the dialog instead of leaving for the browser's UI. */
  readonly onKeydown = (event: KeyboardEvent): void => {
    if (event.key !== 'Tab' || event.altKey || event.ctrlKey || event.metaKey) return;
    const dialog = event.currentTarget as HTMLDialogElement;
    const stops = tabStops(dialog);
    const first = stops[0];
    const last = stops[stops.length - 1];
    if (!first || !last) return;
    const active = (dialog.getRootNode() as ShadowRoot | Document).activeElement;
    const edge = event.shiftKey ? first : last;
    if (active === edge || !active || !dialog.contains(active)) {
      event.preventDefault();
      (event.shiftKey ? last : first).focus();
    }
  };

  private restoreFocus(): void {
    const target = this.returnFocus;
    this.returnFocus = undefined;
    if (target?.isConnected) {
      target.focus({ preventScroll: true });
      return;
    }
    // Nothing had the focus when the dialog opened, or what had it is gone: the host's choice,
    // unless the focus already went somewhere meanwhile.
    if (
      deepActiveElement() !== undefined &&
      !this.options.dialog()?.contains(deepActiveElement()!)
    ) {
      return;
    }
    // Elsewhere than the user was: brought into view (below a sticky header, by the page's
    // scroll padding), or the keyboard user would go on from a field they cannot see.
    const fallback = this.options.fallbackFocus?.();
    if (fallback?.isConnected) fallback.focus();
  }
}

/** The elements Tab stops at, in order: buttons, fields, and one radio per group. */
function tabStops(root: HTMLElement): HTMLElement[] {
  const candidates = root.querySelectorAll<HTMLElement>(
    'button, input, select, textarea, a[href], [tabindex]:not([tabindex="-1"])',
  );
  const groups = new Set<string>();
  const stops: HTMLElement[] = [];
  for (const el of candidates) {
    if ((el as HTMLButtonElement).disabled || el.tabIndex < 0 || !visible(el)) continue;
    if (el instanceof HTMLInputElement && el.type === 'radio') {
      const checked = root.querySelector<HTMLInputElement>(
        `input[type="radio"][name="${cssEscape(el.name)}"]:checked`,
      );
      if (checked ? checked !== el : groups.has(el.name)) continue;
      groups.add(el.name);
    }
    stops.push(el);
  }
  return stops;
}

/**
 * Whether `el` is rendered. Safari before 17.4 has no `checkVisibility`: there, an element with no
 * box (`display: none`, itself or an ancestor) is the one Tab cannot reach.
 */
function visible(el: HTMLElement): boolean {
  return el.checkVisibility?.() ?? el.getClientRects().length > 0;
}
