/**
 * The kind chips' row fades an end only while chips lie past it: none when all of them fit, the
 * inline end until the reader scrolls there, the start once scrolled, mirrored right to left. The
 * row says which ends in `data-more`; the checks wait for that state after a resize or a scroll,
 * and read the fade the row is drawn with.
 */
import { expect, waitUntil } from '@open-wc/testing';
import { closeFakeConnections } from '../../helpers/fake-connection.js';
import { mountFeed, type MountedFeed } from './fixture.js';

afterEach(() => closeFakeConnections());

const row = (m: MountedFeed) => m.root.querySelector<HTMLElement>('.kinds')!;

/** Wait until the row says `more` (after the layout or scroll that changes it is measured). */
async function until(m: MountedFeed, more: string): Promise<void> {
  await waitUntil(
    () => row(m).dataset['more'] === more,
    `the chips' row said ${JSON.stringify(row(m).dataset['more'])}, not ${JSON.stringify(more)}`,
  );
}

/** The fade the row is drawn with: `none`, or the gradient with its direction. */
const mask = (m: MountedFeed) => getComputedStyle(row(m)).maskImage;

/** How far the row scrolls past its inline start at most. */
const reach = (m: MountedFeed) => row(m).scrollWidth - row(m).clientWidth;

/** Scroll the row `px` from its inline start (negative `scrollLeft` right to left). */
async function scrollRow(m: MountedFeed, px: number): Promise<void> {
  const el = row(m);
  const rtl = getComputedStyle(el).direction === 'rtl';
  const scrolled = new Promise((resolve) => el.addEventListener('scroll', resolve, { once: true }));
  el.scrollLeft = rtl ? -px : px;
  await scrolled;
}

describe("crm-activity-feed: the kind chips' fades", () => {
  it('a row whose chips all fit has no fade', async () => {
    const m = await mountFeed({ history: 40, style: 'inline-size: 900px' });
    expect(row(m).querySelectorAll('.chip').length).to.equal(5);
    await until(m, '');
    expect(reach(m)).to.be.at.most(1);
    expect(mask(m)).to.equal('none');
  });

  it('fades the end while chips lie past it, the start once scrolled, and neither at rest after a widening', async () => {
    const m = await mountFeed({ history: 40, style: 'inline-size: 900px' });
    await until(m, '');

    m.el.style.inlineSize = '240px';
    await until(m, 'end');
    expect(reach(m)).to.be.greaterThan(40);
    expect(mask(m)).to.match(/^linear-gradient\(to right,/);

    await scrollRow(m, 20);
    await until(m, 'start end');

    await scrollRow(m, reach(m));
    await until(m, 'start');
    expect(mask(m)).to.match(/^linear-gradient\(to right,/);

    await scrollRow(m, 0);
    await until(m, 'end');

    // Wide again: the row is measured when it resizes, not only when it scrolls.
    m.el.style.inlineSize = '900px';
    await until(m, '');
    expect(mask(m)).to.equal('none');
    // The state is the row's attribute, not the element's: measuring it renders nothing.
    expect(m.el.isUpdatePending).to.equal(false);
  });

  it('mirrors right to left: the fade starts at the left, the end of the row', async () => {
    const m = await mountFeed({ history: 40, style: 'inline-size: 240px', attrs: { dir: 'rtl' } });
    await until(m, 'end');
    expect(mask(m)).to.match(/^linear-gradient\(to left,/);
    // The end of a right-to-left row is on the left, past the last chip.
    const chips = [...row(m).querySelectorAll('.chip')];
    expect(chips.at(-1)!.getBoundingClientRect().left).to.be.lessThan(
      row(m).getBoundingClientRect().left,
    );

    await scrollRow(m, reach(m));
    await until(m, 'start');
    expect(chips.at(-1)!.getBoundingClientRect().left).to.be.at.least(
      row(m).getBoundingClientRect().left,
    );
  });

  /** A feed whose row has 24 px to spare after its five chips. */
  async function nearlyFull(): Promise<MountedFeed> {
    const m = await mountFeed({ history: 40, style: 'inline-size: 900px' });
    await until(m, '');
    const chips = row(m).querySelectorAll('.chip');
    const room =
      row(m).getBoundingClientRect().right - chips[chips.length - 1]!.getBoundingClientRect().right;
    m.el.style.inlineSize = `${900 - Math.floor(room) + 24}px`;
    await m.settle();
    await until(m, '');
    return m;
  }

  it('a chip added by a new kind of activity is measured without the row resizing', async () => {
    const m = await nearlyFull();
    const width = row(m).clientWidth;
    m.server.appendActivity({ kind: 'email.sent', customerId: '42', summary: 'Proposal sent' });
    await m.settle();
    expect(row(m).querySelectorAll('.chip').length).to.equal(6);
    expect(row(m).clientWidth).to.equal(width);
    await until(m, 'end');
  });

  it('chips growing (longer labels) are measured without the row resizing', async () => {
    const m = await nearlyFull();
    const width = row(m).clientWidth;
    const chips = [...row(m).querySelectorAll('.chip')];
    m.el.messages = { kindLabel: (kind) => `Every ${kind}` };
    await m.settle();
    // The same chips, wider: only their own sizes tell.
    expect([...row(m).querySelectorAll('.chip')]).to.deep.equal(chips);
    expect(row(m).clientWidth).to.equal(width);
    await until(m, 'end');
  });
});
