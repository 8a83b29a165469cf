/**
 * `<crm-presence>` on a touch screen, where nothing hovers: a tap on an avatar shows who it is
 * (the tooltip a pointer gets by hovering), a tap elsewhere hides it, and a tap on "+N" lists
 * everyone. Real touch events through CDP, so the pointer events are the browser's own.
 */
import { expect, waitUntil } from '@open-wc/testing';
import { executeServerCommand, setViewport } from '@web/test-runner-commands';
import { closeFakeConnections } from '../../helpers/fake-connection.js';
import {
  ANA,
  BEN,
  CARL,
  ROOM,
  avatars,
  crowd,
  mountPresence,
  nextFrame,
  overflowButton,
  panel,
} from './fixture.js';

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

describe('<crm-presence callable> on a touch screen (a tooltip never shows)', () => {
  afterEach(async () => {
    await executeServerCommand('touch-device', { active: false });
    await setViewport({ width: 800, height: 600 });
  });

  it("a phone's header: the call button says what it does on a line of its own, not as a round handset", async () => {
    // A viewport set ends touch emulation: first the phone's size, then its touch screen.
    await setViewport({ width: 375, height: 640 });
    await executeServerCommand('touch-device', { active: true });
    expect(matchMedia('(pointer: coarse)').matches, 'a touch device').to.equal(true);
    const m = await mountPresence({
      attrs: { 'room-id': ROOM, callable: '' },
      people: [ANA, BEN, CARL],
    });
    // A page header (as in call.test.ts, where a pointer gets a round handset here).
    m.provider.style.cssText = 'display: flex; gap: 12px; align-items: center; inline-size: 100%';
    const label = document.createElement('span');
    label.textContent = 'Here';
    m.el.before(label);
    const button = m.root.querySelector<HTMLElement>('[part~="call"]')!;
    // The button is measured in the frame after a resize (see fitCall).
    for (let i = 0; i < 3; i++) await nextFrame();
    const words = button.querySelector<HTMLElement>('[part~="call-label"]')!;
    const box = button.getBoundingClientRect();
    const text = words.getBoundingClientRect();
    expect(button.classList.contains('round'), 'not round').to.equal(false);
    expect(text.width, 'its words are shown').to.be.above(100);
    expect(text.top >= box.top && text.bottom <= box.bottom + 0.5, 'inside the button').to.equal(
      true,
    );
    expect(text.right).to.be.at.most(box.right + 0.5);
    // Under the avatars, and nothing wider than the page.
    expect(box.top).to.be.at.least(avatars(m.root)[0]!.getBoundingClientRect().bottom);
    expect(document.documentElement.scrollWidth).to.be.at.most(375);
    expect(button.textContent!.trim()).to.equal('Start a call with the people here');
  });
});
