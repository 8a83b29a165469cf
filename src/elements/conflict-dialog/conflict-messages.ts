/**
 * Every piece of text `<crm-conflict-dialog>` shows. A page translates the element by setting
 * `element.messages = { ... }` with the entries it wants to replace; anything left out falls back
 * to English. Counts go through `Intl.PluralRules`, times through `Intl.RelativeTimeFormat` and
 * `Intl.DateTimeFormat`, all in the element's language (the nearest `lang` attribute).
 */

/** The formatting tools each message receives, already set to the element's language. */
export interface ConflictMessageContext {
  readonly locale: string;
  /** The CLDR plural category of `count`: `one`, `other`, … */
  plural(count: number): Intl.LDMLPluralRule;
  /** `count` formatted with grouping, e.g. "1,234". */
  number(count: number): string;
}

export interface ConflictDialogMessages {
  /** The dialog's title. `count` is the number of conflicted fields. */
  title(count: number, c: ConflictMessageContext): string;
  /**
   * The sentence under the title. `author` is the remote author's name (empty when unknown),
   * `entity` the `entity-label` (empty when unset).
   */
  description(
    parts: { author: string; entity: string; count: number },
    c: ConflictMessageContext,
  ): string;
  /** The label of a field when `fieldLabels` has none; default: `firstName` → "First name". */
  fieldLabel(field: string, c: ConflictMessageContext): string;
  /** Heading of the user's version. */
  mine(c: ConflictMessageContext): string;
  /** Under it, what the user's version is. */
  mineHint(c: ConflictMessageContext): string;
  /** Heading of the other version. */
  theirs(c: ConflictMessageContext): string;
  /** Under it: "Saved by Ana Ortiz"; `author` is empty when unknown. */
  theirsHint(author: string, c: ConflictMessageContext): string;
  /** Label of the base value: what the field was before either change. */
  was(c: ConflictMessageContext): string;
  /** Shown for null, undefined and empty values (after an em dash). */
  empty(c: ConflictMessageContext): string;
  /** Booleans. */
  yes(c: ConflictMessageContext): string;
  no(c: ConflictMessageContext): string;
  /** Label of the remote change's time, before the relative time: "Saved". */
  savedAt(c: ConflictMessageContext): string;
  /** The primary button: save the choices made field by field. */
  save(count: number, c: ConflictMessageContext): string;
  /** Next to it: what will be saved, e.g. "2 of yours, 1 of theirs". */
  summary(mine: number, theirs: number, c: ConflictMessageContext): string;
  /** Resolve at once with every field as mine (shown with two fields or more). */
  keepAllMine(count: number, c: ConflictMessageContext): string;
  /** Resolve at once with every field as theirs (shown with two fields or more). */
  takeAllTheirs(count: number, c: ConflictMessageContext): string;
  /** The button that asks to leave without resolving. */
  cancel(c: ConflictMessageContext): string;
}

/** `firstName`, `first_name`, `address.city` → "First name", "First name", "Address city". */
export function humanizeField(field: string): string {
  const words = field
    .replace(/([a-z\d])([A-Z])/g, '$1 $2')
    .replace(/[_.\-\s]+/g, ' ')
    .trim()
    .toLowerCase();
  return words ? words[0]!.toUpperCase() + words.slice(1) : field;
}

export const defaultConflictMessages: ConflictDialogMessages = {
  title: (count) => (count === 1 ? 'Your change conflicts' : 'Your changes conflict'),
  description: ({ author, entity, count }) =>
    `${author || 'Someone else'} saved ${entity || 'this record'} while you were editing. ` +
    (count === 1
      ? 'Choose which version to keep.'
      : 'Choose which version to keep for each field.'),
  fieldLabel: (field) => humanizeField(field),
  mine: () => 'Yours',
  mineHint: () => 'Not saved yet',
  theirs: () => 'Theirs',
  theirsHint: (author) => (author ? `Saved by ${author}` : 'Saved'),
  was: () => 'Was',
  empty: () => 'Empty',
  yes: () => 'Yes',
  no: () => 'No',
  savedAt: () => 'Saved',
  save: (count) => (count === 1 ? 'Save my choice' : 'Save my choices'),
  summary: (mine, theirs, c) =>
    [mine ? `${c.number(mine)} of yours` : '', theirs ? `${c.number(theirs)} of theirs` : '']
      .filter(Boolean)
      .join(', '),
  keepAllMine: () => 'Keep all mine',
  takeAllTheirs: () => 'Take all theirs',
  cancel: () => 'Cancel',
};

/** The formatting tools for one language; falls back to English if the tag is not valid. */
export function conflictMessageContext(locale: string): ConflictMessageContext {
  let lang = locale;
  try {
    Intl.getCanonicalLocales(lang);
  } catch {
    lang = 'en';
  }
  const pluralRules = new Intl.PluralRules(lang);
  const numberFormat = new Intl.NumberFormat(lang);
  return {
    locale: lang,
    plural: (count) => pluralRules.select(count),
    number: (count) => numberFormat.format(count),
  };
}

/** Defaults with a page's overrides on top; `this` in an override is the merged set. */
export function mergeConflictMessages(
  overrides?: Partial<ConflictDialogMessages> | null,
): ConflictDialogMessages {
  return overrides ? { ...defaultConflictMessages, ...overrides } : defaultConflictMessages;
}
