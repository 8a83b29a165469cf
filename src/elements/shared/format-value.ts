/**
 * How a field value of any JSON type is shown (conflict dialog, activity feed), as a small view model that
 * the template renders as text (never as HTML):
 * - `empty`: null, undefined, `""`, `[]`, `{}`;
 * - `text`: strings, split into segments with the changed words marked;
 * - `scalar`: numbers and booleans, localized;
 * - `date`: ISO 8601 dates (`2024-05-01`) and date-times, localized, with the original for `<time>`;
 * - `inline-list` / `list`: arrays of scalars or flat objects, short ones on one line;
 * - `record`: objects as `key: value` lines, nested keys dotted (`erp.id`);
 * - `json`: anything bigger or deeper (arrays of nested objects), as indented JSON.
 * "Changed" parts are those that differ from a reference value (the base, or the other side), and
 * are marked only when part of the value stayed the same: when everything differs, the whole card
 * already says so.
 */
import { sameJson } from '../../util/same-json.js';

/** Language and words the formatter needs. */
export interface ValueFormat {
  readonly locale: string;
  /** Booleans. */
  readonly yes: string;
  readonly no: string;
}

export interface Segment {
  readonly text: string;
  readonly changed: boolean;
}

export interface Item {
  /** Formatted text; empty when `empty` is set. */
  readonly text: string;
  readonly changed: boolean;
  readonly empty?: boolean;
}

export interface Entry extends Item {
  readonly key: string;
}

export type ValueView =
  | { readonly kind: 'empty' }
  | { readonly kind: 'text'; readonly segments: readonly Segment[]; readonly multiline: boolean }
  | { readonly kind: 'scalar'; readonly text: string }
  | { readonly kind: 'date'; readonly text: string; readonly datetime: string }
  | { readonly kind: 'inline-list' | 'list'; readonly items: readonly Item[] }
  | { readonly kind: 'record'; readonly entries: readonly Entry[] }
  | { readonly kind: 'json'; readonly text: string };

/** Arrays this short (items and characters) are shown on one line. */
const INLINE_ITEMS = 5;
const INLINE_CHARS = 60;
/** Objects with more lines than this (nested keys included) are shown as JSON. */
const RECORD_KEYS = 12;
/** Word diffs beyond this many token pairs fall back to a prefix/suffix comparison. */
const DIFF_CELLS = 250_000;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i;

type Json = unknown;
const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isScalar = (v: unknown) => v === null || v === undefined || typeof v !== 'object';
const isEmpty = (v: unknown) =>
  v === null ||
  v === undefined ||
  v === '' ||
  (Array.isArray(v) && v.length === 0) ||
  (isRecord(v) && Object.keys(v).length === 0);
/** A value that fits on one line of a record or list: a scalar or an array of scalars. */
const isFlat = (v: unknown) => isScalar(v) || (Array.isArray(v) && v.every(isScalar));
const isFlatRecord = (v: unknown) => isRecord(v) && Object.values(v).every(isFlat);

/** Formatters for one language, made once per render. */
export class ValueFormatter {
  private readonly numbers: Intl.NumberFormat;
  private readonly dates: Intl.DateTimeFormat;
  private readonly dateTimes: Intl.DateTimeFormat;

  constructor(private readonly format: ValueFormat) {
    this.numbers = new Intl.NumberFormat(format.locale, { maximumFractionDigits: 20 });
    this.dates = new Intl.DateTimeFormat(format.locale, { dateStyle: 'medium', timeZone: 'UTC' });
    this.dateTimes = new Intl.DateTimeFormat(format.locale, {
      dateStyle: 'medium',
      timeStyle: 'short',
    });
  }

