/**
 * A legacy CRM page zoomed with CSS (`body { zoom: 1.25 }`, or 0.8 to fit more): the tooltip and
 * the list of everyone are placed by boxes measured on screen, while their own `top` and `left`
 * are multiplied by the zoom. Unadjusted, they landed at 1.25 times their place, away from the
 * avatar and past the viewport's edge.
 */
import { expect } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { closeFakeConnections } from '../../helpers/fake-connection.js';
import {
  ANA,
  avatars,
  crowd,
  finishAnimations,
  mountPresence,
  nextToggle,
  overflowButton,
  panel,
} from './fixture.js';

afterEach(() => {
  closeFakeConnections();
  document.body.style.removeProperty('zoom');
});

const inViewport = (box: DOMRect) => {
  const viewport = document.documentElement.getBoundingClientRect();
  expect(box.left).to.be.at.least(viewport.left - 1);
  expect(box.right).to.be.at.most(viewport.right + 1);
};

for (const zoom of ['1', '1.25', '0.8']) {
  describe(`<crm-presence> on a page with body zoom ${zoom}`, () => {
    it('the tooltip sits just below its avatar, centred on it', async () => {
      document.body.style.zoom = zoom;
      const m = await mountPresence({ people: [ANA] });
      m.el.style.cssText = 'display: block; inline-size: max-content; margin-inline-start: 200px';
      await m.settle();
      avatars(m.root)[0]!.focus();
      await m.settle();
      await finishAnimations(m);
      const tooltip = m.root.querySelector<HTMLElement>('[part~="tooltip"]')!;
      expect(tooltip.matches(':popover-open')).to.equal(true);
      const avatar = avatars(m.root)[0]!.getBoundingClientRect();
      const box = tooltip.getBoundingClientRect();
      expect(box.left + box.width / 2).to.be.closeTo(avatar.left + avatar.width / 2, 2);
      expect(box.top).to.be.within(avatar.bottom, avatar.bottom + 20);
      inViewport(box);
    });

    it("the list of everyone opens below the row, its end lined up with the row's", async () => {
      document.body.style.zoom = zoom;
      const m = await mountPresence({
        people: crowd(7),
        attrs: { 'room-id': 'customer:42', 'max-visible': '3' },
      });
      m.el.style.cssText = 'display: block; inline-size: max-content; margin-inline-start: 400px';
      await m.settle();
      overflowButton(m.root)!.focus();
      const opened = nextToggle(panel(m.root)!);
      await sendKeys({ press: 'Enter' });
      await opened;
      await finishAnimations(m);
      const row = m.root.querySelector('.base')!.getBoundingClientRect();
      const list = panel(m.root)!.getBoundingClientRect();
      expect(list.right).to.be.closeTo(row.right, 2);
      expect(list.top).to.be.within(row.bottom, row.bottom + 20);
      inViewport(list);
    });
  });
}
