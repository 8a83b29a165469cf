/**
 * Splitting lists so that no frame the server sends exceeds the protocol's frame size: clients
 * reject larger frames, and a room of a thousand people does not fit in one 64 KiB snapshot.
 */

/** Room left in a frame for everything but the list (type, room, replyTo, seq …). */
export { ENVELOPE_BYTES } from '../domain/frame-fit.js';

/**
 * Consecutive chunks of `items` whose serialized sizes (plus a comma each) stay within `budget`.
 * An item larger than the budget on its own gets a chunk of its own. Always at least one chunk.
 */
export function chunkBySize<T>(items: readonly T[], budget: number): T[][] {
  // The usual case, one chunk, measured in one pass instead of one per item.
  if (Buffer.byteLength(JSON.stringify(items)) <= budget) return [[...items]];
  const chunks: T[][] = [];
  let current: T[] = [];
  let used = 0;
  for (const item of items) {
    const size = Buffer.byteLength(JSON.stringify(item)) + 1;
    if (current.length > 0 && used + size > budget) {
      chunks.push(current);
      current = [];
      used = 0;
    }
    current.push(item);
    used += size;
  }
  chunks.push(current);
  return chunks;
}
