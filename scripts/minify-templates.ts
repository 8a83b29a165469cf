/**
 * A Vite/Rolldown plugin for the kit's builds: the static text of Lit's `css`, `html` and `svg`
 * tagged templates loses what no browser reads (the JS minifier keeps template text as written).
 *
 * - CSS: comments and line breaks go, indentation goes, spaces next to `{ } ;` and after `:` go,
 *   other runs of spaces become one, and the `;` before a `}`. Quoted strings are kept as they
 *   are; so is the space after a comma, which custom properties keep in their value.
 * - HTML and SVG: indentation goes; a newline stays, so text reads the same in any white-space
 *   mode the kit uses (`normal`, `nowrap`, `pre-line`; no template holds static text in a
 *   `pre`/`pre-wrap` element).
 *
 * CSS loses lines, so the plugin returns a source map of its edits: code after a template still
 * maps to its own line.
 */
import type { Plugin } from 'vite';

/** The static text of a `css` template (one part of it, between interpolations), minified. */
export function minifyCss(raw: string): string {
  let out = '';
  let i = 0;
  const punct = /[{};]/;
  while (i < raw.length) {
    const c = raw[i]!;
    if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < raw.length && raw[j] !== c) j += raw[j] === '\\' ? 2 : 1;
      out += raw.slice(i, j + 1);
      i = j + 1;
    } else if (c === '/' && raw[i + 1] === '*') {
      const end = raw.indexOf('*/', i + 2);
      const j = end === -1 ? raw.length : end + 2;
      i = j;
    } else if (/\s/.test(c)) {
      let j = i;
      while (j < raw.length && /\s/.test(raw[j]!)) j++;
      const before = out.trimEnd().at(-1) ?? '';
      const after = raw[j] ?? '';
      // A comment right after the run is gone too: look at what follows it.
      const tight = punct.test(before) || before === ':' || punct.test(after);
      if (!tight && !out.endsWith(' ')) out += ' ';
      i = j;
    } else if (c === '}' && out.endsWith(';') && !out.endsWith(':;')) {
      // The last declaration of a block needs no `;` (an empty custom property `--x:;` keeps it).
      out = out.slice(0, -1) + c;
      i += 1;
    } else {
      out += c;
      i += 1;
    }
  }
  return out;
}

/** The static text of an `html` or `svg` template: indentation after each line break removed. */
export function minifyHtml(raw: string): string {
  return raw.replace(/\n[ \t]+/g, '\n').replace(/[ \t]+\n/g, '\n');
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** One source-map VLQ number. */
function vlq(value: number): string {
  let rest = value < 0 ? (-value << 1) | 1 : value << 1;
  let out = '';
  do {
    let digit = rest & 31;
    rest >>>= 5;
    if (rest > 0) digit |= 32;
    out += BASE64[digit];
  } while (rest > 0);
  return out;
}

/**
 * `code` with the edits (sorted, not overlapping) applied, and a source map of them: a segment
 * at each word or punctuation of the text kept, so later code maps to its line and column, and
 * one at the start of each replaced text (and of each of its lines).
 */
export function applyEdits(
  code: string,
  edits: readonly { start: number; end: number; text: string }[],
  source: string,
): { code: string; map: { version: 3; sources: string[]; names: string[]; mappings: string } } {
  const lineStarts = [0];
  for (let i = code.indexOf('\n'); i !== -1; i = code.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  let line = 0;
  /** Line and column in `code` of `offset`; offsets are asked in increasing order. */
  const position = (offset: number): [number, number] => {
    while (line + 1 < lineStarts.length && lineStarts[line + 1]! <= offset) line++;
    return [line, offset - lineStarts[line]!];
  };
  const lines: string[] = [];
  let segments: string[] = [];
  let column = 0;
  let previous = [0, 0, 0];
  let out = '';
  const mark = (offset: number) => {
    const [sourceLine, sourceColumn] = position(offset);
    segments.push(
      vlq(column - previous[0]!) +
        'A' +
        vlq(sourceLine - previous[1]!) +
        vlq(sourceColumn - previous[2]!),
    );
    previous = [column, sourceLine, sourceColumn];
  };
  const newLine = () => {
    lines.push(segments.join(','));
    segments = [];
    column = 0;
    previous[0] = 0;
  };
  /**
   * Appends `text`, which starts at `from` in `code`: kept text is marked at each word and
   * punctuation; a replacement (`replaced`) only at the start of each of its lines, at `from`.
   */
  const emit = (text: string, from: number, replaced: boolean) => {
    const token = /[A-Za-z0-9_$]+|\n|[^\sA-Za-z0-9_$]/g;
    let last = 0;
    for (let match = token.exec(text); match; match = token.exec(text)) {
      column += match.index - last;
      last = match.index + match[0].length;
      if (match[0] === '\n') {
        newLine();
        if (replaced) mark(from);
      } else {
        if (!replaced) mark(from + match.index);
        column += match[0].length;
      }
    }
    column += text.length - last;
    out += text;
  };
  let at = 0;
  for (const edit of [...edits].sort((a, b) => a.start - b.start)) {
    emit(code.slice(at, edit.start), at, false);
    mark(edit.start);
    emit(edit.text, edit.start, true);
    at = edit.end;
  }
  emit(code.slice(at), at, false);
  lines.push(segments.join(','));
  return {
    code: out,
    map: { version: 3, sources: [source], names: [], mappings: lines.join(';') },
  };
}

interface Node {
  type: string;
  start: number;
  end: number;
  [key: string]: unknown;
}

/** The kit's `.ts` modules, with their templates minified. */
export function minifyTemplates(): Plugin {
  return {
    name: 'crm-realtime-minify-templates',
    // After TypeScript is transformed: the code is JavaScript for the parser.
    enforce: 'post',
    transform(code, id) {
      if (!/[\\/]src[\\/].*\.ts$/.test(id) || !/\b(css|html|svg)`/.test(code)) return null;
      const edits: { start: number; end: number; text: string }[] = [];
      const visit = (node: unknown): void => {
        if (Array.isArray(node)) return node.forEach(visit);
        if (!node || typeof node !== 'object' || typeof (node as Node).type !== 'string') return;
        const n = node as Node;
        const tag = n['tag'] as Node | undefined;
        if (n.type === 'TaggedTemplateExpression' && tag?.type === 'Identifier') {
          const name = tag['name'];
          const minify =
            name === 'css' ? minifyCss : name === 'html' || name === 'svg' ? minifyHtml : undefined;
          if (minify) {
            const quasi = n['quasi'] as Node;
            for (const element of quasi['quasis'] as Node[]) {
              const raw = code.slice(element.start, element.end);
              // Positions that do not cover exactly the raw text: leave the template as it is.
              if (raw !== (element['value'] as { raw: string }).raw) continue;
              const text = minify(raw);
              if (text !== raw) edits.push({ start: element.start, end: element.end, text });
            }
          }
        }
        for (const key of Object.keys(n)) {
          if (key !== 'type' && key !== 'start' && key !== 'end') visit(n[key]);
        }
      };
      visit(this.parse(code));
      if (edits.length === 0) return null;
      return applyEdits(code, edits, id);
    },
  };
}
