/**
 * The frames docs/protocol.md shows, read from its text, and the comparison of a server's frame
 * with the one the document shows: the checks replay the document as a backend team that
 * implements the protocol from it alone would read it.
 */
import { describe } from './peer.js';
import { CheckFailure, ok, same } from './expect.js';

/** The text of the document between two headings. */
export function section(doc: string, from: string, to: string): string {
  const start = doc.indexOf(from);
  const end = doc.indexOf(to, start);
  ok(start >= 0 && end > start, `docs/protocol.md has no section "${from}"`);
  return doc.slice(start, end);
}

export interface DocFrame {
  dir: '>' | '<';
  /** The frame as shown; `…` outside a string elides the rest of an object or a list. */
  value: Record<string, unknown>;
  /** Whether the document shows every field (nothing elided). */
  whole: boolean;
}

/** The `>` and `<` lines of the worked example, in order. */
export function exampleSession(doc: string): DocFrame[] {
  const text = section(doc, '## A worked example session', '## Testing your server');
  return [...text.matchAll(/^([<>]) (\{.*\})$/gm)].map((m) => {
    // An ellipsis outside a string stands for "more of the same": `,…}` or `[…]`.
    const cut = m[2]!.replaceAll(',…}', '}').replaceAll('[…]', '[]');
    return {
      dir: m[1] as '>' | '<',
      value: JSON.parse(cut) as Record<string, unknown>,
      whole: cut === m[2],
    };
  });
}

/** The `call.config` request and answer quoted in "Addressed events". */
export function callConfigFrames(doc: string): [Record<string, unknown>, Record<string, unknown>] {
  const [request, answer] = [
    ...section(doc, '### Addressed events', '## Capabilities').matchAll(
      /`(\{ "type": "call\.config"[^`]*\})`/g,
    ),
  ].map((m) => JSON.parse(m[1]!) as Record<string, unknown>);
  ok(request && answer, 'docs/protocol.md quotes no call.config request and answer');
  return [request, answer];
}

export interface Comparison {
  /** Keys whose strings the server makes up: only their type is the document's. */
  madeUp: ReadonlySet<string>;
  /** Keys whose numbers the document shows literally. */
  literal: ReadonlySet<string>;
  /** The document's first `joined.seq`, and the server's: `seq` and `since` keep their distance. */
  base: { doc: number; actual: number };
}

/** Numbers of one series: the document's are compared to its first `joined.seq`. */
const SEQUENCED = new Set(['seq', 'since']);

/**
 * Throws unless `actual` is what the document shows: the same fields (all of them when `whole`),
 * the same strings and literal numbers, and sequence numbers at the same distance from the
 * room's first `joined.seq` as the document's.
 */
export function conforms(
  actual: unknown,
  shown: unknown,
  how: Comparison,
  whole: boolean,
  path = 'frame',
  key = '',
): void {
  if (Array.isArray(shown)) {
    ok(Array.isArray(actual), `${path} is not a list: ${describe(actual)}`);
    // An elided list (`[…]`) says nothing of its items.
    if (shown.length === 0 && !whole) return;
    same(actual.length, shown.length, `${path}: number of items`);
    shown.forEach((item, i) => conforms(actual[i], item, how, whole, `${path}[${i}]`, key));
    return;
  }
  if (shown !== null && typeof shown === 'object') {
    ok(
      actual !== null && typeof actual === 'object',
      `${path} is not an object: ${describe(actual)}`,
    );
    const shownKeys = Object.keys(shown).sort();
    const actualKeys = Object.keys(actual).sort();
    if (whole) same(actualKeys, shownKeys, `${path}: fields (the document shows all of them)`);
    else for (const k of shownKeys) ok(actualKeys.includes(k), `${path}.${k} is missing`);
    for (const k of shownKeys) {
      const a = (actual as Record<string, unknown>)[k];
      conforms(a, (shown as Record<string, unknown>)[k], how, whole, `${path}.${k}`, k);
    }
    return;
  }
  if (typeof shown === 'number') {
    ok(typeof actual === 'number', `${path} is not a number: ${describe(actual)}`);
    if (Number.isInteger(actual) !== Number.isInteger(shown)) {
      throw new CheckFailure(
        `${path}: ${actual} is ${Number.isInteger(shown) ? 'not ' : ''}an integer`,
      );
    }
    if (SEQUENCED.has(key) && path.split('.').length === 2) {
      same(
        actual - how.base.actual,
        shown - how.base.doc,
        `${path}: distance from the first joined.seq`,
      );
    } else if (how.literal.has(key)) {
      same(actual, shown, path);
    }
    return;
  }
  if (typeof shown === 'string' && how.madeUp.has(key)) {
    ok(typeof actual === 'string', `${path} is not a string: ${describe(actual)}`);
    return;
  }
  same(actual, shown, path);
}

/**
 * The document's frame as this server should show it: its rooms as the target's rooms, and, when
 * `users` maps them, the document's people (Ada, Bob) as the users the server welcomed.
 */
export function cast(
  value: unknown,
  room: (name: string) => string,
  users: ReadonlyMap<string, Record<string, unknown>>,
  key = '',
): unknown {
  if (Array.isArray(value)) {
    return value.map((item) => cast(item, room, users, key === 'remove' ? 'userId' : key));
  }
  if (value !== null && typeof value === 'object') {
    if (key === 'user' && users.has((value as { id: string }).id)) {
      return users.get((value as { id: string }).id);
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cast(v, room, users, k)]));
  }
  if (typeof value === 'string') {
    if (key === 'room') return room(value);
    if ((key === 'from' || key === 'userId') && users.has(value)) {
      return users.get(value)!.id as string;
    }
  }
  return value;
}
