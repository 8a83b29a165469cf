/**
 * The one way text reaches the kit's live regions: every announcement (presence and huddle
 * arrivals, a ring, a burst of notifications, the feed's counts, the connection's state and the
 * outcome of "Retry now") is written through here.
 *
 * Text other people wrote comes isolated (U+2068 … U+2069, see `bidi.ts`) for where it is drawn,
 * and a translated sentence may carry directional controls of its own. A live region is visually
 * hidden, so they protect no layout there, and spoken they do harm: some screen readers read
 * them out or stumble on the word they touch, and braille displays show them. Announced text
 * carries none of the explicit directional formatting characters (U+202A … U+202E, U+2066 …
 * U+2069); the order of the words, which is what is read, is the same without them.
 */
const DIRECTIONAL_FORMATTING = /[\u202a-\u202e\u2066-\u2069]/g;

/** `text` as a live region is to say it. */
export const liveText = (text: string): string => text.replace(DIRECTIONAL_FORMATTING, '');

/**
 * What a region that says `now` is to say next: `text` as `liveText` gives it, with a trailing
 * no-break space (not read out) when it is the words said last, since a region speaks only when
 * its text changes.
 */
export function nextLiveText(text: string, now: string): string {
  const next = liveText(text);
  return next === now ? `${next}\u00a0` : next;
}
