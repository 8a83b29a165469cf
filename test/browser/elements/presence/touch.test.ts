/**
 * `<crm-presence>` on a touch screen, where nothing hovers: a tap on an avatar shows who it is
 * (the tooltip a pointer gets by hovering), a tap elsewhere hides it, and a tap on "+N" lists
 * everyone. Real touch events through CDP, so the pointer events are the browser's own.
 */
import { expect, waitUntil } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import { closeFakeConnections } from '../../helpers/fake-connection.js';
import { ANA, BEN, avatars, crowd, mountPresence, overflowButton, panel } from './fixture.js';

afterEach(() => closeFakeConnections());

const centre = (el: Element) => {
  const box = el.getBoundingClientRect();
  return { x: box.left + box.width / 2, y: box.top + box.height / 2 };
};

describe('crm-presence on a touch screen', () => {
  it('a tap on an avatar shows who it is; a tap elsewhere hides it', async () => {
    const m = await mountPresence({ people: [ANA, BEN] });
    const tooltip = () => m.root.querySelector<HTMLElement>('[part~="tooltip"]')!;
    await executeServerCommand('tap', centre(avatars(m.root)[1]!));
    await waitUntil(() => tooltip().matches(':popover-open'), 'the tap shows the tooltip');
    expect(tooltip().textContent).to.contain(BEN.name);
    await executeServerCommand('tap', { x: innerWidth - 5, y: innerHeight - 5 });
    await waitUntil(() => !tooltip().matches(':popover-open'), 'a tap elsewhere hides it');
  });

  it('the tooltip a tap showed follows its avatar as the page scrolls, and goes with it', async () => {
    const m = await mountPresence({ people: [ANA, BEN] });
    const spacer = document.createElement('div');
    spacer.style.blockSize = '3000px';
    document.body.append(spacer);
    try {
      const tooltip = () => m.root.querySelector<HTMLElement>('[part~="tooltip"]')!;
      const avatar = avatars(m.root)[1]!;
      await executeServerCommand('tap', centre(avatar));
      await waitUntil(() => tooltip().matches(':popover-open'), 'the tap shows the tooltip');
      const gap = () =>
        tooltip().getBoundingClientRect().top - avatar.getBoundingClientRect().bottom;
      const before = gap();
      scrollTo(0, 20);
      await waitUntil(() => Math.abs(gap() - before) < 1, 'it follows the avatar');
      expect(tooltip().matches(':popover-open')).to.equal(true);
      scrollTo(0, 2000);
      await waitUntil(() => !tooltip().matches(':popover-open'), 'it goes with the avatar');
    } finally {
      spacer.remove();
      scrollTo(0, 0);
    }
  });

  it('a tap on "+N" lists everyone', async () => {
    const m = await mountPresence({ people: crowd(7) });
    await executeServerCommand('tap', centre(overflowButton(m.root)!));
    await waitUntil(() => panel(m.root)?.matches(':popover-open'), 'the tap opens the list');
  });
});