  /** The view of `value`, with parts that differ from `reference` marked (when one is given). */
  view(value: Json, reference?: { value: Json }): ValueView {
    if (isEmpty(value)) return { kind: 'empty' };
    const ref = reference && !isEmpty(reference.value) ? reference : undefined;
    if (typeof value === 'string') {
      const date = this.date(value);
      if (date) return { kind: 'date', ...date };
      const segments =
        ref && typeof ref.value === 'string'
          ? diffWords(value, ref.value)
          : [{ text: value, changed: false }];
      return { kind: 'text', segments, multiline: value.includes('\n') };
    }
    if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
      return { kind: 'scalar', text: this.scalar(value) };
    }
    if (Array.isArray(value) && value.every((v) => isScalar(v) || isFlatRecord(v))) {
      const others = ref && Array.isArray(ref.value) ? ref.value : undefined;
      const items = value.map((v): Item => {
        const empty = isEmpty(v);
        const text = empty ? '' : isRecord(v) ? this.inlineRecord(v) : this.scalar(v);
        return { text, empty, changed: others ? !others.some((o) => sameJson(o, v)) : false };
      });
      const partly = items.some((i) => i.changed) && items.some((i) => !i.changed);
      const marked = partly ? items : items.map((i) => ({ ...i, changed: false }));
      const chars = marked.reduce((n, i) => n + i.text.length + 2, 0);
      const inline = marked.length <= INLINE_ITEMS && chars <= INLINE_CHARS;
      return { kind: inline ? 'inline-list' : 'list', items: marked };
    }
    const lines = isRecord(value) ? flatten(value) : undefined;
    if (lines) {
      const other = ref && isRecord(ref.value) ? flatten(ref.value) : undefined;
      const entries = [...lines].map(([key, v]): Entry => {
        const empty = isEmpty(v);
        return {
          key,
          text: empty ? '' : this.flat(v),
          empty,
          changed: other ? !other.has(key) || !sameJson(other.get(key), v) : false,
        };
      });
      const partly = entries.some((e) => e.changed) && entries.some((e) => !e.changed);
      return {
        kind: 'record',
        entries: partly ? entries : entries.map((e) => ({ ...e, changed: false })),
      };
    }
    return { kind: 'json', text: toJson(value) };
  }

  /** A scalar as text: localized number, yes/no, a localized date for ISO strings. */
  scalar(value: unknown): string {
    if (value === null || value === undefined) return '—';
    if (typeof value === 'number') return this.numbers.format(value);
    if (typeof value === 'bigint') return this.numbers.format(value);
    if (typeof value === 'boolean') return value ? this.format.yes : this.format.no;
    if (typeof value === 'string') return this.date(value)?.text ?? value;
    return toJson(value);
  }

  private flat(value: unknown): string {
    if (Array.isArray(value)) return value.map((v) => this.scalar(v)).join(', ');
    return this.scalar(value);
  }

  private inlineRecord(value: Record<string, unknown>): string {
    return Object.entries(value)
      .map(([k, v]) => `${k}: ${this.flat(v)}`)
      .join(' · ');
  }

  /** An ISO date or date-time string, localized; `undefined` for anything else. */
  private date(value: string): { text: string; datetime: string } | undefined {
    const dateOnly = DATE.test(value);
    if (!dateOnly && !DATE_TIME.test(value)) return undefined;
    const time = Date.parse(dateOnly ? `${value}T00:00:00Z` : value);
    if (Number.isNaN(time)) return undefined;
    const text = (dateOnly ? this.dates : this.dateTimes).format(time);
    return { text, datetime: value };
  }
}

/**
 * An object as `key: value` lines, nested objects under dotted keys (`erp.id`), or `undefined`
 * when it is too big or too deep for that (more than a dozen lines, arrays of objects).
 */
function flatten(
  value: Record<string, unknown>,
  prefix = '',
  out = new Map<string, unknown>(),
): Map<string, unknown> | undefined {
  for (const [key, v] of Object.entries(value)) {
    const path = prefix + key;
    if (isRecord(v) && Object.keys(v).length > 0) {
      if (!flatten(v, `${path}.`, out)) return undefined;
    } else if (isFlat(v)) out.set(path, v);
    else return undefined;
    if (out.size > RECORD_KEYS) return undefined;
  }
  return out;
}

/** Indented JSON; values JSON cannot hold (undefined, functions, cycles) fall back to a string. */
function toJson(value: unknown): string {
  try {
    return (
      JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2) ??
      String(value)
    );
  } catch {
    return String(value);
  }
}

/**
 * Words, punctuation and the whitespace between them, all kept, so joining the tokens gives the
 * text back; "contract." and "contract" then share the word.
 */
const tokenize = (text: string) =>
  text.split(/(\s+|[.,;:!?()[\]{}"“”«»]|\p{Pd})/u).filter((t) => t !== '');

/**
 * The segments of `text`, with the words that are not in `reference` marked as changed (a word
 * diff by longest common subsequence). Nothing is marked when nothing is shared.
 */
export function diffWords(text: string, reference: string): Segment[] {
  if (text === reference) return [{ text, changed: false }];
  const a = tokenize(text);
  const b = tokenize(reference);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const keep = new Array<boolean>(a.length).fill(true);
  const midA = a.slice(start, endA);
  const midB = b.slice(start, endB);
  const kept = midA.length * midB.length <= DIFF_CELLS ? lcsKept(midA, midB) : undefined;
  for (let i = 0; i < midA.length; i++) keep[start + i] = kept?.[i] ?? false;
  // Whitespace is never a change on its own; between two changed words it joins them into one
  // highlight. Only words (not spaces or punctuation) count when deciding whether anything is
  // shared at all.
  const space = a.map((t) => /^\s+$/.test(t));
  for (let i = 0; i < a.length; i++) {
    if (space[i]) keep[i] = !(keep[i - 1] === false && keep[i + 1] === false);
  }
  const words = keep.filter((_k, i) => /[\p{L}\p{N}]/u.test(a[i]!));
  if (words.every((k) => !k) || keep.every(Boolean)) return [{ text, changed: false }];
  const segments: Segment[] = [];
  a.forEach((token, i) => {
    const changed = !keep[i];
    const last = segments[segments.length - 1];
    if (last && last.changed === changed) {
      segments[segments.length - 1] = { text: last.text + token, changed };
    } else segments.push({ text: token, changed });
  });
  return segments;
}

/** For each token of `a`, whether it belongs to a longest common subsequence with `b`. */
function lcsKept(a: readonly string[], b: readonly string[]): boolean[] {
  const n = a.length;
  const m = b.length;
  const table = new Uint32Array((n + 1) * (m + 1));
  const at = (i: number, j: number) => table[i * (m + 1) + j]!;
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      table[i * (m + 1) + j] =
        a[i] === b[j] ? at(i + 1, j + 1) + 1 : Math.max(at(i + 1, j), at(i, j + 1));
    }
  }
  const kept = new Array<boolean>(n).fill(false);
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      kept[i] = true;
      i++;
      j++;
    } else if (at(i + 1, j) >= at(i, j + 1)) i++;
    else j++;
  }
  return kept;
}
