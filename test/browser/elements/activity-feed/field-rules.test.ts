/**
 * When the user's field rules change on an open page (the server sends `entity.rules-changed`),
 * the items `<crm-activity-feed>` already shows follow them in place: the value of a field hidden
 * now, and an entity's name that is one, go without a reload (also where the feed had learned
 * that name from another item), and come back when shown again. The reader keeps their place and
 * their focus, and nothing is new.
 */
import { expect } from '@open-wc/testing';
import { closeFakeConnections } from '../../helpers/fake-connection.js';
import { DEMO_USER } from '../../../../src/testing/index.js';
import type { ActivityInput } from '../../../../src/protocol/index.js';
import { ANA, BEN, articles, change, mountFeed, pill, scroller, text } from './fixture.js';

afterEach(() => closeFakeConnections());

/** A change of customer 42 whose item names no label: the feed names it as it learned. */
const unlabelled: ActivityInput = {
  kind: 'entity.updated',
  actor: BEN,
  entity: { type: 'customer', id: '42' },
  changes: [{ field: 'phone', from: '1', to: '2' }],
};

describe('crm-activity-feed when field rules change', () => {
  it('redacts the items shown in place, keeping the place and the focus', async () => {
    // Oldest first.
    const history: ActivityInput[] = [
      ...Array.from({ length: 40 }, () => change(BEN, 'status', 'Lead', 'Customer')),
      change(ANA, 'annualValue', 1000, 987654),
      unlabelled,
    ];
    const m = await mountFeed({
      history,
      attrs: { 'feed-type': 'global' },
      style: 'height: 300px',
    });
    let hidden: string[] = [];
    m.server.entities.hiddenFields = (user, type) =>
      user.id === DEMO_USER.id && type === 'customer' ? hidden : [];
    const [first, second] = articles(m.root);
    expect(text(first)).to.contain('Difference Ltd', 'learned from the other items');
    expect(text(second)).to.contain('987,654');
    second!.focus();
    const status = text(m.root.querySelector('[role="status"]'));

    hidden = ['annualValue', 'company', 'name'];
    m.server.permissionsChanged(DEMO_USER.id, ['customer']);
    await m.settle();
    const [first2, second2] = articles(m.root);
    expect(first2, 'the same node').to.equal(first);
    expect(second2).to.equal(second);
    expect(text(m.root.querySelector('[role="feed"]'))).to.not.contain('Difference Ltd');
    expect(text(second)).to.not.contain('987,654');
    expect(m.root.activeElement, 'the focus stays').to.equal(second);
    expect(scroller(m.root).scrollTop).to.equal(0);
    expect(pill(m.root)).to.equal(null);
    expect(text(m.root.querySelector('[role="status"]'))).to.equal(status);

    hidden = [];
    m.server.permissionsChanged(DEMO_USER.id, ['customer']);
    await m.settle();
    expect(text(first)).to.contain('Difference Ltd');
    expect(text(second)).to.contain('987,654');
    expect(m.root.activeElement).to.equal(second);
  });
});
