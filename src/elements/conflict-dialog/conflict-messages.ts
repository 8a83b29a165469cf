/**
 * Every piece of text `<crm-conflict-dialog>` shows. A page translates the element with
 * `element.messages = { mine: () => 'Meine', … }`; entries left out stay English. Counts go
 * through the `MessageContext`, times through `Intl.RelativeTimeFormat` and values through `Intl`
 * formatters, all in the element's language (the nearest `lang` attribute).
 */
import type { MessageContext } from '../../i18n.js';
import { humanizeField } from '../../domain/field-labels.js';

export { humanizeField };

export interface ConflictDialogMessages {
  /** The dialog's title. `count` is the number of conflicted fields. */
  title(count: number, c: MessageContext): string;
  /**
   * The sentence under the title. `author` is the remote author's name (empty when unknown),
   * `entity` the `entity-label` (empty when unset).
   */
  description(parts: { author: string; entity: string; count: number }, c: MessageContext): string;
  /** The label of a field when `fieldLabels` has none; default: `firstName` → "First name". */
  fieldLabel(field: string, c: MessageContext): string;
  /** Heading of the user's version. */
  mine(c: MessageContext): string;
  /** Under it, what the user's version is. */
  mineHint(c: MessageContext): string;
  /** Heading of the other version. */
  theirs(c: MessageContext): string;
  /** Under it: "Saved by Ana Ortiz"; `author` is empty when unknown. */
  theirsHint(author: string, c: MessageContext): string;
  /** Label of the base value: what the field was before either change. */
  was(c: MessageContext): string;
  /** Shown for null, undefined and empty values (after an em dash). */
  empty(c: MessageContext): string;
  /** Booleans. */
  yes(c: MessageContext): string;
  no(c: MessageContext): string;
  /** Label of the remote change's time, before the relative time: "Saved". */
  savedAt(c: MessageContext): string;
  /** The primary button: save the choices made field by field. */
  save(count: number, c: MessageContext): string;
  /** Next to it: what will be saved, e.g. "2 yours, 1 theirs" or "All yours". */
  summary(mine: number, theirs: number, c: MessageContext): string;
  /** Resolve at once with every field as mine (shown with two fields or more). */
  keepAllMine(count: number, c: MessageContext): string;
  /** Resolve at once with every field as theirs (shown with two fields or more). */
  takeAllTheirs(count: number, c: MessageContext): string;
  /** The button that asks to leave without resolving. */
  cancel(c: MessageContext): string;
}

export const defaultConflictMessages: ConflictDialogMessages =
  Object.freeze<ConflictDialogMessages>({
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
      theirs === 0
        ? 'All yours'
        : mine === 0
          ? 'All theirs'
          : `${c.number(mine)} yours, ${c.number(theirs)} theirs`,
    keepAllMine: () => 'Keep all mine',
    takeAllTheirs: () => 'Take all theirs',
    cancel: () => 'Cancel',
  });
