/**
 * Hover looks apply only where a pointer hovers. A touch screen's browser leaves `:hover` on what
 * was tapped until the next tap elsewhere, so a hover rule outside `@media (hover: hover)` sticks:
 * a lifted avatar, a tinted button. Every `:hover` rule of every element's style sheets must sit
 * in such a block, unless it cannot change the look: each hovered selector of its list is there
 * without `:hover` too (a disabled button that looks the same hovered), or it takes motion away
 * under `prefers-reduced-motion: reduce`. And on an emulated touch screen, a tapped avatar
 * does not stay lifted. (Headless Chromium here has no pointing device and says `(hover: none)`
 * unless told otherwise, and CDP cannot emulate `(hover: hover)`: the look on mouse devices is kept
 * by keeping each rule's selectors, declarations and order, which the first tests pin down.)
 */
import { expect, waitUntil } from '@open-wc/testing';
import type { CSSResultGroup, CSSResultOrNative } from 'lit';
import { executeServerCommand } from '@web/test-runner-commands';
import { closeFakeConnections } from '../helpers/fake-connection.js';
import { animationsSettled } from '../helpers/settled.js';
import { sheets, texts } from './kit-sheets.js';
import { avatars, mountPresence, ANA, BEN } from '../elements/presence/fixture.js';

/** Selectors of `:hover` rules whose look could stick after a tap. */
function sticking(rules: CSSRuleList, media: string[] = []): string[] {
  const found: string[] = [];
  for (const rule of rules) {
    if (rule instanceof CSSMediaRule || rule instanceof CSSSupportsRule) {
      found.push(...sticking(rule.cssRules, [...media, rule.conditionText]));
    } else if (rule instanceof CSSStyleRule && rule.selectorText.includes(':hover')) {
      if (media.some((m) => /\(hover: ?hover\)/.test(m))) continue;
      if (media.some((m) => /prefers-reduced-motion: ?reduce/.test(m))) continue;
      const list = rule.selectorText.split(/,\s*/);
      const sameLook = list.every(
        (s) => !s.includes(':hover') || list.includes(s.replace(':hover', '')),
      );
      if (!sameLook) found.push(rule.selectorText);
    }
  }
  return found;
}

describe('hover looks on touch screens', () => {
  for (const [name, load] of Object.entries(sheets)) {
    it(`${name}: every :hover rule is for pointers that hover`, async () => {
      const all = Object.values(await load()).flatMap((v) =>
        texts(v as CSSResultGroup | CSSResultOrNative),
      );
      const found = all.flatMap((text) => {
        const sheet = new CSSStyleSheet();
        sheet.replaceSync(text);
        return sticking(sheet.cssRules);
      });
      expect(found).to.deep.equal([]);
    });
  }

  describe('an avatar of crm-presence on a touch screen', () => {
    afterEach(async () => {
      closeFakeConnections();
      await executeServerCommand('touch-device', { active: false });
    });

    it('a tap does not leave it lifted', async () => {
      await executeServerCommand('touch-device', { active: true });
      const m = await mountPresence({ people: [ANA, BEN] });
      const avatar = avatars(m.root)[0]!;
      const box = avatar.getBoundingClientRect();
      await executeServerCommand('tap', {
        x: box.left + box.width / 2,
        y: box.top + box.height / 2,
      });
      await waitUntil(() => avatar.matches(':hover'), 'the tap leaves :hover on it');
      await animationsSettled(m.el);
      expect(getComputedStyle(avatar).transform).to.equal('none');
    });
  });
});
