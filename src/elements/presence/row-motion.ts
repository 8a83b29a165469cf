/**
 * Which avatars are animating in and out. Someone who leaves stays in the row, where they were,
 * until their exit animation ends; under `prefers-reduced-motion` nothing is kept or animated.
 */
import type { Person } from '../../client/types.js';

const prefersReducedMotion = () =>
  globalThis.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false;

/** Whether an animation runs on `element`; none where there is no Web Animations API (jsdom). */
const animating = (element: Element | null): boolean =>
  (element?.getAnimations?.().length ?? 0) > 0;

export class RowMotion {
  private readonly entering = new Set<string>();
  private readonly leaving = new Map<string, { person: Person; index: number }>();

  arrived(id: string): void {
    this.leaving.delete(id);
    if (!prefersReducedMotion()) this.entering.add(id);
  }

  /** `index`: where they were in the row, -1 if they were not shown (nothing to animate). */
  left(person: Person, index: number): void {
    this.entering.delete(person.user.id);
    if (index >= 0 && !prefersReducedMotion()) this.leaving.set(person.user.id, { person, index });
  }

  isEntering(id: string): boolean {
    return this.entering.has(id);
  }

  isLeaving(id: string): boolean {
    return this.leaving.has(id);
  }

  /** An animation of `id` ended; true when that changes what is rendered. */
  done(id: string): boolean {
    const left = this.leaving.delete(id);
    const entered = this.entering.delete(id);
    return left || entered;
  }

  /** The row with the people animating out put back where they were. */
  withLeaving(shown: readonly Person[]): Person[] {
    const row = [...shown];
    const leaving = [...this.leaving.values()].sort((a, b) => a.index - b.index);
    for (const { person, index } of leaving) row.splice(Math.min(index, row.length), 0, person);
    return row;
  }

  /**
   * After a render: forget arrivals and departures with nothing running (the person went behind
   * "+N" and was never drawn, the element is hidden, or the animation was overridden by the
   * page's CSS), so no avatar lingers and nobody who came and went is remembered.
   */
  prune(item: (id: string) => Element | null): void {
    for (const id of this.leaving.keys()) {
      if (!animating(item(id))) this.leaving.delete(id);
    }
    for (const id of this.entering) {
      if (!animating(item(id))) this.entering.delete(id);
    }
  }

  /** People animating in or out (for tests: nobody is remembered after they are gone). */
  get size(): number {
    return this.entering.size + this.leaving.size;
  }

  clear(): void {
    this.entering.clear();
    this.leaving.clear();
  }
}
