/**
 * `<crm-activity-feed>` on a feed room the server refuses: it says so instead of loading for
 * ever, and a feed refused for want of place on the connection loads once another room goes.
 */
import { expect, fixture, html } from '@open-wc/testing';
import '../../../../src/elements/activity-feed/define.js';
import '../../../../src/elements/realtime-provider/define.js';
import type { CrmActivityFeed } from '../../../../src/elements/activity-feed/crm-activity-feed.js';
import type { CrmRealtimeProvider } from '../../../../src/elements/realtime-provider/crm-realtime-provider.js';
import { LIMITS } from '../../../../src/protocol/index.js';
import { closeFakeConnections, fakeConnection } from '../../helpers/fake-connection.js';
import { expectAccessible } from '../../helpers/settled.js';
import { articles, call, nextFrame, text } from './fixture.js';

afterEach(() => closeFakeConnections());

async function mount(fake: Awaited<ReturnType<typeof fakeConnection>>) {
  const provider = await fixture<CrmRealtimeProvider>(
    html`<crm-realtime-provider .client=${fake.client}></crm-realtime-provider>`,
  );
  const el = document.createElement('crm-activity-feed') as CrmActivityFeed;
  el.setAttribute('feed-type', 'customer');
  el.setAttribute('entity-id', '42');
  provider.append(el);
  const settle = async () => {
    for (let i = 0; i < 4; i++) {
      await fake.clock.flush();
      await el.updateComplete;
      if (i === 1) await nextFrame();
    }
  };
  await settle();
  return { el, root: el.shadowRoot!, settle };
}

const state = (root: ShadowRoot) => text(root.querySelector('[part="state"]'));

describe('<crm-activity-feed> on a room the server refuses', () => {
  it('too many rooms on the page: says so, then loads once another room is released', async () => {
    const fake = await fakeConnection();
    fake.server.appendActivity(call());
    const rows = Array.from({ length: LIMITS.maxRoomsPerConnection }, (_, i) =>
      fake.client.joinRoom(`customer:${i + 1}`),
    );
    const { el, root, settle } = await mount(fake);
    expect(state(root)).to.equal('Not live: too many on this page');
    expect(root.textContent!.split('Not live').length - 1, 'said once').to.equal(1);
    expect(root.querySelector('[aria-busy="true"]'), 'not loading').to.equal(null);
    await expectAccessible(el);

    rows[0]!.release(); // a row scrolled away
    await settle();
    expect(articles(root)).to.have.length(1);
    expect(root.textContent).not.to.include('Not live');
  });

  it('a feed the user may not see: "Not shown: you may not see this"', async () => {
    const fake = await fakeConnection({
      server: { authorize: (_user, room) => !room.startsWith('activity:') },
    });
    const { root } = await mount(fake);
    expect(state(root)).to.equal('Not shown: you may not see this');
  });
});
