/**
 * `<crm-activity-feed>` by keyboard, one describe per key: the WAI-ARIA feed pattern (Page Down,
 * Page Up, Ctrl+End, Ctrl+Home), the arrow keys, Home/End, one Tab stop, and focus that survives
 * the windowing.
 */
import { expect } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import {
  BEN,
  articles,
  call,
  focusIn,
  mountFeed,
  pill,
  scrollTo,
  scroller,
  text,
  type FeedMountOptions,
  type MountedFeed,
} from './fixture.js';
import { closeFakeConnections } from '../../helpers/fake-connection.js';

afterEach(() => closeFakeConnections());

/** A feed between two buttons, with focus on its first article. */
async function mount(options: FeedMountOptions = {}): Promise<MountedFeed> {
  const m = await mountFeed({ history: 60, ...options });
  const before = document.createElement('button');
  before.id = 'before';
  before.textContent = 'Before';
  const after = document.createElement('button');
  after.id = 'after';
  after.textContent = 'After';
  m.el.before(before);
  m.el.after(after);
  articles(m.root)[0]!.focus();
  await m.settle();
  return m;
}

/** Press a key (or a chord, `Control+End`) `times` times, letting the feed settle after each. */
async function press(m: MountedFeed, key: string, times = 1): Promise<void> {
  const keys = key.split('+');
  const main = keys.pop()!;
  for (let i = 0; i < times; i++) {
    for (const modifier of keys) await sendKeys({ down: modifier });
    await sendKeys({ press: main });
    for (const modifier of keys.reverse()) await sendKeys({ up: modifier });
    await m.settle();
  }
}

/** The focused article is entirely inside the scrolling area. */
function focusedInView(m: MountedFeed): boolean {
  const article = m.root.activeElement as HTMLElement;
  const view = scroller(m.root).getBoundingClientRect();
  const box = article.getBoundingClientRect();
  return box.top >= view.top - 1 && box.bottom <= view.bottom + 1;
}

