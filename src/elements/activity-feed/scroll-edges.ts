/**
 * Which inline ends of a row that scrolls sideways (the filter bar's kind chips) have more past
 * them, written to the row as `data-more`: `"start"`, `"end"`, `"start end"`, or `""` when all of
 * it shows. The row's styles fade only an edge something lies beyond, so a row that fits, or one
 * scrolled to its end, shows its last chip whole.
 *
 * Measured when the layout is known anyway: in a ResizeObserver's callback (the row or one of its
 * chips changed size: a narrower window, a new kind, another language) and on the row's `scroll`.
 * Never in an update, where reading the layout would force it. The attribute is written on the
 * element directly, not kept as the host's state: a scroll costs no render.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** Less than a pixel past an edge counts as nothing: a zoomed page scrolls by fractions. */
const SLACK_PX = 1;

export class ScrollEdges implements ReactiveController {
  private row: HTMLElement | undefined;
  /** The row's children being observed, to notice chips added or replaced by a render. */
  private observed: Element[] = [];
  private resize: ResizeObserver | undefined;

  /** `find` returns the row as currently rendered, if there is one. */
  constructor(
    host: ReactiveControllerHost,
    private readonly find: () => HTMLElement | null | undefined,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.sync();
  }

  hostUpdated(): void {
    this.sync();
  }

  hostDisconnected(): void {
    this.detach();
  }

  /** Follow the row a render left in place (or a new one), and any chips it added. */
  private sync(): void {
    const row = this.find() ?? undefined;
    if (row !== this.row) {
      this.detach();
      if (row) this.attach(row);
    } else if (row && !sameElements(row.children, this.observed)) {
      this.observe(row);
    }
  }

  private attach(row: HTMLElement): void {
    this.row = row;
    row.addEventListener('scroll', this.measure, { passive: true });
    this.observe(row);
  }

  /** Observing an element reports its size once, so a new row or chip is measured after layout. */
  private observe(row: HTMLElement): void {
    // Without ResizeObserver (jsdom, where host apps run unit tests) the row is measured on its
    // `scroll` only.
    if (typeof ResizeObserver === 'undefined') {
      this.observed = [...row.children];
      return;
    }
    this.resize ??= new ResizeObserver(this.measure);
    this.resize.disconnect();
    this.observed = [...row.children];
    this.resize.observe(row);
    for (const child of this.observed) this.resize.observe(child);
  }

  private detach(): void {
    this.row?.removeEventListener('scroll', this.measure);
    this.resize?.disconnect();
    this.row = undefined;
    this.observed = [];
  }

  private readonly measure = (): void => {
    const row = this.row;
    if (!row) return;
    // `scrollLeft` runs from 0 at the inline start, negative towards the end in right-to-left.
    const before = Math.abs(row.scrollLeft);
    const after = row.scrollWidth - row.clientWidth - before;
    const more = [before > SLACK_PX ? 'start' : '', after > SLACK_PX ? 'end' : '']
      .filter(Boolean)
      .join(' ');
    if (row.dataset['more'] !== more) row.dataset['more'] = more;
  };
}

function sameElements(a: HTMLCollection, b: readonly Element[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
