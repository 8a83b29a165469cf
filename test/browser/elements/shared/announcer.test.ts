/**
 * Arrivals and departures become few, batched announcements for screen readers (presence and the
 * huddle both announce through it).
 */
import { expect } from '@open-wc/testing';
import { PresenceAnnouncer } from '../../../../src/elements/shared/announcer.js';
import { defaultPresenceMessages as m } from '../../../../src/elements/presence/presence-messages.js';
import { messageContext } from '../../../../src/i18n.js';
import { ManualClock } from '../../../../src/testing/index.js';

const en = messageContext('en');

describe('PresenceAnnouncer', () => {
  function setup(windowMs = 1000) {
    const clock = new ManualClock();
    const said: string[] = [];
    const announcer = new PresenceAnnouncer({
      clock,
      windowMs,
      announce: (message) => said.push(message),
      format: ({ joined, left }) =>
        [joined.length ? m.joined(joined, en) : '', left.length ? m.left(left, en) : '']
          .filter(Boolean)
          .join('. '),
    });
    return { clock, said, announcer };
  }

  it('says nothing until the window closes, then one message for the whole batch', () => {
    const { clock, said, announcer } = setup();
    announcer.joined('a', 'Ana Ortiz');
    clock.advanceSync(300);
    announcer.joined('b', 'Ben Lee');
    announcer.left('c', 'Carl');
    clock.advanceSync(699);
    expect(said).to.deep.equal([]);
    clock.advanceSync(1);
    expect(said).to.deep.equal(['Ana Ortiz and Ben Lee joined. Carl left']);
  });

  it('turns a stream of changes into one message per window', () => {
    const { clock, said, announcer } = setup();
    for (let i = 0; i < 50; i++) {
      announcer.joined(`p${i}`, `P${i}`);
      clock.advanceSync(100);
    }
    clock.advanceSync(1000);
    expect(said).to.have.length(5);
    expect(said[0]).to.equal('P0, P1, P2 and 7 others joined');
  });

  it('does not mention someone who came and went within one window', () => {
    const { clock, said, announcer } = setup();
    announcer.joined('a', 'Ana');
    announcer.left('a', 'Ana');
    announcer.left('b', 'Ben');
    announcer.joined('b', 'Ben');
    clock.advanceSync(1000);
    expect(said).to.deep.equal([]);
  });

  it('drops what is pending on dispose', () => {
    const { clock, said, announcer } = setup();
    announcer.joined('a', 'Ana');
    announcer.dispose();
    clock.advanceSync(5000);
    expect(said).to.deep.equal([]);
    expect(clock.pending).to.equal(0);
  });
});
