/**
 * `<crm-presence>` in forced colours (Windows contrast themes): the system replaces the dots'
 * colours, so online, away and offline must still differ by shape, drawn in system colours.
 */
import { expect } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import { closeFakeConnections } from '../../helpers/fake-connection.js';
import { ANA, BEN, CARL, ROOM, avatars, mountPresence } from './fixture.js';

const forcedColors = (active: boolean) => executeServerCommand('forced-colors', { active });

afterEach(async () => {
  closeFakeConnections();
  await forcedColors(false);
});

/**
 * What a dot shows: under forced colours the browser paints an element's background in a system
 * colour and drops gradients, unless the element opts out (`forced-color-adjust: none`).
 */
function fill(dot: Element): string {
  const s = getComputedStyle(dot);
  return s.forcedColorAdjust === 'none'
    ? `${s.backgroundColor} ${s.backgroundImage}`
    : s.backgroundColor;
}

describe('<crm-presence> in forced colours', () => {
  it('online, away and offline dots differ: full, half, hollow', async () => {
    const m = await mountPresence({
      people: [ANA, [BEN, { status: 'away' }], [CARL, { status: 'offline' }]],
      attrs: { 'room-id': ROOM },
    });
    await forcedColors(true);
    expect(matchMedia('(forced-colors: active)').matches).to.equal(true);
    const dots = avatars(m.root).map((a) => a.querySelector('[part~="status"]')!);
    const [online, away, offline] = dots.map(fill);
    expect(new Set([online, away, offline]).size, `${online} | ${away} | ${offline}`).to.equal(3);
    // In the system's colours: the text colour fills the online disc (that of the border),
    // half the away one, and none of the offline ring.
    const text = getComputedStyle(dots[0]!).borderTopColor;
    expect(online).to.equal(`${text} none`);
    expect(away).to.contain(text);
    expect(offline).to.not.contain(text);
    for (const dot of dots) expect(getComputedStyle(dot).borderTopStyle).to.equal('solid');
  });
});
