/**
 * The key handling of a roving tabindex: which entry an arrow, Home or End key moves to. Left and
 * right follow the writing direction; up and down work too, for vertical layouts.
 */
export function rovingTarget(
  key: string,
  current: number,
  count: number,
  rtl: boolean,
): number | undefined {
  const step: Record<string, number> = {
    ArrowDown: 1,
    ArrowUp: -1,
    ArrowRight: rtl ? -1 : 1,
    ArrowLeft: rtl ? 1 : -1,
  };
  if (count === 0 || current < 0) return undefined;
  const delta = step[key];
  if (delta !== undefined) return Math.min(count - 1, Math.max(0, current + delta));
  if (key === 'Home') return 0;
  if (key === 'End') return count - 1;
  return undefined;
}
