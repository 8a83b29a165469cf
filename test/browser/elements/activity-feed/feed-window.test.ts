/**
 * The feed's windowing on a page's load: its first render leaves the page's style and layout to
 * the browser's next frame, then it follows what is in view as before.
 */
import { expect, waitUntil } from '@open-wc/testing';
import '../../../../src/elements/activity-feed/define.js';
import { articles, mountFeed, nextFrame, scroller } from './fixture.js';

describe('crm-activity-feed windowing on load', () => {
  it('reads no computed style nor box in the task of its first render', async () => {
    const m = await mountFeed();
    const reads: string[] = [];
    const getComputedStyle = window.getComputedStyle;
    const box = Element.prototype.getBoundingClientRect;
    window.getComputedStyle = function (this: Window, ...args) {
      reads.push('getComputedStyle');
      return getComputedStyle.apply(this, args);
    };
    Element.prototype.getBoundingClientRect = function (this: Element) {
      reads.push('getBoundingClientRect');
      return box.call(this);
    };
    try {
      // A second feed, checked in the task that renders it, as the page's first render does.
      const el = document.createElement('crm-activity-feed');
      m.el.after(el);
      await el.updateComplete;
      expect(reads).to.deep.equal([]);
      // Its next frame finds the panels around it and reads what is in view.
      await nextFrame();
      expect(reads).to.include('getComputedStyle');
    } finally {
      window.getComputedStyle = getComputedStyle;
      Element.prototype.getBoundingClientRect = box;
    }
  });

  it('renders the items in view first, and the rest of its window in a task of its own', async () => {
    const m = await mountFeed({ history: 60 });
    // A second feed on the same client, 300 px tall, at the top of the page: its first page
    // arrives into an empty window.
    const el = document.createElement('crm-activity-feed');
    el.setAttribute('style', 'height: 300px');
    const rendered: number[] = [];
    const updated = (el as unknown as { updated(changed: Map<string, unknown>): void }).updated;
    Object.assign(el, {
      updated(this: typeof el, changed: Map<string, unknown>) {
        updated.call(this, changed);
        rendered.push(articles(this.shadowRoot!).length);
      },
    });
    m.el.before(el);
    while (!rendered.some((n) => n > 0)) {
      await m.clock.flush();
      await el.updateComplete;
      await nextFrame();
    }
    const first = rendered.find((n) => n > 0)!;
    const view = scroller(el.shadowRoot!).getBoundingClientRect();
    const shown = articles(el.shadowRoot!).slice(0, first);
    expect(shown.at(-1)!.getBoundingClientRect().bottom, 'what is in view').to.be.at.least(
      view.bottom,
    );
    // The rest of the window follows in a later task, with nothing else asking for it.
    await waitUntil(() => articles(el.shadowRoot!).length > first, 'the rest of the window');
    el.remove();
  });

  it('follows scrolling of its own scroller once loaded', async () => {
    const m = await mountFeed({ history: 60, style: 'height: 300px' });
    const first = articles(m.root)[0]!.dataset['id'];
    scroller(m.root).scrollTop = 3000;
    await nextFrame();
    await m.settle();
    expect(articles(m.root)[0]!.dataset['id']).to.not.equal(first);
  });
});
