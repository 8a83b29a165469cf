import { expect } from '@open-wc/testing';
import type { Person } from '../../../../src/client/types.js';
import { RowMotion } from '../../../../src/elements/presence/row-motion.js';

const person = (id: string): Person =>
  ({
    user: { id, name: id },
    status: 'online',
    since: 0,
    connections: 1,
  }) as unknown as Person;

describe('RowMotion', () => {
  it('remembers nobody who came and went, drawn or not', () => {
    const motion = new RowMotion();
    // A thousand visitors behind "+N": never drawn, so no animation ever ends for them.
    for (let i = 0; i < 1000; i++) {
      motion.arrived(`v${i}`);
      motion.left(person(`v${i}`), -1);
    }
    expect(motion.size).to.equal(0);
  });

  it('forgets arrivals that were never drawn once the row is rendered', () => {
    const motion = new RowMotion();
    for (let i = 0; i < 100; i++) motion.arrived(`v${i}`);
    motion.prune(() => null);
    expect(motion.size).to.equal(0);
  });
});
