/**
 * What an avatar shows when there is no picture: initials on a colour chosen from the user id,
 * and the check that decides whether a picture URL may be rendered at all. Every element that
 * shows a person (presence, the activity feed, the conflict dialog, the form's editor rings) uses
 * these, so one person has one colour on the whole page.
 */

/**
 * Background colours for initials. Each gives white text a contrast of at least 4.5:1 (WCAG AA
 * for normal text; the test suite checks it), and they are far enough apart in hue that two
 * neighbours rarely look alike.
 */
export const AVATAR_PALETTE = [
  '#b91c1c', // red
  '#c2410c', // orange
  '#a16207', // amber
  '#4d7c0f', // lime
  '#15803d', // green
  '#0f766e', // teal
  '#0e7490', // cyan
  '#0369a1', // sky
  '#1d4ed8', // blue
  '#4338ca', // indigo
  '#6d28d9', // violet
  '#7e22ce', // purple
  '#a21caf', // fuchsia
  '#be185d', // pink
  '#be123c', // rose
  '#475569', // slate
] as const;

/** FNV-1a over UTF-16 code units, then mixed: small, fast, and the same in every browser. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // Murmur3's finaliser spreads the low bits, so ids that differ by one digit differ in colour.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The colour of a user's initials avatar: the same id always gives the same colour. */
export function avatarColor(userId: string): string {
  return AVATAR_PALETTE[hash(userId) % AVATAR_PALETTE.length] ?? AVATAR_PALETTE[0];
}

const segmenter =
  typeof Intl !== 'undefined' && 'Segmenter' in Intl
    ? new Intl.Segmenter(undefined, { granularity: 'grapheme' })
    : undefined;

/** The first user-perceived character that is a letter or digit, so "(Ana)" gives "A". */
function firstGrapheme(word: string): string {
  const start = word.search(/[\p{L}\p{N}]/u);
  if (start < 0) return '';
  const rest = word.slice(start);
  if (segmenter) {
    for (const { segment } of segmenter.segment(rest)) return segment;
  }
  return Array.from(rest)[0] ?? '';
}

/**
 * One or two letters for a name: first letters of the first and last words ("Ana María Ortiz"
 * gives "AO"), the first letter of a single word, the local part of an e-mail address, "?" when
 * nothing usable is left. Grapheme-aware, so accented and non-Latin names keep whole characters.
 */
export function initials(name: string, locale?: string): string {
  const local = name.includes('@') ? (name.split('@')[0] ?? '') : name;
  const words = local
    .trim()
    .split(/[\s._\-–—]+/u)
    .filter((w) => /[\p{L}\p{N}]/u.test(w));
  const first = words[0];
  if (first === undefined) return '?';
  const last = words.length > 1 ? words[words.length - 1] : undefined;
  const letters = firstGrapheme(first) + (last ? firstGrapheme(last) : '');
  return letters.toLocaleUpperCase(locale) || '?';
}

/**
 * The URL to render as the avatar picture, or `undefined` when it must not be rendered.
 * Only `https:`, `http:` and `data:image/` are accepted, as on the server; checked again here
 * because a page may feed the element data that never crossed the wire.
 */
export function safeAvatarUrl(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2048) return undefined;
  if (/^data:image\/[a-z0-9.+-]+[;,]/i.test(value)) return value;
  if (!/^https?:\/\//i.test(value)) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** Relative luminance of a `#rrggbb` colour (WCAG 2.x). */
export function relativeLuminance(hex: string): number {
  const n = Number.parseInt(hex.replace('#', ''), 16);
  const channel = (c: number) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return (
    0.2126 * channel((n >> 16) & 0xff) +
    0.7152 * channel((n >> 8) & 0xff) +
    0.0722 * channel(n & 0xff)
  );
}

/** WCAG contrast ratio between two `#rrggbb` colours, from 1 to 21. */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x) as [
    number,
    number,
  ];
  return (hi + 0.05) / (lo + 0.05);
}
