/**
 * `<crm-activity-feed>` on a page taller than the viewport: the window of rendered items follows
 * what the reader can see of the feed, whoever scrolls (the feed, the page, a panel around it),
 * and is measured again when the items change (a filter applied and cleared). Regression test for
 * the demo dashboard drawing 6 of 30 items, with a blank strip, after "Clear filters" and a page
 * scroll.
 */
import { expect } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import type { ActivityInput } from '../../../../src/protocol/index.js';
import {
  ANA,
  BEN,
  articles,
  call,
  change,
  feed,
  mountFeed,
  nextFrame,
  pill,
  scroller,
  text,
  type MountedFeed,
} from './fixture.js';
import { closeFakeConnections } from '../../helpers/fake-connection.js';

/** 30 items: Ana changes things, Ben logs calls (so "Ben" + "Changes" matches nothing). */
const HISTORY: ActivityInput[] = Array.from({ length: 30 }, (_, i) =>
  i % 2 ? call(BEN, `Call ${i}`) : change(ANA, 'status', `Lead ${i}`, `Customer ${i}`),
);

const spacers: HTMLElement[] = [];
const restores: (() => void)[] = [];

/** Page content above and below the feed, so the page scrolls and the feed starts low. */
async function tallPage(m: MountedFeed, above: number, below: number): Promise<void> {
  for (const [height, where] of [
    [above, 'prepend'],
    [below, 'append'],
  ] as const) {
    const spacer = document.createElement('div');
    spacer.style.blockSize = `${height}px`;
    document.body[where](spacer);
    spacers.push(spacer);
  }
  await nextFrame();
  await m.settle();
}

afterEach(() => {
  closeFakeConnections();
  for (const restore of restores.splice(0)) restore();
  for (const spacer of spacers.splice(0)) spacer.remove();
  window.scrollTo(0, 0);
});

/** Filter by a person, then to "Changes" (nothing matches), then "Clear filters", as in the demo. */
async function filterThenClear(m: MountedFeed): Promise<void> {
  const select = m.root.querySelector<HTMLSelectElement>('select')!;
  select.value = BEN.id;
  select.dispatchEvent(new Event('change'));
  await m.settle();
  [...m.root.querySelectorAll<HTMLButtonElement>('.chip')]
    .find((c) => text(c) === 'Changes')!
    .click();
  await m.settle();
  expect(text(m.root.querySelector('.state p'))).to.equal('No activity matches these filters');
  m.root.querySelector<HTMLButtonElement>('.state .action')!.click();
  await m.settle();
  expect(m.el.filter).to.deep.equal({});
  expect(m.el.snapshot?.items).to.have.length(30);
}

/** Scroll the page and let the scroll event arrive and the feed render. */
async function scrollPage(m: MountedFeed, by: number): Promise<void> {
  const before = window.scrollY;
  window.scrollBy(0, by);
  expect(window.scrollY - before, 'the page scrolled').to.equal(by);
  await nextFrame();
  await m.settle();
  await nextFrame();
  await m.settle();
}

/**
 * The part of the feed list the reader can see (inside the feed's scroller and the window), and
 * whether the rendered articles cover it: any gap would be a blank strip standing for items that
 * are in view but not drawn.
 */
function coverage(m: MountedFeed): { gapAbove: number; gapBelow: number; visible: number } {
  const list = feed(m.root)!.getBoundingClientRect();
  const box = scroller(m.root).getBoundingClientRect();
  const top = Math.max(list.top, box.top, 0);
  const bottom = Math.min(list.bottom, box.bottom, window.innerHeight);
  const shown = articles(m.root).filter((a) => !a.classList.contains('pinned'));
  const first = shown[0]!.getBoundingClientRect();
  const last = shown.at(-1)!.getBoundingClientRect();
  return {
    gapAbove: Math.max(0, first.top - top),
    gapBelow: Math.max(0, bottom - last.bottom),
    visible: bottom - top,
  };
}

