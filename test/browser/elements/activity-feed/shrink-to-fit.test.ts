/**
 * A legacy page puts the feed where the box takes the width of its content: a table cell of an
 * auto-width table, an inline-block, a row of flex items. The feed's container queries make its
 * own content count for nothing there, so it needs a width of its own to offer, or it shrinks to
 * a sliver (2 px in a flex row), unreadable.
 */
import { expect } from '@open-wc/testing';
import { closeFakeConnections } from '../../helpers/fake-connection.js';
import { articles, mountFeed } from './fixture.js';

afterEach(() => closeFakeConnections());

const LAYOUTS: Record<string, string> = {
  'a row of flex items': '<div style="display: flex"><aside>Side</aside></div>',
  'an inline-block': '<div style="display: inline-block"></div>',
  'a cell of an auto-width table': '<table><tr><td width="65%"></td><td>Sidebar</td></tr></table>',
};

describe('crm-activity-feed in a box as wide as its content', () => {
  for (const [layout, markup] of Object.entries(LAYOUTS)) {
    it(`is readable in ${layout}`, async () => {
      const m = await mountFeed({ history: 3 });
      const holder = document.createElement('div');
      holder.innerHTML = markup;
      m.provider.append(holder);
      const box = holder.querySelector('td, div')!;
      box.prepend(m.el);
      await m.settle();
      expect(articles(m.root)).to.have.length(3);
      // 20rem: wide enough for a headline's words, narrow enough for a phone.
      expect(m.el.getBoundingClientRect().width).to.be.at.least(300);
    });
  }
});
