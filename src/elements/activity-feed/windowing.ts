/**
 * The arithmetic of the feed's windowing, apart from the DOM so it is easy to test: item heights
 * (measured once rendered, estimated until then), the offset of every item, and which items a
 * scroll position needs.
 *
 * Heights are kept by item id, so they survive new items arriving above and pages arriving below.
 * Unmeasured items count as the average of the measured ones (or a first guess), which keeps the
 * scrollbar honest as items of one feed tend to look alike.
 */

/** Items `start` (inclusive) to `end` (exclusive). */
export interface Range {
  readonly start: number;
  readonly end: number;
}

/** Measured items after which the estimate stops moving. */
const SETTLE_AFTER = 24;

export const EMPTY_RANGE: Range = Object.freeze({ start: 0, end: 0 });

export class HeightCache {
  private readonly heights = new Map<string, number>();
  private sum = 0;
  private settled: number | undefined;
  /** Changes whenever a height does, so layouts know when to rebuild. */
  version = 0;

  constructor(
    /** The guess for an item before any was measured, in px. */
    private readonly guess: number,
    /** Heights kept at most; the oldest measured are forgotten beyond it. */
    private readonly max = 20_000,
  ) {}

  /**
   * The height assumed for an unmeasured item: the average of the first items measured, then
   * fixed, so that measuring one more item does not move every unmeasured item (and the
   * scrollbar) again.
   */
  get estimate(): number {
    return this.settled ?? (this.heights.size ? this.sum / this.heights.size : this.guess);
  }

  get size(): number {
    return this.heights.size;
  }

  get(id: string): number {
    return this.heights.get(id) ?? this.estimate;
  }

  has(id: string): boolean {
    return this.heights.has(id);
  }

  /** Record a measured height; true when it changed. */
  set(id: string, height: number): boolean {
    if (!(height >= 0) || !Number.isFinite(height)) return false;
    const old = this.heights.get(id);
    if (old !== undefined && Math.abs(old - height) < 0.5) return false;
    if (old !== undefined) {
      this.sum -= old;
      this.heights.delete(id);
    } else if (this.heights.size >= this.max) {
      const [oldest, value] = this.heights.entries().next().value!;
      this.heights.delete(oldest);
      this.sum -= value;
    }
    this.heights.set(id, height);
    this.sum += height;
    if (this.settled === undefined && this.heights.size >= SETTLE_AFTER) {
      this.settled = this.sum / this.heights.size;
    }
    this.version += 1;
    return true;
  }

  clear(): void {
    this.heights.clear();
    this.sum = 0;
    this.settled = undefined;
    this.version += 1;
  }
}

/** Offsets of a list of items: `offset(i)` is where item `i` starts, `total` where all end. */
export class Layout {
  private offsets = new Float64Array(1);
  private ids: readonly string[] = [];
  private builtFor: unknown;
  private builtVersion = -1;

  constructor(private readonly heights: HeightCache) {}

  get count(): number {
    return this.ids.length;
  }

  get total(): number {
    return this.offsets[this.ids.length]!;
  }

  /**
   * Bring the offsets up to date for `items` (newest first), if the list or a height changed.
   * `source` is the list's identity (the store hands out a new array on every change).
   */
  update<T>(source: readonly T[], idOf: (item: T) => string): void {
    if (source === this.builtFor && this.heights.version === this.builtVersion) return;
    this.builtFor = source;
    this.builtVersion = this.heights.version;
    const n = source.length;
    const ids = new Array<string>(n);
    if (this.offsets.length < n + 1) this.offsets = new Float64Array(Math.max(n + 1, n * 1.25));
    const offsets = this.offsets;
    offsets[0] = 0;
    for (let i = 0; i < n; i++) {
      const id = idOf(source[i]!);
      ids[i] = id;
      offsets[i + 1] = offsets[i]! + this.heights.get(id);
    }
    this.ids = ids;
  }

  offset(index: number): number {
    const i = Math.max(0, Math.min(index, this.ids.length));
    return this.offsets[i]!;
  }

  height(index: number): number {
    return this.offset(index + 1) - this.offset(index);
  }

  idAt(index: number): string | undefined {
    return this.ids[index];
  }

  /** The index of an id, searching from the top (where the reader usually is). */
  indexOf(id: string): number {
    return this.ids.indexOf(id);
  }

  /** The item at a vertical position (the last one for positions past the end). */
  indexAt(y: number): number {
    const n = this.ids.length;
    if (n === 0) return 0;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.offsets[mid]! <= y) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The items that intersect `[top - before, top + viewport + after]`. */
  range(top: number, viewport: number, before: number, after: number): Range {
    const n = this.ids.length;
    if (n === 0) return EMPTY_RANGE;
    const start = this.indexAt(Math.max(0, top - before));
    const end = Math.min(n, this.indexAt(top + viewport + after) + 1);
    return { start, end: Math.max(end, start + 1) };
  }
}

/** `inner` lies within `outer`. */
export function covers(outer: Range, inner: Range): boolean {
  return inner.start >= outer.start && inner.end <= outer.end;
}
