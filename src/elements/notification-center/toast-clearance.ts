/**
 * Where the toast stack stands, so that it never hides what the person is working on (WCAG 2.4.11,
 * Focus Not Obscured). The stack sits in the top layer, over everything; an urgent toast stays
 * until dismissed, and at 200 % zoom or on a phone it covered the fields one tabbed to.
 *
 * - When the element focused in the page lies under the stack, the stack moves to the other block
 *   edge of the viewport (bottom ↔ top), and stays there until it empties: moved, a toast can
 *   still be read. When it would cover the focus there too (a tall stack on a small screen), it
 *   stands aside: hidden, its countdowns paused, until the focus moves where it covers nothing.
 * - While a modal dialog is open (`:modal`, in whatever shadow tree) the stack stands aside too:
 *   a stack opened after the dialog (the element connected, or its first frame came, while the
 *   dialog was up) would be drawn over the dialog and its backdrop, and under a modal dialog the
 *   toasts are inert anyway.
 *
 * - The stack stays in the visual viewport: while an on-screen keyboard covers the bottom of the
 *   page (a phone's `visualViewport` shorter than the layout viewport), a stack at the bottom edge
 *   stands on the keyboard's top rather than behind it, where its countdown would run out unseen;
 *   at the top edge it follows a visual viewport panned down to the focused field.
 *
 * The focus in the toasts themselves is never in the way; on the element's own bell it is (a stack
 * moved to the top edge can lie over a header).
 *
 * Everything is measured in an animation frame after a change: a focus move, a key or a pointer
 * pressed, a scroll, a resize (of the visual viewport too), a render of the host while toasts are drawn. A focus move between
 * two elements of one shadow tree fires no `focusin` outside it, so the shadow roots around the
 * focused element are listened to as well: a modal dialog that a component opens from script (a
 * save's conflict, answered by the server) takes the focus inside that component, with no key or
 * press, and the toasts stand aside in the next frame instead of at the next key.
 */
import { deepActiveElement } from '../shared/deep-focus.js';
import type { ReactiveElement } from 'lit';

export type Edge = 'top' | 'bottom';

/** Events on the document after which the focused element may be somewhere else. */
const TRIGGERS = ['focusin', 'focusout', 'keydown', 'pointerdown', 'scroll'] as const;

export interface ClearanceOptions {
  /** The edge `toast-position` asks for. */
  preferred(): Edge;
  /** Whether a toast is drawn (nothing to move otherwise). */
  drawn(): boolean;
  /** The stack element, once rendered. */
  stack(): HTMLElement | null;
  /** Called after each measure, outside the host's update: `aside` may have changed. */
  measured(): void;
}

/** The node's parent, or its shadow root's host: one step up the composed tree. */
function composedParent(node: Node): Node | null {
  return node.parentNode instanceof ShadowRoot ? node.parentNode.host : node.parentNode;
}

/** Whether two boxes share some area. */
function intersects(a: DOMRectReadOnly, b: DOMRectReadOnly): boolean {
  return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
}

export class ToastClearance {
  /** On the other edge than `preferred` (until the stack empties). */
  private flipped = false;
  /** Neither edge is clear of the focused element. */
  private blocking = false;
  /** The modal dialog open in the page, if any. */
  private modal: Element | undefined;
  /** The shadow roots around the focused element, whose own focus moves are listened to. */
  private roots: ShadowRoot[] = [];
  private frame = 0;
  /** The visible band of the layout viewport, from the last measure (see `fitView`). */
  private view = { top: 0, bottom: 0 };

  constructor(
    private readonly host: ReactiveElement,
    private readonly options: ClearanceOptions,
  ) {}

  /** The viewport edge the stack stands on. */
  get edge(): Edge {
    const preferred = this.options.preferred();
    if (!this.flipped) return preferred;
    return preferred === 'top' ? 'bottom' : 'top';
  }

  /** Hidden out of the way: a modal dialog is open, or the stack covers the focus on either edge. */
  get aside(): boolean {
    return this.options.drawn() && (this.blocking || this.modal !== undefined);
  }

  /** Whether a modal dialog is open in the page (its toasts cannot be reached then). */
  get modalOpen(): boolean {
    return this.modal !== undefined;
  }

  connect(): void {
    for (const type of TRIGGERS) {
      document.addEventListener(type, this.schedule, { capture: true, passive: true });
    }
    addEventListener('resize', this.schedule);
    globalThis.visualViewport?.addEventListener('resize', this.schedule);
    globalThis.visualViewport?.addEventListener('scroll', this.schedule);
  }

