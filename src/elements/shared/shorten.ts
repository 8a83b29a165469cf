/**
 * Text cut to a length for display: at most `max` characters, counted in whole code points (an
 * emoji or an astral character is never split in half), the cut marked with "…".
 */
export function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}
