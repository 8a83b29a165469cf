/**
 * Where floating boxes (tooltips, the presence overflow list, the notification panel) go next to
 * what they belong to: below when there is room, else above, never outside the viewport.
 */
import { expect } from '@open-wc/testing';
import { place } from '../../../../src/elements/shared/placement.js';

describe('place', () => {
  const viewport = { width: 800, height: 600 };
  const options = { gap: 8, margin: 8, align: 'center', dir: 'ltr', prefer: 'below' } as const;

  it('centres below the anchor when there is room', () => {
    const p = place(
      { top: 100, left: 100, width: 40, height: 40 },
      { width: 100, height: 50 },
      viewport,
      options,
    );
    expect(p).to.deep.equal({ top: 148, left: 70, side: 'below', maxHeight: 444 });
  });

  it('flips above when there is no room below', () => {
    const p = place(
      { top: 550, left: 100, width: 40, height: 40 },
      { width: 100, height: 50 },
      viewport,
      options,
    );
    expect(p.side).to.equal('above');
    expect(p.top).to.equal(492);
  });

  it('shrinks to the larger side when it fits on neither, never covering the anchor', () => {
    const anchor = { top: 280, left: 100, width: 40, height: 40 };
    const p = place(anchor, { width: 100, height: 400 }, viewport, options);
    expect(p.side).to.equal('below');
    expect(p.maxHeight).to.equal(600 - 320 - 8 - 8);
    expect(p.top).to.equal(328);
    const q = place({ ...anchor, top: 300 }, { width: 100, height: 400 }, viewport, options);
    expect(q.side).to.equal('above');
    expect(q.top + q.maxHeight).to.equal(300 - 8);
  });

  it('stays inside the viewport', () => {
    const p = place(
      { top: 10, left: 780, width: 20, height: 20 },
      { width: 300, height: 50 },
      viewport,
      options,
    );
    expect(p.left).to.equal(800 - 8 - 300);
  });

  it('lines up the end edges, following the writing direction', () => {
    const anchor = { top: 10, left: 300, width: 40, height: 40 };
    const size = { width: 200, height: 50 };
    expect(place(anchor, size, viewport, { ...options, align: 'end' }).left).to.equal(140);
    expect(place(anchor, size, viewport, { ...options, align: 'end', dir: 'rtl' }).left).to.equal(
      300,
    );
  });
});
