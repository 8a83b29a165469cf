/**
 * Activity that reaches `<crm-activity-feed>` only through a resync (its publish was lost on the
 * server, or the connection dropped past the replay window) is as new to the reader as what
 * arrived live: a reader scrolled away gets the "N new" pill and its announcement for it, even
 * when it sorts below an item that arrived live after it. What the resync merely lists again is
 * not new.
 */
import { expect } from '@open-wc/testing';
import { closeFakeConnections } from '../../helpers/fake-connection.js';
import { BEN, call, mountFeed, pill, scrollTo, text, type MountedFeed } from './fixture.js';

afterEach(() => closeFakeConnections());

/** The server cannot replay from the client's `since`: the client reconnects and resyncs. */
async function resync(m: MountedFeed): Promise<void> {
  m.server.restart();
  await m.clock.advance(2000);
  await m.settle();
}

const status = (m: MountedFeed) => text(m.root.querySelector('[role="status"]'));

describe('crm-activity-feed after a resync', () => {
  it('counts and announces an item whose publish was lost, below one that arrived live', async () => {
    const m = await mountFeed({ history: 100 });
    await m.clock.advance(1000);
    // Stored, but the process died before publishing it.
    m.server.activity.seed(1, { make: () => call(BEN, 'Lost call') });
    await m.clock.advance(1000);
    m.server.appendActivity(call(BEN, 'Live call'));
    await m.settle();
    // Seen at the top; then the reader scrolls down.
    await scrollTo(m, 900);
    expect(pill(m.root)).to.equal(null);

    await resync(m);
    expect(text(pill(m.root))).to.equal('1 new');
    expect(status(m)).to.equal('1 new activity above');

    // Another resync lists it again: nothing more is new.
    await resync(m);
    expect(text(pill(m.root))).to.equal('1 new');
    await scrollTo(m, 0);
    expect(pill(m.root)).to.equal(null);
  });

  it('a first load and a resync that finds nothing new show no pill', async () => {
    const m = await mountFeed({ history: 100 });
    await scrollTo(m, 900);
    await resync(m);
    expect(pill(m.root)).to.equal(null);
    expect(status(m)).to.equal('');
  });
});
