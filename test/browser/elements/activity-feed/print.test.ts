/**
 * The feed on paper: every item loaded prints, not only the window the screen renders, and the
 * box is not cut to its screen height. A page's own "Print" button calls `window.print()` from
 * script, which lays the page out for paper before any microtask runs: the items are rendered
 * inside `beforeprint` itself.
 */
import { expect } from '@open-wc/testing';
import { emulateMedia } from '@web/test-runner-commands';
import { closeFakeConnections } from '../../helpers/fake-connection.js';
import { articles, mountFeed, scroller } from './fixture.js';

const ITEMS = 40;

describe('<crm-activity-feed> printed', () => {
  afterEach(async () => {
    window.dispatchEvent(new Event('afterprint'));
    await emulateMedia({ media: 'screen' });
    closeFakeConnections();
  });

  it('prints every item loaded, rendered as the print starts, and the window again after', async () => {
    const { el, root, settle } = await mountFeed({
      history: ITEMS,
      attrs: { 'max-items': String(ITEMS) },
      style: '--crm-activity-feed-max-block-size: 240px',
    });
    const onScreen = articles(root).length;
    expect(onScreen, 'the screen renders a window').to.be.below(ITEMS);

    window.dispatchEvent(new Event('beforeprint'));
    // No await: `window.print()` leaves no time for a microtask.
    expect(articles(root).length, 'rendered for paper at once').to.equal(ITEMS);

    await emulateMedia({ media: 'print' });
    const last = articles(root).at(-1)!;
    expect(last.checkVisibility(), 'the last item is shown').to.equal(true);
    const box = el.getBoundingClientRect();
    expect(box.bottom, 'the feed grows to hold the last item').to.be.at.least(
      last.getBoundingClientRect().bottom - 1,
    );
    expect(getComputedStyle(scroller(root)).overflowY, 'nothing scrolls on paper').to.equal(
      'visible',
    );
    expect(getComputedStyle(last).breakInside, 'an item is not cut between sheets').to.equal(
      'avoid',
    );

    await emulateMedia({ media: 'screen' });
    window.dispatchEvent(new Event('afterprint'));
    await settle();
    expect(articles(root).length, 'the window again after printing').to.equal(onScreen);
  });

  it('does not print the focus ring of the item the reader is on', async () => {
    const { root } = await mountFeed({ history: 3 });
    const first = articles(root)[0]!;
    first.focus({ focusVisible: true } as FocusOptions);
    expect(first.matches(':focus-visible'), 'focused from the keyboard').to.equal(true);
    expect(getComputedStyle(first).outlineStyle, 'the ring on screen').to.equal('solid');
    await emulateMedia({ media: 'print' });
    expect(getComputedStyle(first).outlineStyle, 'no ring on paper').to.equal('none');
  });
});
