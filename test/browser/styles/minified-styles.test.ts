/**
 * Every style sheet of the kit, minified as the build minifies its `css` templates
 * (scripts/minify-templates.ts), parses in Chromium to the rules it parses to as written.
 */
import { expect } from '@open-wc/testing';
import type { CSSResultGroup, CSSResultOrNative } from 'lit';
import { sheets, texts } from './kit-sheets.js';
import { minifyCss } from '../../../scripts/minify-templates.js';

/**
 * The rules Chromium parses `text` to, serialized. A value with `var()` is kept as written until
 * it is substituted, so runs of whitespace are made one space (and none after a comma) in both:
 * a space the minifier took where it separated two tokens still shows.
 */
function rules(text: string): string[] {
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(text);
  return [...sheet.cssRules].map((rule) => rule.cssText.replace(/\s+/g, ' ').replace(/, /g, ','));
}

describe('minified style sheets', () => {
  for (const [name, load] of Object.entries(sheets)) {
    it(`${name} parses to the same rules`, async () => {
      const exports = await load();
      const all = Object.values(exports).flatMap((v) =>
        texts(v as CSSResultGroup | CSSResultOrNative),
      );
      const sheetsOnly = all.filter((text) => text.includes('{'));
      expect(sheetsOnly.length).to.be.greaterThan(0);
      for (const text of sheetsOnly) {
        const written = rules(text);
        expect(written.length).to.be.greaterThan(0);
        expect(rules(minifyCss(text))).to.deep.equal(written);
      }
    });
  }
});
