/**
 * What the kit's live regions say: the words, without the directional isolates that names carry
 * where they are drawn (screen readers read them out, braille displays show them), and a repeat
 * made a change so it is read again.
 */
import { expect } from '@open-wc/testing';
import { isolate } from '../../../../src/elements/shared/bidi.js';
import { liveText, nextLiveText } from '../../../../src/elements/shared/live-text.js';

const [LRI, RLI, FSI, PDI, LRE, RLO, PDF] = [
  '\u2066',
  '\u2067',
  '\u2068',
  '\u2069',
  '\u202a',
  '\u202e',
  '\u202c',
];

describe('shared: live text', () => {
  it('says isolated names as plain words', () => {
    expect(liveText(`${isolate('Ana Ortiz')} and ${isolate('أحمد')} joined`)).to.equal(
      'Ana Ortiz and أحمد joined',
    );
  });

  it('drops every explicit directional control, a name’s own included', () => {
    const said = liveText(`${LRI}a${PDI} ${RLI}b${PDI} ${FSI}Eve${RLO}evil${PDI} ${LRE}c${PDF}`);
    expect(said).to.equal('a b Eveevil c');
    expect(said).not.to.match(/[\u202a-\u202e\u2066-\u2069]/u);
  });

  it('leaves other text alone, the empty string included', () => {
    expect(liveText('Reconnecting in 5s · 3 changes waiting')).to.equal(
      'Reconnecting in 5s · 3 changes waiting',
    );
    expect(liveText('')).to.equal('');
  });

  it('makes the same words a change, so a region reads them again', () => {
    const first = nextLiveText(`${isolate('Ping')}`, '');
    expect(first).to.equal('Ping');
    const again = nextLiveText(`${isolate('Ping')}`, first);
    expect(again).to.equal('Ping\u00a0');
    expect(nextLiveText('Ping', again)).to.equal('Ping');
    expect(nextLiveText('Pong', first)).to.equal('Pong');
  });
});