  disconnect(): void {
    for (const type of TRIGGERS)
      document.removeEventListener(type, this.schedule, { capture: true });
    removeEventListener('resize', this.schedule);
    globalThis.visualViewport?.removeEventListener('resize', this.schedule);
    globalThis.visualViewport?.removeEventListener('scroll', this.schedule);
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.track(undefined);
    this.watchRoots(undefined);
    this.flipped = false;
    this.blocking = false;
  }

  /** Show the stack where it stands, now (the focus is about to go into it). */
  reveal(): void {
    if (!this.blocking) return;
    this.blocking = false;
    this.host.requestUpdate();
    this.options.measured();
  }

  /** After the host rendered. */
  updated(): void {
    if (this.options.drawn()) {
      this.schedule();
    } else {
      // Empty: back to its own corner for the next toast (nothing drawn shows the change).
      this.flipped = false;
      this.blocking = false;
    }
  }

  private readonly schedule = (): void => {
    if (this.frame !== 0 || !this.options.drawn()) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.check();
    });
  };

  private check(): void {
    const stack = this.options.stack();
    if (!stack || !this.options.drawn()) return;
    const before = [this.flipped, this.blocking, this.modal] as const;
    this.fitView(stack);
    const focus = deepActiveElement();
    this.watchRoots(focus);
    this.track(this.findModal(focus));
    const target = focus && !stack.contains(focus) ? focus : undefined;
    if (!target || this.modal) {
      this.blocking = false;
    } else {
      const box = target.getBoundingClientRect();
      const here = stack.getBoundingClientRect();
      if (!intersects(box, here)) this.blocking = false;
      else if (!intersects(box, this.mirrored(here))) {
        this.flipped = !this.flipped;
        this.blocking = false;
      } else this.blocking = true;
    }
    const after = [this.flipped, this.blocking, this.modal] as const;
    if (before.some((value, i) => value !== after[i])) this.host.requestUpdate();
    this.options.measured();
  }

  /**
   * The part of the layout viewport the visual viewport shows (an on-screen keyboard or a pinch
   * zoom makes it smaller), given to the stack's styles as `--_view-start` and `--_view-end`: how
   * much of the layout viewport's top and bottom is out of sight.
   */
  private fitView(stack: HTMLElement): void {
    const height = document.documentElement.clientHeight;
    const top = Math.max(0, globalThis.visualViewport?.offsetTop ?? 0);
    const bottom = Math.min(height, top + (globalThis.visualViewport?.height ?? height));
    this.view = { top, bottom };
    stack.style.setProperty('--_view-start', `${Math.round(top)}px`);
    stack.style.setProperty('--_view-end', `${Math.round(height - bottom)}px`);
  }

  /** The stack's box on the other block edge, as far from it as it is from its own. */
  private mirrored(box: DOMRectReadOnly): DOMRectReadOnly {
    const { top: start, bottom: end } = this.view;
    const gap = this.edge === 'bottom' ? end - box.bottom : box.top - start;
    const top = this.edge === 'bottom' ? start + gap : end - gap - box.height;
    return new DOMRectReadOnly(box.left, top, box.width, box.height);
  }

  /** The open modal dialog: the one seen before while it stays modal, or one around the focus. */
  private findModal(focus: HTMLElement | undefined): Element | undefined {
    if (this.modal?.isConnected && this.modal.matches(':modal')) return this.modal;
    // Everything outside a modal dialog is inert: the focus is in it, or on the body.
    for (let node: Node | null = focus ?? null; node; node = composedParent(node)) {
      if (node instanceof Element && node.matches(':modal')) return node;
    }
    return document.querySelector(':modal') ?? undefined;
  }

  /** Listen for focus moves inside each shadow tree around `focus` (see the header). */
  private watchRoots(focus: HTMLElement | undefined): void {
    for (const root of this.roots) root.removeEventListener('focusin', this.schedule, true);
    this.roots = [];
    for (
      let root = focus?.getRootNode();
      root instanceof ShadowRoot;
      root = root.host.getRootNode()
    ) {
      root.addEventListener('focusin', this.schedule, { capture: true, passive: true });
      this.roots.push(root);
    }
  }

  /** Follow a modal dialog: its `close` event does not leave its shadow tree, so listen on it. */
  private track(modal: Element | undefined): void {
    if (modal === this.modal) return;
    this.modal?.removeEventListener('close', this.onModalClose);
    this.modal = modal;
    this.modal?.addEventListener('close', this.onModalClose);
  }

  private readonly onModalClose = (): void => {
    this.track(undefined);
    this.host.requestUpdate();
    this.schedule();
  };
}
