/**
 * Where text is drawn, for bidirectional-text tests: a string whose letters are turned around
 * (by a direction override in a name before it, or by a right-to-left page around a number) is
 * drawn with its first character to the right of its last. Measured on the laid-out text, so a
 * test passes only when the reader sees the words the right way round.
 */

function textNodes(root: Node): Text[] {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const nodes: Text[] = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) nodes.push(n as Text);
  return nodes;
}

/** The left edge of the character at `offset` of `node`. */
function leftOf(node: Text, offset: number): number {
  const range = document.createRange();
  range.setStart(node, offset);
  range.setEnd(node, offset + 1);
  return range.getBoundingClientRect().left;
}

/**
 * Whether `text` (found in one text node under `root`) is drawn left to right: its first
 * character left of its last. Throws when `text` is not there, so a test cannot pass on a typo.
 */
export function drawnLeftToRight(root: Node, text: string): boolean {
  for (const node of textNodes(root)) {
    const at = node.data.indexOf(text);
    if (at >= 0) return leftOf(node, at) < leftOf(node, at + text.length - 1);
  }
  throw new Error(`"${text}" is not in the text of ${String(root.nodeName)}`);
}

/** Whether an arrow element's glyph (→ by default) points right, after any CSS transform. */
export function pointsRight(arrow: Element): boolean {
  const transform = getComputedStyle(arrow).transform;
  const flipped = transform !== 'none' && new DOMMatrixReadOnly(transform).a < 0;
  return (arrow.textContent?.trim() === '→') !== flipped;
}
