/**
 * Waiting for an element to look the way it will stay. Entrance animations and colour transitions
 * blend tokens with the background while they run, so a contrast check or a screenshot taken
 * mid-flight measures colours nobody sees for long — and how far along it is depends on how fast
 * the machine is. Every axe check goes through `expectAccessible`, which waits for them to end.
 */
import { expect } from '@open-wc/testing';

/** Every shadow root in `node`'s subtree, nested ones included (`getAnimations` stops at each). */
function shadowRootsIn(node: Element | ShadowRoot, found: ShadowRoot[] = []): ShadowRoot[] {
  const elements =
    node instanceof Element ? [node, ...node.querySelectorAll('*')] : node.querySelectorAll('*');
  for (const element of elements) {
    if (element.shadowRoot) {
      found.push(element.shadowRoot);
      shadowRootsIn(element.shadowRoot, found);
    }
  }
  return found;
}

/**
 * The running animations and transitions that will end by themselves, in `el`, its light DOM and
 * every shadow tree below it. Looping ones (spinners, pulsing skeletons) never end and carry no
 * text, so they are left running.
 */
export function finiteAnimations(el: Element): Animation[] {
  const all = [
    ...el.getAnimations({ subtree: true }),
    ...shadowRootsIn(el).flatMap((root) => root.getAnimations()),
  ];
  return all.filter(
    (a) => a.playState === 'running' && a.effect?.getComputedTiming().endTime !== Infinity,
  );
}

const nextFrame = () => new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));

/**
 * Resolves once no finite animation runs in `el`: waits for each to finish (or be cancelled), then
 * a frame for the styles they leave behind, and again for any that an `animationend` started.
 */
export async function animationsSettled(el: Element): Promise<void> {
  // A style change made just before this call starts its transition on the next frame.
  await nextFrame();
  for (let round = 0; round < 50; round++) {
    const running = finiteAnimations(el);
    if (running.length === 0) return;
    await Promise.all(running.map((a) => a.finished.catch(() => undefined)));
    await nextFrame();
  }
  throw new Error('animations kept starting for 50 rounds; the element never settles');
}

/** axe on the settled element: what a user sees once the motion has stopped. */
export async function expectAccessible(el: Element): Promise<void> {
  await animationsSettled(el);
  await expect(el).to.be.accessible();
}
