/**
 * The build's minifier of Lit templates (scripts/minify-templates.ts) removes only what no browser
 * reads; HTML keeps every line where it was, CSS loses its line breaks (the plugin maps its edits).
 * test/browser/styles/minified-styles.test.ts checks in Chromium that every style sheet of the kit
 * parses to the same rules minified.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyEdits, minifyCss, minifyHtml } from '../../../scripts/minify-templates.js';

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

/** The original line and column (0-based) that each generated position of a segment maps to. */
function decode(mappings: string): Map<string, [number, number]> {
  const digits = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const out = new Map<string, [number, number]>();
  let sourceLine = 0;
  let sourceColumn = 0;
  mappings.split(';').forEach((line, generatedLine) => {
    let column = 0;
    for (const segment of line.split(',').filter(Boolean)) {
      const fields: number[] = [];
      let value = 0;
      let shift = 0;
      for (const char of segment) {
        const digit = digits.indexOf(char);
        value += (digit & 31) << shift;
        shift += 5;
        if (!(digit & 32)) {
          fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      column += fields[0]!;
      sourceLine += fields[2]!;
      sourceColumn += fields[3]!;
      out.set(`${generatedLine}:${column}`, [sourceLine, sourceColumn]);
    }
  });
  return out;
}

describe('applyEdits', () => {
  it('maps the code after a template that lost its lines back to where it was written', () => {
    const code = 'const s = css`\n  a {\n    color: red;\n  }\n`;\nconst later = s;\n';
    const start = code.indexOf('`') + 1;
    const end = code.lastIndexOf('`');
    const { code: out, map } = applyEdits(
      code,
      [{ start, end, text: minifyCss(code.slice(start, end)) }],
      'a.ts',
    );
    assert.equal(out, 'const s = css` a{color:red}`;\nconst later = s;\n');
    const mapped = decode(map.mappings);
    // `later`, on the second generated line, was written on line 5 (0-based), column 6.
    assert.deepEqual(mapped.get(`1:${'const '.length}`), [5, 6]);
    // `;` after the template: generated line 0, written on line 4, column 1.
    assert.deepEqual(mapped.get(`0:${out.indexOf(';')}`), [4, 1]);
    // The template's text maps to where the template's text began.
    assert.deepEqual(mapped.get(`0:${start}`), [0, start]);
  });
});
