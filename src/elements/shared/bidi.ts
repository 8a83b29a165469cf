/**
 * Bidirectional isolation of text other people supplied (names, values, labels, titles) where it
 * is set into a sentence. Without it, a name ending in RIGHT-TO-LEFT OVERRIDE (U+202E) turns the
 * rest of the line around ("Ana sdleif 4 degnahc"), and in a right-to-left page a left-to-right
 * value takes the page's direction ("+44 20 7946 0321" reads "0321 7946 20 44+").
 *
 * In markup: `bdi(text)`, or `dir="auto"` on an element that holds nothing else. In plain text (an
 * `aria-label`, a `title`, a live region, the string a translated message returns): `isolate(text)`,
 * which wraps it in FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE, the same as `<bdi>`.
 */
import { html, type TemplateResult } from 'lit';

const FSI = '\u2068';
const PDI = '\u2069';

/**
 * The text with the isolates it opens closed and the stray closers it holds removed: a stray
 * POP DIRECTIONAL ISOLATE would end the isolate around the text early (an element's too) and let
 * an override that follows it reach the rest of the sentence.
 */
export function balanced(text: string): string {
  let open = 0;
  const out = text.replace(/[\u2066-\u2069]/g, (ch) =>
    ch !== PDI ? (open++, ch) : open > 0 ? (open--, ch) : '',
  );
  return out + PDI.repeat(open);
}

/** `text` isolated for plain-text contexts; the empty string stays empty (so `a || b` still works). */
export const isolate = (text: string): string => text && FSI + balanced(text) + PDI;

/**
 * A text of the kit's own (a message) in the direction of its words, as one run inside a layout
 * that follows the page: an English text left untranslated on a right-to-left page keeps its "…"
 * and its full stop at its end ("Reconnecting…", not "…Reconnecting"), and a translated one reads
 * as its language does. Names isolated inside it do not decide its direction.
 */
export const said = (text: string): TemplateResult => html`<span dir="auto">${text}</span>`;

/** `text` isolated in markup. */
export const bdi = (text: string): TemplateResult => html`<bdi>${balanced(text)}</bdi>`;