/** Every item whose box intersects the viewport is rendered, in order, as a feed of 30. */
function expectNoBlankStrip(m: MountedFeed): void {
  const { gapAbove, gapBelow, visible } = coverage(m);
  expect(visible, 'some of the feed is in view').to.be.greaterThan(100);
  expect(gapAbove, 'blank strip above the first drawn item (px)').to.be.below(1);
  expect(gapBelow, 'blank strip below the last drawn item (px)').to.be.below(1);
  const shown = articles(m.root);
  const positions = shown.map((a) => Number(a.getAttribute('aria-posinset')));
  expect(positions).to.deep.equal(positions.map((_, i) => positions[0]! + i));
  expect(shown.every((a) => a.getAttribute('aria-setsize') === '30')).to.equal(true);
}

describe('crm-activity-feed on a page that scrolls', () => {
  it('the page is the scroller: after a filter is cleared, a page scroll draws every item in view', async () => {
    const m = await mountFeed({ history: HISTORY, style: 'max-block-size: none' });
    await tallPage(m, 200, 1200);
    await filterThenClear(m);
    await scrollPage(m, 250);
    expectNoBlankStrip(m);
    // The feed is not its own scroller: only about a viewport's worth is drawn, not all 30.
    expect(scroller(m.root).scrollHeight).to.equal(scroller(m.root).clientHeight);
    expect(articles(m.root).length).to.be.below(30);
    await scrollPage(m, 1200);
    expectNoBlankStrip(m);
    expect(articles(m.root)[0]!.getAttribute('aria-posinset')).to.not.equal('1');
  });

  it('the feed scrolls inside the page: after a filter is cleared, a page scroll leaves no blank strip', async () => {
    const m = await mountFeed({ history: HISTORY });
    await tallPage(m, 200, 1200);
    await filterThenClear(m);
    await scrollPage(m, 250);
    expectNoBlankStrip(m);
    expect(scroller(m.root).scrollHeight).to.be.greaterThan(scroller(m.root).clientHeight);
  });

  it('a scrolling panel around the feed: scrolling the panel draws the items it brings into view', async () => {
    const panel = document.createElement('div');
    panel.style.cssText = 'block-size: 400px; overflow-y: auto';
    const m = await mountFeed({ history: HISTORY, style: 'max-block-size: none' });
    m.provider.before(panel);
    panel.append(m.provider);
    spacers.push(panel);
    await m.settle();
    await filterThenClear(m);
    panel.scrollTop = 900;
    await nextFrame();
    await m.settle();
    await nextFrame();
    await m.settle();
    const view = panel.getBoundingClientRect();
    const list = feed(m.root)!.getBoundingClientRect();
    const shown = articles(m.root);
    expect(shown.length).to.be.below(30);
    expect(shown[0]!.getBoundingClientRect().top).to.be.at.most(Math.max(view.top, list.top) + 1);
    expect(shown.at(-1)!.getBoundingClientRect().bottom).to.be.at.least(view.bottom - 1);
  });

  it('the page is the scroller: End and Page Up move focus to items not drawn yet, into view', async () => {
    const m = await mountFeed({ history: HISTORY, style: 'max-block-size: none' });
    await tallPage(m, 200, 1200);
    expect(articles(m.root).length).to.be.below(30);
    articles(m.root)[0]!.focus();
    await sendKeys({ press: 'End' });
    await m.settle();
    const focused = () => m.root.activeElement as HTMLElement | null;
    expect(focused()?.getAttribute('aria-posinset')).to.equal('30');
    const box = focused()!.getBoundingClientRect();
    expect(box.top).to.be.at.least(-1);
    expect(box.bottom).to.be.at.most(window.innerHeight + 1);
    expect(focused()!.classList.contains('pinned')).to.equal(false);
    expectNoBlankStrip(m);
    await sendKeys({ press: 'PageUp' });
    await m.settle();
    expect(focused()?.getAttribute('aria-posinset')).to.equal('29');
  });

  it('the page is the scroller: new items above the focused article leave it where it is', async () => {
    const m = await mountFeed({ history: HISTORY, style: 'max-block-size: none' });
    await tallPage(m, 200, 1200);
    await scrollPage(m, 150);
    articles(m.root)[1]!.focus();
    await m.settle();
    const focused = m.root.activeElement as HTMLElement;
    const top = focused.getBoundingClientRect().top;
    for (let i = 0; i < 6; i++) m.server.appendActivity(call(BEN, `New ${i}`));
    await m.settle();
    await nextFrame();
    await m.settle();
    expect(m.root.activeElement === focused).to.equal(true);
    expect(focused.getAttribute('aria-posinset')).to.equal('8');
    expect(focused.getBoundingClientRect().top).to.be.closeTo(top, 1);
    // The feed is not scrolled, so there is no "N new" to go back to: the page went down.
    expect(text(pill(m.root)), 'no pill').to.equal('');
    expect(text(m.root.querySelector('[role="status"]'))).to.equal('');
    const { gapAbove, gapBelow } = coverage(m);
    expect(gapAbove + gapBelow, 'blank strip in view (px)').to.be.below(1);
  });

  it('a short feed that grows into a scroller: the focused article stays where it is', async () => {
    const m = await mountFeed({ history: HISTORY.slice(0, 3) });
    await tallPage(m, 200, 1200);
    articles(m.root)[1]!.focus();
    await m.settle();
    const focused = m.root.activeElement as HTMLElement;
    const top = focused.getBoundingClientRect().top;
    for (let i = 0; i < 12; i++) m.server.appendActivity(call(BEN, `New ${i}`));
    await m.settle();
    await nextFrame();
    await m.settle();
    expect(m.root.activeElement === focused).to.equal(true);
    expect(focused.getBoundingClientRect().top).to.be.closeTo(top, 1);
    expect(text(pill(m.root))).to.equal('12 new');
  });

  it('listens to the page and the panels around it while connected, and stops when removed', async () => {
    const panel = document.createElement('div');
    panel.style.cssText = 'block-size: 400px; overflow-y: auto';
    document.body.append(panel);
    spacers.push(panel);
    const onWindow = trackListeners(window);
    const onPanel = trackListeners(panel);
    const m = await mountFeed({ history: HISTORY, style: 'max-block-size: none' });
    panel.append(m.provider);
    await m.settle();
    expect(onWindow.live('scroll'), 'window scroll').to.equal(1);
    expect(onWindow.live('resize'), 'window resize').to.equal(1);
    expect(onPanel.live('scroll'), 'panel scroll').to.equal(1);
    expect(onWindow.passive, 'passive').to.equal(true);
    m.el.remove();
    expect(onWindow.live('scroll')).to.equal(0);
    expect(onWindow.live('resize')).to.equal(0);
    expect(onPanel.live('scroll')).to.equal(0);
    // Back in the document (moved, say): listening again, once.
    m.provider.append(m.el);
    await m.settle();
    expect(onWindow.live('scroll')).to.equal(1);
    expect(onPanel.live('scroll')).to.equal(1);
    m.el.remove();
    expect(onWindow.live('scroll') + onPanel.live('scroll')).to.equal(0);
  });
});

/** Counts the listeners added to `target` and not removed yet, by event type. */
function trackListeners(target: EventTarget): {
  live(type: string): number;
  passive: boolean;
} {
  const live = new Map<string, Set<unknown>>();
  const add = target.addEventListener;
  const remove = target.removeEventListener;
  const result = {
    live: (type: string) => live.get(type)?.size ?? 0,
    passive: true,
  };
  restores.push(() => {
    target.addEventListener = add;
    target.removeEventListener = remove;
  });
  target.addEventListener = function (type, listener, options) {
    if (type === 'scroll' || type === 'resize') {
      if (!live.has(type)) live.set(type, new Set());
      live.get(type)!.add(listener);
      if (typeof options !== 'object' || !options.passive) result.passive = false;
    }
    add.call(this, type, listener, options);
  };
  target.removeEventListener = function (type, listener, options) {
    live.get(type)?.delete(listener);
    remove.call(this, type, listener, options);
  };
  return result;
}
