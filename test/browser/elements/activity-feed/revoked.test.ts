/**
 * When the user loses the right to read an entity on an open page (`permissions-changed`), the
 * items `<crm-activity-feed>` shows about it go, live: the server leaves them out of the re-read
 * and the feed removes what did not come back. The others stay where they are, nothing is new,
 * and nothing is announced.
 */
import { expect } from '@open-wc/testing';
import { closeFakeConnections } from '../../helpers/fake-connection.js';
import { DEMO_USER } from '../../../../src/testing/index.js';
import type { ActivityInput } from '../../../../src/protocol/index.js';
import { ANA, articles, mountFeed, pill, text } from './fixture.js';

afterEach(() => closeFakeConnections());

const about = (id: string, label: string, to: string): ActivityInput => ({
  kind: 'entity.updated',
  actor: ANA,
  entity: { type: 'customer', id, label },
  customerId: id,
  changes: [{ field: 'status', from: 'Lead', to }],
});

describe('crm-activity-feed when the user may no longer read an entity', () => {
  it('removes the items about it, live, and keeps the others', async () => {
    let revoked = false;
    // Oldest first: customer 42 and customer 7, one after the other.
    const history = Array.from({ length: 30 }, (_, i) =>
      i % 2 === 0
        ? about('42', 'Difference Ltd', `Secret ${i}`)
        : about('7', 'Babbage', `Open ${i}`),
    );
    const m = await mountFeed({
      history,
      attrs: { 'feed-type': 'global' },
      server: { authorize: (_user, room) => !(revoked && room === 'customer:42') },
    });
    const feed = () => text(m.root.querySelector('[role="feed"]'));
    expect(feed()).to.contain('Difference Ltd');
    const kept = articles(m.root).filter((a) => text(a).includes('Babbage'));
    const status = text(m.root.querySelector('[role="status"]'));

    revoked = true;
    m.server.permissionsChanged(DEMO_USER.id);
    await m.settle();
    expect(feed()).to.not.contain('Difference Ltd');
    expect(feed()).to.not.contain('Secret');
    const now = articles(m.root);
    expect(now.every((a) => text(a).includes('Babbage'))).to.equal(true);
    expect(now[0]!.getAttribute('aria-setsize'), 'the items left').to.equal('15');
    expect(now.slice(0, kept.length), 'the same nodes, in order').to.deep.equal(kept);
    expect(pill(m.root)).to.equal(null);
    expect(text(m.root.querySelector('[role="status"]'))).to.equal(status);
  });
});
