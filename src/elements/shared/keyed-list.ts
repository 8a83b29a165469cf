/**
 * `repeat` that leaves nothing behind: lit-html 3.3.1–3.3.3 removes an item's start marker but
 * not its end marker (lit/lit#5298), so every item a keyed list drops leaves an empty comment in
 * the DOM. A feed, a toast stack or a presence row that churns all day would collect thousands.
 * `keyedList` renders exactly like `repeat` and, before each update, removes the empty comments
 * between the list's items that belong to no item any more. Once Lit ships the fix there is
 * nothing left to sweep and this stays a plain `repeat`.
 */
import {
  directive,
  Directive,
  PartType,
  type ChildPart,
  type DirectiveResult,
  type PartInfo,
} from 'lit/directive.js';
import { getCommittedValue } from 'lit/directive-helpers.js';
import { repeat, type ItemTemplate, type KeyFn } from 'lit/directives/repeat.js';

class TidyList extends Directive {
  constructor(info: PartInfo) {
    super(info);
    if (info.type !== PartType.CHILD) throw new Error('keyedList goes in a child position');
  }

  render(list: unknown): unknown {
    return list;
  }

  override update(part: ChildPart, [list]: [unknown]): unknown {
    sweepOrphanMarkers(part);
    return list;
  }
}

const tidyList = directive(TidyList);

/** Remove empty comments between the list's items that are no item's start or end marker. */
export function sweepOrphanMarkers(part: ChildPart): void {
  const items = getCommittedValue(part);
  const start = part.startNode;
  if (!Array.isArray(items) || !start) return;
  const starts = new Map<Node, Node | null>();
  for (const item of items as ChildPart[]) {
    if (item.startNode) starts.set(item.startNode, item.endNode);
  }
  const end = part.endNode;
  let node = start.nextSibling;
  while (node && node !== end) {
    const next = node.nextSibling;
    if (starts.has(node)) {
      // Skip the item, its own markers included.
      const itemEnd = starts.get(node);
      node = itemEnd ? itemEnd.nextSibling : null;
      continue;
    }
    if (node.nodeType === 8 /* a comment */ && (node as Comment).data === '') node.remove();
    node = next;
  }
}

/** `repeat(items, key, template)` without the end markers Lit leaves behind. */
export function keyedList<T>(
  items: Iterable<T>,
  key: KeyFn<T>,
  template: ItemTemplate<T>,
): DirectiveResult {
  return tidyList(repeat(items, key, template));
}
