/**
 * The isolation helpers: plain text wrapped in FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE,
 * balanced so the text cannot end the isolation early, and the same in markup with `<bdi>`.
 */
import { expect, fixture, html } from '@open-wc/testing';
import { balanced, bdi, isolate } from '../../../../src/elements/shared/bidi.js';
import { drawnLeftToRight } from './reading-order.js';

const [LRI, RLI, FSI, PDI, RLO] = ['\u2066', '\u2067', '\u2068', '\u2069', '\u202e'];

describe('shared: bidi', () => {
  it('isolate wraps text in FSI … PDI and leaves the empty string empty', () => {
    expect(isolate('Ana')).to.equal(`${FSI}Ana${PDI}`);
    expect(isolate('')).to.equal('');
  });

  it('balanced drops stray closers and closes what the text opened', () => {
    expect(balanced(`${PDI}Ana`)).to.equal('Ana');
    expect(balanced(`${RLI}Ana`)).to.equal(`${RLI}Ana${PDI}`);
    expect(balanced(`${LRI}a${PDI}${PDI}b`)).to.equal(`${LRI}a${PDI}b`);
    expect(balanced('plain')).to.equal('plain');
  });

  for (const name of [`Ana${RLO}`, `${PDI}${RLO}Ana`, `${RLI}Ana`]) {
    const shown = JSON.stringify(name);
    it(`the words after ${shown} stay in order, in text and in markup`, async () => {
      const p = await fixture<HTMLParagraphElement>(
        html`<p>
          <span id="text">${isolate(name)} changed fields.</span>
          <span id="markup">${bdi(name)} changed fields.</span>
        </p>`,
      );
      for (const id of ['text', 'markup']) {
        const span = p.querySelector(`#${id}`)!;
        expect(drawnLeftToRight(span, 'changed'), id).to.equal(true);
        expect(drawnLeftToRight(span, 'fields.'), id).to.equal(true);
      }
    });
  }
});
