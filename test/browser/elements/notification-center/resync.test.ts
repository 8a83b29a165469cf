/**
 * Notifications that reach `<crm-notification-center>` only through a resync (their publish was
 * lost on the server, or the connection dropped past the replay window) are as new to the user as
 * live ones: toasted, counted and announced like a burst of live arrivals, oldest first. What the
 * resync merely lists again, and the first load, make no toast.
 */
import { expect } from '@open-wc/testing';
import { closeFakeConnections } from '../../helpers/fake-connection.js';
import { userRoom } from '../../../../src/protocol/index.js';
import {
  ME,
  badgeOf,
  bellOf,
  mountCenter,
  recordSpoken,
  toastTitles,
  type Mounted,
} from './fixture.js';

afterEach(() => closeFakeConnections());

/** The announcer's window: what arrives within it is said together when it closes. */
const WINDOW = 1000;

/** The server cannot replay from the client's `since`: the client reconnects and resyncs. */
async function resync(m: Mounted): Promise<void> {
  m.server.restart();
  await m.clock.advance(2000);
  await m.settle();
}

describe('crm-notification-center after a resync', () => {
  it('toasts and announces a notification whose publish was lost, once', async () => {
    // Toasts stay until dismissed, so a second toast of the same notification would show.
    const m = await mountCenter({ seed: 3, attrs: { 'auto-hide-duration': '0' } });
    expect(toastTitles(m.root), 'the first load toasts nothing').to.deep.equal([]);
    const spoken = recordSpoken(m.root);
    await m.clock.advance(1000);
    // Stored for the user, but the process died before publishing it.
    const [lost] = m.server.notifications.seed(ME, 1);
    await m.clock.advance(1000);
    await m.notify({ title: 'Arrived live' });
    await m.clock.advance(WINDOW);
    await m.settle();
    expect(toastTitles(m.root)).to.deep.equal(['Arrived live']);

    await resync(m);
    expect(toastTitles(m.root)).to.deep.equal(['Arrived live', lost!.title]);
    expect(badgeOf(m.root).textContent!.trim()).to.equal('5');
    expect(bellOf(m.root).getAttribute('aria-label')).to.contain('5');
    await m.clock.advance(WINDOW);
    await m.settle();
    expect(spoken.of(lost!.title)).to.have.length(1);

    // Another resync lists it again: not news any more.
    await resync(m);
    await m.clock.advance(WINDOW);
    await m.settle();
    expect(toastTitles(m.root)).to.deep.equal(['Arrived live', lost!.title]);
    expect(spoken.of(lost!.title)).to.have.length(1);
    expect(spoken.heard).to.have.length(2);
    spoken.stop();
  });

  it('several missed in a gap are one burst: the newest toasts, one message from the oldest', async () => {
    const m = await mountCenter({ seed: 2 });
    const spoken = recordSpoken(m.root);
    m.server.refuseConnections();
    m.server.dropConnections();
    await m.settle();
    for (let i = 1; i <= 7; i++) {
      m.server.notify({ target: { user: ME }, title: `Missed #${i}`, type: 'warning' });
      await m.clock.advance(1000);
    }
    m.server.truncateReplay(userRoom(ME));
    m.server.refuseConnections(false);
    await m.clock.advance(2000);
    await m.settle();
    expect(toastTitles(m.root)).to.deep.equal([
      'Missed #3',
      'Missed #4',
      'Missed #5',
      'Missed #6',
      'Missed #7',
    ]);
    expect(badgeOf(m.root).textContent!.trim()).to.equal('9');
    await m.clock.advance(WINDOW);
    await m.settle();
    expect(spoken.heard).to.deep.equal([
      { live: 'polite', text: 'Warning: Missed #1. And 6 more new notifications' },
    ]);
    spoken.stop();
  });
});
