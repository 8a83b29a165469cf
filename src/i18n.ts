/**
 * The kit's tiny message machinery. No element holds an English literal without a way to replace
 * it: each element has a `messages` property (a partial catalogue merged over its English
 * defaults), and every message is a function that receives a `MessageContext` set to the element's
 * language (the nearest `lang` attribute), so numbers, lists and plurals follow the page.
 */
import { warnOnceFor } from './util/warn.js';

/** Formatting tools handed to each message, already set to the element's language. */
export interface MessageContext {
  readonly locale: string;
  /** "Ana, Ben and Carl" in the element's language. */
  list(items: readonly string[]): string;
  /** The CLDR plural category of `count`: `one`, `other`, … */
  plural(count: number): Intl.LDMLPluralRule;
  /** `count` formatted with grouping, e.g. "1,234". */
  number(count: number): string;
  /**
   * `count` with its sign always shown, e.g. "+3"; in a right-to-left language with the marks that
   * keep the sign before the digits ("+٣", not "٣+").
   */
  signed(count: number): string;
  /** A short duration in seconds, e.g. "5s" in English, "5 s" in Polish, "5 Sek." in German. */
  seconds(count: number): string;
}

const contexts = new Map<string, MessageContext>();

/**
 * A (cached) message context for a BCP 47 locale; unknown locales fall back to English. Each
 * formatter is made when a message first uses it: making one loads the locale's data, several
 * milliseconds on a phone, and most elements' first render needs one or two of them.
 */
export function messageContext(locale: string): MessageContext {
  let context = contexts.get(locale);
  if (context) return context;
  const supported = safeLocale(locale);
  let lists: Intl.ListFormat | undefined;
  let plurals: Intl.PluralRules | undefined;
  let numbers: Intl.NumberFormat | undefined;
  let signs: Intl.NumberFormat | undefined;
  let seconds: Intl.NumberFormat | undefined;
  context = {
    locale: supported,
    list: (items) =>
      (lists ??= new Intl.ListFormat(supported, { type: 'conjunction', style: 'long' })).format(
        items,
      ),
    plural: (count) => (plurals ??= new Intl.PluralRules(supported)).select(count),
    number: (count) => (numbers ??= new Intl.NumberFormat(supported)).format(count),
    signed: (count) =>
      (signs ??= new Intl.NumberFormat(supported, { signDisplay: 'always' })).format(count),
    seconds: (count) =>
      (seconds ??= new Intl.NumberFormat(supported, {
        style: 'unit',
        unit: 'second',
        unitDisplay: 'narrow',
      })).format(count),
  };
  contexts.set(locale, context);
  return context;
}

/**
 * The language an element speaks: its nearest `lang` attribute (crossing shadow roots), else the
 * document's, else the browser's, else English.
 */
export function localeOf(element: Element): string {
  let node: Node | null = element;
  while (node) {
    if (node instanceof Element) {
      const lang = node.getAttribute('lang');
      if (lang) return lang;
    }
    node = node.parentNode ?? (node instanceof ShadowRoot ? node.host : null);
  }
  return globalThis.navigator?.language || 'en';
}

/** Each bad entry of a page's catalogue is warned about once per page, whatever re-renders. */
const warnMessages = warnOnceFor();

/**
 * The defaults with the overrides a page gave; entries set to `undefined` keep the default. A
 * catalogue comes from a page, and a slip in it must cost one text, not the widget: an entry that
 * is not a function, or a name the element has no message for (a typo), is warned about and left
 * out, and an override that throws or returns no string is warned about and its English default
 * said instead, so the element still renders, names and announces everything. `scope` (the
 * element's tag, `<crm-presence>`) starts each warning.
 */
export function withDefaults<T extends object>(
  defaults: T,
  overrides: Partial<T> | undefined,
  scope = 'messages',
): T {
  if (overrides === undefined || overrides === null) return defaults;
  // Each message is its own key: said once per page, whatever re-renders.
  const say = (problem: string, ...details: unknown[]): void => {
    const message = `${scope} ${problem}`;
    warnMessages(message, message, ...details);
  };
  const english = '; showing the English text';
  if (typeof overrides !== 'object' || Array.isArray(overrides)) {
    say(`messages is not an object of message functions${english}s.`, overrides);
    return defaults;
  }
  const merged = { ...defaults } as Record<string, unknown>;
  const fallbacks = defaults as Record<string, (...args: unknown[]) => unknown>;
  // A class's instance may hold its own state and helpers beside its messages: only a plain
  // object's unknown keys are typos worth a warning (`implements` catches a class's).
  const plain = [Object.prototype, null].includes(Object.getPrototypeOf(overrides) as object);
  for (const [key, value] of catalogueEntries(overrides)) {
    if (!Object.hasOwn(defaults, key)) {
      if (plain) say(`has no message "${key}" (a typo?); it is not used.`);
    } else if (typeof value === 'function') {
      merged[key] = function (this: unknown, ...args: unknown[]): unknown {
        try {
          // A class's method runs on its instance, so it can reach the class's own helpers.
          const text: unknown = value.apply(plain ? this : overrides, args);
          if (typeof text === 'string') return text;
          const got = text === null ? 'null' : typeof text;
          say(`messages.${key} returned ${got}, not a string${english}.`, text);
        } catch (error) {
          say(`messages.${key} threw${english}.`, error);
        }
        return fallbacks[key]!.apply(this, args);
      };
    } else if (value !== undefined) {
      say(`messages.${key} is a ${typeof value}, not a function${english}.`, value);
    }
  }
  return merged as T;
}

/**
 * The entries of a catalogue: a plain object's own properties, and the methods of a class
 * instance (`new GermanPresence()`), which live on its prototype and `Object.entries` misses.
 * Object's own methods (`toString`, …) are never taken for messages.
 */
function catalogueEntries(catalogue: object): [key: string, value: unknown][] {
  const keys = new Set<string>();
  for (let o = catalogue; o && o !== Object.prototype; o = Object.getPrototypeOf(o) as object) {
    for (const key of o === catalogue ? Object.keys(o) : Object.getOwnPropertyNames(o))
      keys.add(key);
  }
  keys.delete('constructor');
  return [...keys].map((key) => [key, (catalogue as Record<string, unknown>)[key]]);
}

function safeLocale(locale: string): string {
  try {
    return Intl.getCanonicalLocales(locale)[0] ?? 'en';
  } catch {
    return 'en';
  }
}
