/**
 * The build's minifier of Lit templates (scripts/minify-templates.ts) removes only what no browser
 * reads; HTML keeps every line where it was, CSS loses its line breaks (the plugin maps its edits).
 * test/browser/styles/minified-styles.test.ts checks in Chromium that every style sheet of the kit
 * parses to the same rules minified.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { minifyCss, minifyHtml } from '../../../scripts/minify-templates.js';

const lines = (s: string) => s.split('\n').length;

describe('minifyCss', () => {
  it('drops indentation, comments and spaces next to punctuation', () => {
    const css = `
      /* the host */
      :host {
        display: block;
        margin: 0 auto;
      }
    `;
    assert.equal(minifyCss(css), ' :host{display:block;margin:0 auto}');
  });

  it('keeps a line break that separates tokens as a space', () => {
    assert.equal(
      minifyCss('box-shadow:\n  0 0 0 1px red,\n  inset 0 0 0 2px blue;'),
      'box-shadow:0 0 0 1px red, inset 0 0 0 2px blue;',
    );
    assert.equal(minifyCss('.a,\n.b\n.c {}'), '.a, .b .c{}');
  });

  it('drops the last semicolon of a block, not an empty custom property', () => {
    assert.equal(minifyCss('a { color: red; }'), 'a{color:red}');
    assert.equal(minifyCss('a { --x:; }'), 'a{--x:;}');
    assert.equal(minifyCss(`a { content: ';'; }`), `a{content:';'}`);
  });

  it('keeps the spaces that separate tokens', () => {
    for (const kept of [
      'border: 1px solid red',
      'width: calc(100% - 2px)',
      'width: calc(var(--a) + 1px)',
      ':host .a',
      ':host :is(.a)',
      '.a > .b',
      '.a ~ .b',
      'grid-template-columns: minmax(0, max-content) 1fr',
    ]) {
      const out = minifyCss(kept);
      assert.equal(
        out.replace(/:\s+/g, ':').replace(/,\s+/g, ','),
        kept.replace(/: /g, ':').replace(/, /g, ','),
      );
      assert.ok(out.split(' ').length >= kept.split(' ').length - 2, `${kept} → ${out}`);
    }
    assert.equal(minifyCss(':host .a'), ':host .a');
    assert.equal(minifyCss(':host :is(.a)'), ':host :is(.a)');
    assert.equal(minifyCss('width: calc(100% - 2px)'), 'width:calc(100% - 2px)');
  });

  it('keeps quoted strings as they are', () => {
    assert.equal(minifyCss(`content: '  a ,  b  ';`), `content:'  a ,  b  ';`);
    assert.equal(minifyCss(`content: "a \\" /* x */ b";`), `content:"a \\" /* x */ b";`);
  });

  it('keeps a space at the ends of a part, where an interpolation joins it', () => {
    // `${token('a')} solid ${token('b')}`: the parts are ' solid ' and ''.
    assert.equal(minifyCss(' solid '), ' solid ');
    assert.equal(minifyCss('color: '), 'color:');
    assert.equal(minifyCss(', '), ', ');
  });

  it('drops a comment over several lines', () => {
    assert.equal(minifyCss('a {\n  /* one\n     two */\n  color: red;\n}'), 'a{color:red}');
  });
});

describe('minifyHtml', () => {
  it('drops indentation and keeps line breaks and inline spaces', () => {
    const html = `<div
        part="base"
        class="a"
      >
        <span>a b</span>  <span>c</span>
      </div>`;
    const out = minifyHtml(html);
    assert.equal(out, '<div\npart="base"\nclass="a"\n>\n<span>a b</span>  <span>c</span>\n</div>');
    assert.equal(lines(out), lines(html));
  });
});
