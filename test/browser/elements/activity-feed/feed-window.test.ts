/**
 * The feed's windowing on a page's load: its first render leaves the page's style and layout to
 * the browser's next frame, then it follows what is in view as before.
 */
import { expect } from '@open-wc/testing';
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

  it('follows scrolling of its own scroller once loaded', async () => {
    const m = await mountFeed({ history: 60, style: 'height: 300px' });
    const first = articles(m.root)[0]!.dataset['id'];
    scroller(m.root).scrollTop = 3000;
    await nextFrame();
    await m.settle();
    expect(articles(m.root)[0]!.dataset['id']).to.not.equal(first);
  });
});
