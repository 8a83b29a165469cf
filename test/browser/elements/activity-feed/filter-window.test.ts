/**
 * <crm-activity-feed> with a filter that matches nothing among the newest items: a filtered page
 * looks through a bounded window of the feed, so the first page comes back empty with a cursor.
 * The feed reads on, busy, and shows what it finds below, never "nothing matches" on the way.
 */
import { expect } from '@open-wc/testing';
import { closeFakeConnections } from '../../helpers/fake-connection.js';
import { BEN, ANA, articles, call, change, feed, headlines, mountFeed, text } from './fixture.js';

afterEach(() => closeFakeConnections());

describe('crm-activity-feed filtered, the newest items matching nothing', () => {
  it('reads on below the first window, busy, and shows what it finds', async () => {
    const m = await mountFeed({
      // Oldest first: two calls, then twelve changes.
      history: [call(BEN, 'Call one'), call(BEN, 'Call two'), ...Array(12).fill(change(ANA))],
    });
    m.server.activity.filterWindowRows = 6;
    m.server.setLatency(100);
    m.el.filter = { kinds: ['call.logged'] };
    await m.settle();
    const lists = () => m.server.received('activity.list').length;
    for (let i = 0; i < 8 && lists() < 3; i++) {
      await m.clock.advance(50);
      await m.settle();
    }
    // The first page came back empty with a cursor; the next is on its way.
    expect(lists()).to.equal(3);
    expect(articles(m.root)).to.have.length(0);
    expect(text(m.root.querySelector('.state p')), 'not "nothing matches"').to.equal('');
    expect(feed(m.root)!.getAttribute('aria-busy')).to.equal('true');
    for (let i = 0; i < 4 && articles(m.root).length === 0; i++) {
      await m.clock.advance(150);
      await m.settle();
    }
    expect(headlines(m.root).every((h) => h.includes('logged a call'))).to.equal(true);
    expect(articles(m.root)).to.have.length(2);
  });
});
