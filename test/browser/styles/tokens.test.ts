import { expect, fixture, html } from '@open-wc/testing';
import { emulateMedia } from '@web/test-runner-commands';
import {
  installTokens,
  tokenDefaults,
  tokensCssText,
  darkTokens,
} from '../../../src/styles/tokens.js';

const value = (el: Element, name: string) =>
  getComputedStyle(el).getPropertyValue(`--crm-${name}`).trim();

describe('design tokens', () => {
  before(() => installTokens());
  after(() => emulateMedia({ colorScheme: 'light' }));

  it('are installed once per document, however often asked', () => {
    const before = document.adoptedStyleSheets.length;
    installTokens();
    installTokens(document);
    expect(document.adoptedStyleSheets.length).to.equal(before);
    expect(value(document.documentElement, 'color-accent')).to.equal(tokenDefaults['color-accent']);
    expect(value(document.documentElement, 'space-m')).to.equal('0.75rem');
  });

  it('are left alone in a document that links the sheet (tokens.css) itself', async () => {
    const frame = async (head: string) => {
      const iframe = await fixture<HTMLIFrameElement>(html`<iframe></iframe>`);
      const doc = iframe.contentDocument!;
      doc.open();
      doc.write(`<!doctype html><html><head>${head}</head><body><p>text</p></body></html>`);
      doc.close();
      return doc;
    };
    const linked = await frame(`<style>${tokensCssText}</style>`);
    installTokens(linked);
    expect(linked.adoptedStyleSheets, 'nothing added: no second restyle').to.have.length(0);
    expect(value(linked.documentElement, 'space-m')).to.equal('0.75rem');

    // A document without it (another frame's, so another realm's `Document`) gets it.
    const bare = await frame('');
    expect(value(bare.documentElement, 'space-m')).to.equal('');
    installTokens(bare);
    expect(bare.adoptedStyleSheets).to.have.length(1);
    expect(value(bare.documentElement, 'space-m')).to.equal('0.75rem');
  });

  it('lose to any page rule, whatever the order', async () => {
    const style = document.createElement('style');
    style.textContent = ':root { --crm-color-accent: rebeccapurple; }';
    document.head.append(style);
    try {
      expect(value(document.documentElement, 'color-accent')).to.equal('rebeccapurple');
    } finally {
      style.remove();
    }
  });

  it('switch to the dark theme on a [data-crm-theme=dark] subtree, and back with light', async () => {
    const el = await fixture<HTMLDivElement>(
      html`<div data-crm-theme="dark">
        <p data-crm-theme="light">x</p>
        <span>y</span>
      </div>`,
    );
    expect(value(el, 'color-surface')).to.equal(darkTokens['color-surface']);
    expect(value(el.querySelector('span')!, 'color-surface')).to.equal(darkTokens['color-surface']);
    expect(value(el.querySelector('p')!, 'color-surface')).to.equal(tokenDefaults['color-surface']);
    expect(getComputedStyle(el).colorScheme).to.equal('dark');
  });

  it('follow the system only where the page opts in with data-crm-theme="auto"', async () => {
    await emulateMedia({ colorScheme: 'dark' });
    const el = await fixture<HTMLDivElement>(
      html`<div>
        <section data-crm-theme="auto"></section>
        <aside></aside>
      </div>`,
    );
    expect(value(el.querySelector('section')!, 'color-surface')).to.equal(
      darkTokens['color-surface'],
    );
    expect(value(el.querySelector('aside')!, 'color-surface')).to.equal(
      tokenDefaults['color-surface'],
    );
    await emulateMedia({ colorScheme: 'light' });
    expect(value(el.querySelector('section')!, 'color-surface')).to.equal(
      tokenDefaults['color-surface'],
    );
  });
});
