/**
 * Every style sheet of the kit, minified as the build minifies its `css` templates
 * (scripts/minify-templates.ts), parses in Chromium to the rules it parses to as written.
 */
import { expect } from '@open-wc/testing';
import type { CSSResultGroup, CSSResultOrNative } from 'lit';
import { minifyCss } from '../../../scripts/minify-templates.js';

const sheets: Record<string, () => Promise<Record<string, unknown>>> = {
  'styles/shared': () => import('../../../src/styles/shared.js'),
  'styles/tokens': () => import('../../../src/styles/tokens.js'),
  'activity-feed': () => import('../../../src/elements/activity-feed/crm-activity-feed.styles.js'),
  'activity-feed/item': () => import('../../../src/elements/activity-feed/item.styles.js'),
  'collaborative-form': () =>
    import('../../../src/elements/collaborative-form/crm-collaborative-form.styles.js'),
  'conflict-dialog': () =>
    import('../../../src/elements/conflict-dialog/crm-conflict-dialog.styles.js'),
  'connection-status': () =>
    import('../../../src/elements/connection-status/crm-connection-status.styles.js'),
  huddle: () => import('../../../src/elements/huddle/crm-huddle.styles.js'),
  'notification-center': () =>
    import('../../../src/elements/notification-center/crm-notification-center.styles.js'),
  'notification-center/item': () =>
    import('../../../src/elements/notification-center/item.styles.js'),
  'notification-center/panel': () =>
    import('../../../src/elements/notification-center/panel.styles.js'),
  'notification-center/toast': () =>
    import('../../../src/elements/notification-center/toast.styles.js'),
  presence: () => import('../../../src/elements/presence/crm-presence.styles.js'),
};

function texts(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(texts);
  const text = (value as { cssText?: unknown } | null)?.cssText;
  return typeof text === 'string' ? [text] : [];
}

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
