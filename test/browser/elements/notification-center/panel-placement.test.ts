/**
 * The panel opens with a short scale-in animation. It is placed where its full size fits: its
 * end lined up with the bell's, kept 8px inside the viewport. A panel measured while it was still
 * scaled down came out a few pixels narrower than it is, so once grown it stuck out past the
 * bell's end (left to right) or into the margin at the viewport's edge (right to left).
 */
import { expect } from '@open-wc/testing';
import { animationsSettled } from '../../helpers/settled.js';
import { closeFakeConnections } from '../../helpers/fake-connection.js';
import { bellOf, mountCenter, panelOf } from './fixture.js';

afterEach(() => closeFakeConnections());

const MARGIN = 8;

describe('<crm-notification-center> panel placement', () => {
  it('left to right, bell at the right: the panel ends where the bell ends', async () => {
    const m = await mountCenter({ seed: 2 });
    m.el.style.cssText = `display: block; inline-size: max-content; margin-inline-start: auto; margin-inline-end: 40px`;
    await m.open();
    await animationsSettled(m.el);
    const bell = bellOf(m.root).getBoundingClientRect();
    const panel = panelOf(m.root).getBoundingClientRect();
    expect(panel.right).to.be.closeTo(bell.right, 1);
  });

  it('right to left, bell at the right: the panel keeps its margin from the viewport edge', async () => {
    const m = await mountCenter({ seed: 2 });
    m.provider.style.display = 'block';
    m.provider.setAttribute('dir', 'rtl');
    m.provider.setAttribute('lang', 'ar');
    await m.el.updateComplete;
    await m.open();
    await animationsSettled(m.el);
    const panel = panelOf(m.root).getBoundingClientRect();
    expect(panel.right).to.be.at.most(document.documentElement.clientWidth - MARGIN + 1);
    expect(panel.left).to.be.at.least(MARGIN - 1);
  });
});

describe('<crm-notification-center> panel placement on a zoomed page', () => {
  afterEach(() => document.body.style.removeProperty('zoom'));

  for (const zoom of ['1.25', '0.8']) {
    it(`body zoom ${zoom}: the panel ends where the bell ends and stays inside the viewport`, async () => {
      document.body.style.zoom = zoom;
      const m = await mountCenter({ seed: 2 });
      m.el.style.cssText = `display: block; inline-size: max-content; margin-inline-start: auto; margin-inline-end: 40px`;
      await m.open();
      await animationsSettled(m.el);
      const bell = bellOf(m.root).getBoundingClientRect();
      const panel = panelOf(m.root).getBoundingClientRect();
      // Both boxes in the same (zoomed) coordinates: lined up, and below the bell.
      expect(panel.right).to.be.closeTo(bell.right, 1.5);
      expect(panel.top).to.be.at.least(bell.bottom);
      const viewport = document.documentElement.getBoundingClientRect();
      expect(panel.left).to.be.at.least(viewport.left - 1);
      expect(panel.right).to.be.at.most(viewport.right + 1);
    });
  }
});