describe('crm-activity-feed keyboard', () => {
  describe('Page Down', () => {
    it('moves focus to the next article', async () => {
      const m = await mount();
      await press(m, 'PageDown');
      expect(focusIn(m)).to.equal('article:2');
    });

    it('scrolls far down the feed, keeping the focused article in view', async () => {
      const m = await mount();
      await press(m, 'PageDown', 25);
      expect(focusIn(m)).to.equal('article:26');
      expect(focusedInView(m)).to.equal(true);
      expect(scroller(m.root).scrollTop).to.be.greaterThan(0);
    });

    it('works from a link inside an article', async () => {
      const m = await mount();
      m.el.entityHref = (e) => `#/c/${e.id}`;
      await m.settle();
      const link = articles(m.root)[0]!.querySelector<HTMLElement>('a')!;
      link.focus();
      await press(m, 'PageDown');
      expect(focusIn(m)).to.equal('article:2');
    });
  });

  describe('Page Up', () => {
    it('moves focus to the previous article and stops at the first', async () => {
      const m = await mount();
      await press(m, 'PageDown', 2);
      await press(m, 'PageUp');
      expect(focusIn(m)).to.equal('article:2');
      await press(m, 'PageUp', 3);
      expect(focusIn(m)).to.equal('article:1');
    });
  });

  describe('Arrow Down', () => {
    it('moves focus to the next article, like Page Down', async () => {
      const m = await mount();
      await press(m, 'ArrowDown', 3);
      expect(focusIn(m)).to.equal('article:4');
    });
  });

  describe('Arrow Up', () => {
    it('moves focus to the previous article, like Page Up', async () => {
      const m = await mount();
      await press(m, 'ArrowDown', 3);
      await press(m, 'ArrowUp');
      expect(focusIn(m)).to.equal('article:3');
    });
  });

  describe('End', () => {
    it('moves focus to the last loaded article, in view', async () => {
      const m = await mount();
      const loaded = m.el.snapshot!.items.length;
      await press(m, 'End');
      expect(focusIn(m)).to.equal(`article:${loaded}`);
      expect(focusedInView(m)).to.equal(true);
    });
  });

  describe('Home', () => {
    it('moves focus to the first article, at the top', async () => {
      const m = await mount();
      await press(m, 'End');
      await press(m, 'Home');
      expect(focusIn(m)).to.equal('article:1');
      expect(scroller(m.root).scrollTop).to.be.at.most(1);
    });
  });

  describe('Ctrl+End', () => {
    it('moves focus to the first focusable element after the feed', async () => {
      const m = await mount();
      await press(m, 'PageDown', 2);
      await press(m, 'Control+End');
      expect(focusIn(m)).to.equal('button#after');
    });

    it('leaves focus where it is when nothing focusable follows the feed', async () => {
      const m = await mount();
      document.querySelector('#after')!.remove();
      await press(m, 'PageDown', 2);
      await press(m, 'Control+End');
      expect(focusIn(m)).to.equal('article:3');
    });
  });

  describe('Ctrl+Home', () => {
    it('moves focus to the first focusable element before the feed: the filter bar', async () => {
      const m = await mount();
      await press(m, 'PageDown', 2);
      await press(m, 'Control+Home');
      expect(focusIn(m)).to.equal('select');
    });

    it('or the page before the element when the filter bar is hidden', async () => {
      const m = await mount({ attrs: { 'hide-filters': '' } });
      await press(m, 'Control+Home');
      expect(focusIn(m)).to.equal('button#before');
    });
  });

  describe('Tab', () => {
    it('the feed is one Tab stop, and returns to the article last focused', async () => {
      const m = await mount();
      await press(m, 'PageDown', 2);
      await press(m, 'Tab');
      expect(focusIn(m)).to.equal('button#after');
      await press(m, 'Shift+Tab');
      expect(focusIn(m)).to.equal('article:3');
      const tabbable = articles(m.root).filter((a) => a.tabIndex === 0);
      expect(tabbable).to.have.length(1);
    });

    it("only the current article's links and buttons are Tab stops, following focus", async () => {
      const m = await mount();
      m.el.entityHref = (e) => `#/c/${e.id}`;
      await m.settle();
      const stops = () =>
        [...m.root.querySelectorAll<HTMLElement>('.feed a, .feed button, .feed [tabindex]')]
          .filter((el) => el.tabIndex >= 0)
          .map((el) =>
            el.localName === 'article'
              ? `article:${el.getAttribute('aria-posinset')}`
              : `${el.localName} in ${el.closest('article')!.getAttribute('aria-posinset')}`,
          );
      expect(m.root.querySelectorAll('.feed article a').length).to.be.greaterThan(3);
      expect(stops()).to.deep.equal(['article:1', 'a in 1']);
      await press(m, 'PageDown', 2);
      expect(stops()).to.deep.equal(['article:3', 'a in 3']);
      // Tab: the article's link, then out of the feed.
      await press(m, 'Tab');
      expect(m.root.activeElement?.closest('article')?.getAttribute('aria-posinset')).to.equal('3');
      expect(m.root.activeElement?.localName).to.equal('a');
      await press(m, 'Tab');
      expect(focusIn(m)).to.equal('button#after');
      // A link of another article focused by the pointer makes that article the current one.
      articles(m.root)[5]!.querySelector('a')!.focus();
      await m.settle();
      expect(stops()).to.deep.equal(['article:6', 'a in 6']);
    });
  });

  describe('focus and windowing', () => {
    it('the focused article stays in the DOM when scrolled far away', async () => {
      const m = await mount({ history: 300, attrs: { 'max-items': '100' } });
      await scrollTo(m, 5000);
      expect(focusIn(m)).to.equal('article:1');
      const focused = m.root.activeElement as HTMLElement;
      expect(focused.classList.contains('pinned')).to.equal(true);
      expect(articles(m.root).length).to.be.lessThan(60);
      await press(m, 'PageDown');
      expect(focusIn(m)).to.equal('article:2');
      expect(focusedInView(m)).to.equal(true);
    });

    it('focus stays on an article far down when the feed is scrolled back to the top', async () => {
      const m = await mount();
      await press(m, 'PageDown', 30);
      const focused = m.root.activeElement as HTMLElement;
      await scrollTo(m, 0);
      // The window moved back to the top: the focused article, now below it, is kept pinned,
      // still focused (the same element, not a copy).
      expect(focusIn(m)).to.equal('article:31');
      expect(m.root.activeElement === focused).to.equal(true);
      expect(focused.classList.contains('pinned')).to.equal(true);
      await press(m, 'ArrowUp');
      expect(focusIn(m)).to.equal('article:30');
    });

    it('focus stays on its article when new items arrive above', async () => {
      const m = await mount();
      await press(m, 'PageDown', 4);
      m.server.appendActivity({ kind: 'note.added', summary: 'New' });
      await m.settle();
      // Same article, one place further down.
      expect(focusIn(m)).to.equal('article:6');
    });
  });

  describe('new items while focus is in the feed', () => {
    for (const count of [1, 6, 12]) {
      it(`${count} arriving at the top leave the focused article where it is, behind the pill`, async () => {
        const m = await mount();
        await press(m, 'ArrowDown');
        const focused = m.root.activeElement as HTMLElement;
        const top = focused.getBoundingClientRect().top;
        for (let i = 0; i < count; i++) m.server.appendActivity(call(BEN, `New ${i}`));
        await m.settle();
        // The same element keeps focus, at the same place on screen; what arrived waits above.
        expect(m.root.activeElement === focused).to.equal(true);
        expect(focusIn(m)).to.equal(`article:${2 + count}`);
        expect(focused.getBoundingClientRect().top).to.be.closeTo(top, 1);
        expect(text(pill(m.root))).to.equal(`${count} new`);
        const above = count === 1 ? '1 new activity above' : `${count} new activities above`;
        expect(text(m.root.querySelector('[role="status"]'))).to.equal(above);
        await press(m, 'ArrowDown');
        expect(focusIn(m)).to.equal(`article:${3 + count}`);
      });
    }

    it('the pill releases them: Enter goes to the top and focuses the newest', async () => {
      const m = await mount();
      await press(m, 'ArrowDown');
      for (let i = 0; i < 3; i++) m.server.appendActivity(call(BEN, `New ${i}`));
      await m.settle();
      pill(m.root)!.focus();
      await press(m, 'Enter');
      expect(focusIn(m)).to.equal('article:1');
      expect(text(articles(m.root)[0]!.querySelector('.summary'))).to.equal('New 2');
      expect(scroller(m.root).scrollTop).to.be.at.most(1);
      expect(text(pill(m.root)), 'no pill').to.equal('');
    });

    it('once focus has left, new items at the top simply appear again', async () => {
      const m = await mount();
      await press(m, 'Tab');
      expect(focusIn(m)).to.equal('button#after');
      m.server.appendActivity(call(BEN, 'New'));
      await m.settle();
      expect(text(articles(m.root)[0]!.querySelector('.summary'))).to.equal('New');
      expect(scroller(m.root).scrollTop).to.equal(0);
      expect(text(pill(m.root)), 'no pill').to.equal('');
    });
  });
});
