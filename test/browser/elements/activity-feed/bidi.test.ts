/**
 * Bidirectional text in `<crm-activity-feed>`: a name, an entity label or a value somebody else
 * typed is isolated, so a name ending in RIGHT-TO-LEFT OVERRIDE cannot turn the rest of its line
 * around, and in a right-to-left page a phone number still reads left to right and the change
 * arrow points from the old value to the new one. Checked on the laid-out text, not the markup.
 */
import { expect } from '@open-wc/testing';
import type { ActivityInput, UserProfile } from '../../../../src/protocol/index.js';
import { closeFakeConnections } from '../../helpers/fake-connection.js';
import { drawnLeftToRight, pointsRight } from '../shared/reading-order.js';
import { articles, change, mountFeed, text } from './fixture.js';

afterEach(() => closeFakeConnections());

const RLO = '\u202e';
const PDI = '\u2069';
const OVERRIDING: UserProfile = { id: 'u-ana', name: `Ana Ortiz${RLO}` };

/** Four field changes by `actor` on customer 42 (Difference Ltd). */
function fourChanges(actor: UserProfile): ActivityInput {
  return {
    ...change(actor),
    changes: [
      { field: 'status', from: 'Lead', to: 'Customer' },
      { field: 'phone', from: '+44 20 7946 0321', to: '+44 20 7946 0999' },
      { field: 'city', from: 'Leeds', to: 'York' },
      { field: 'owner', from: 'Ben', to: 'Ana' },
    ],
  };
}

describe('crm-activity-feed: bidirectional text', () => {
  it('a name ending in a right-to-left override leaves the rest of the headline as it is', async () => {
    const m = await mountFeed({ history: [fourChanges(OVERRIDING)] });
    const headline = articles(m.root)[0]!.querySelector('.headline')!;
    expect(text(headline)).to.equal(`Ana Ortiz${RLO} changed 4 fields on Difference Ltd`);
    for (const word of ['changed', 'fields', 'on', 'Difference', 'Ltd']) {
      expect(drawnLeftToRight(headline, word), word).to.equal(true);
    }
    expect(headline.querySelector('.actor bdi')?.textContent).to.equal(OVERRIDING.name);
  });

  it('a name cannot close the isolation early with a stray POP DIRECTIONAL ISOLATE', async () => {
    const m = await mountFeed({ history: [fourChanges({ id: 'u-x', name: `${PDI}${RLO}Ana` })] });
    const headline = articles(m.root)[0]!.querySelector('.headline')!;
    expect(drawnLeftToRight(headline, 'changed')).to.equal(true);
    expect(drawnLeftToRight(headline, 'Difference Ltd')).to.equal(true);
  });

  it('a translated headline that puts words after the entity keeps them in order', async () => {
    const m = await mountFeed({
      history: [
        {
          ...fourChanges(OVERRIDING),
          entity: { type: 'customer', id: '42', label: `Difference Ltd${RLO}` },
        },
      ],
    });
    m.el.messages = { headline: () => '{entity}: {fields} geändert von {actor}.' };
    await m.settle();
    const headline = articles(m.root)[0]!.querySelector('.headline')!;
    for (const word of ['geändert', 'von', '4 fields']) {
      expect(drawnLeftToRight(headline, word), word).to.equal(true);
    }
  });

  it('a relative time in a right-to-left page reads as written: "7 minutes ago", not "minutes ago 7"', async () => {
    const m = await mountFeed({
      attrs: { dir: 'rtl' },
      history: [change({ id: 'u-ana', name: 'Ana Ortiz' }), change({ id: 'u-ben', name: 'Ben' })],
      spacingMs: 7 * 60_000,
    });
    const time = articles(m.root)[1]!.querySelector('time')!;
    expect(text(time)).to.equal('7 minutes ago');
    expect(drawnLeftToRight(time, '7 minutes ago')).to.equal(true);
  });

  describe('in a right-to-left page', () => {
    async function mountRtl() {
      const m = await mountFeed({
        attrs: { dir: 'rtl', lang: 'de' },
        history: [fourChanges({ id: 'u-ana', name: 'Ana Ortiz' })],
      });
      const [status, phone] = [...m.root.querySelectorAll('.change')];
      return { m, status: status!, phone: phone! };
    }

    it('a value reads as written: "+44 20 7946 0321", not "0321 7946 20 44+"', async () => {
      const { phone } = await mountRtl();
      for (const value of phone.querySelectorAll('.value')) {
        expect(drawnLeftToRight(value, text(value)), text(value)).to.equal(true);
      }
    });

    it('the arrow points from the old value to the new one', async () => {
      const { status } = await mountRtl();
      const from = status.querySelector('.value.from')!.getBoundingClientRect();
      const to = status.querySelector('.value.to')!.getBoundingClientRect();
      const arrow = status.querySelector('.arrow')!;
      // Right to left: the old value is on the right, so the arrow must point left.
      expect(from.left).to.be.greaterThan(to.left);
      expect(pointsRight(arrow)).to.equal(false);
    });

    it('and in a left-to-right page it points right, towards the new value', async () => {
      const m = await mountFeed({ history: [fourChanges({ id: 'u-ana', name: 'Ana Ortiz' })] });
      const status = m.root.querySelector('.change')!;
      const from = status.querySelector('.value.from')!.getBoundingClientRect();
      const to = status.querySelector('.value.to')!.getBoundingClientRect();
      expect(from.left).to.be.lessThan(to.left);
      expect(pointsRight(status.querySelector('.arrow')!)).to.equal(true);
    });
  });
});
