/**
 * A positive integer option (page sizes, bounds of the notification and activity stores), or the
 * fallback for anything else: bad input never throws. Loaded with those capabilities, not the core.
 */
export function positiveInt(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value >= 1 ? Math.floor(value) : fallback;
}
