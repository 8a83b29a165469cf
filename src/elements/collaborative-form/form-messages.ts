/**
 * Every piece of text `<crm-collaborative-form>` shows or announces. A page translates the element
 * with `form.messages = { saved: () => 'Gespeichert', … }`; entries left out stay English. Counts
 * and lists go through the `MessageContext`, in the element's language (the nearest `lang`).
 */
import type { RealtimeErrorCode } from '../../client/realtime-error.js';
import type { MessageContext } from '../../i18n.js';
import { fieldLabel as formLabelOf } from '../../domain/field-labels.js';

export interface CollaborativeFormMessages {
  /** Status: no provider (or no entity): the form saves the usual way. */
  notConnected(c: MessageContext): string;
  /** Status: reading the entity. */
  loading(c: MessageContext): string;
  /** Status: the entity could not be read (`not_found`, `forbidden`, `payload_too_large` for one bigger than a frame, …; `not_found` also once the CRM deleted it). */
  loadFailed(code: RealtimeErrorCode | undefined, c: MessageContext): string;
  /** Status: loaded, nothing changed by the user yet. */
  upToDate(c: MessageContext): string;
  /** Status: the user changed fields and has not saved them (save on submit). */
  unsaved(count: number, c: MessageContext): string;
  /** Status: a save was sent and is not answered yet. */
  saving(c: MessageContext): string;
  /** Status: the last save was confirmed. */
  saved(c: MessageContext): string;
  /** Status: the last save was refused (the error says why). */
  notSaved(c: MessageContext): string;
  /** Status: the CRM's backend refused `count` values; its messages are under the fields. */
  invalidValues(count: number, c: MessageContext): string;
  /**
   * Status: the CRM's backend did not answer a save; it waits and is sent again later. With
   * `counting`, `nextTry` beside it says when; without, no try is planned yet (the connection is
   * down, or coming back), so the words may say it will be.
   */
  backendUnanswered(c: MessageContext, counting?: boolean): string;
  /** Status: saves made offline, waiting in the outbox to be sent. */
  waitingOffline(count: number, c: MessageContext): string;
  /**
   * Status: online, `count` saves wait because the server refused them for now (too many
   * changes a minute, or it failed); they are sent again soon. Announced once.
   */
  waitingToSave(count: number, c: MessageContext): string;
  /**
   * Beside `waitingToSave`, shown and not announced (it counts down): when the next try is, in
   * whole `seconds`; 0 while it is under way.
   */
  nextTry(seconds: number, c: MessageContext): string;
  /** Status: a save conflicts and waits for the user's decision. */
  conflict(c: MessageContext): string;
  /** The button beside the conflict status that reopens the dialog. */
  resolve(c: MessageContext): string;
  /** The error shown when a save was refused; `fields` are labels. */
  saveFailed(fields: readonly string[], code: RealtimeErrorCode, c: MessageContext): string;
  /** The button that puts the refused values back into the fields, to change and save again. */
  restore(c: MessageContext): string;
  /** The button that hides the error. */
  dismiss(c: MessageContext): string;
  /** Tab on a field: someone else edits it (their name). */
  editorTab(name: string, c: MessageContext): string;
  /** Tab on a field: more people edit it than the tab names. */
  moreEditors(count: number, c: MessageContext): string;
  /** Tab on a field: its value is being saved. */
  savingTab(c: MessageContext): string;
  /** Tab on a field: its value waits offline. */
  queuedTab(c: MessageContext): string;
  /** Tab on a field: online, its value waits to be sent again (see `waitingToSave`). */
  retryingTab(c: MessageContext): string;
  /** Tab on a field: its value was refused and rolled back. */
  errorTab(c: MessageContext): string;
  /** Tab on a field whose save conflicts and waits for the user's decision. */
  conflictTab(c: MessageContext): string;
  /** Tab on a field: someone changed it while the user edits it; `author` may be empty. */
  heldTab(author: string, c: MessageContext): string;
  /** The field's accessible description while others edit it. */
  editingDescription(names: readonly string[], c: MessageContext): string;
  /** The field's accessible description while a remote change to it is held back. */
  heldDescription(author: string, c: MessageContext): string;
  /** The field's accessible description while its save conflicts. */
  conflictDescription(c: MessageContext): string;
  /** The field's accessible description after its save was refused. */
  errorDescription(c: MessageContext): string;
  /** Added to the label of a field the user may not change (their permissions say so). */
  readOnlyField(c: MessageContext): string;
  /**
   * Under a field the user changed and may no longer change (made read-only for them meanwhile):
   * their value was not saved, and stays in the field to copy.
   */
  readOnlyNotSaved(c: MessageContext): string;
  /** Announced when someone else's change arrived in fields the user is not in. */
  remoteChanged(author: string, fields: readonly string[], c: MessageContext): string;
  /** Announced when someone else's change to fields the user is editing is held back. */
  remoteHeld(author: string, fields: readonly string[], c: MessageContext): string;
  /**
   * Announced when the CRM's backend refused the value of `field` (a label), with its `message`
   * (also shown under the field).
   */
  valueRefused(field: string, message: string, c: MessageContext): string;
  /** Announced when someone starts editing the field the user is in. */
  joinedField(name: string, field: string, c: MessageContext): string;
  /**
   * The label of a field with no `<label>` in a form of `entityType`: the label the CRM's forms
   * give it (`src/domain/field-labels.ts`), else the name in words (`firstName` → "First name").
   */
  fieldLabel(field: string, c: MessageContext, entityType?: string): string;
}

const reasons: Partial<Record<RealtimeErrorCode, string>> = {
  forbidden: 'you may not change this record',
  not_found: 'the record no longer exists',
  bad_frame: 'a value was not accepted',
  frame_too_large: 'the change is too large',
  payload_too_large: 'the change is too large',
  rate_limited: 'too many changes at once',
  invalid: 'the CRM did not accept it',
};

export const defaultCollaborativeFormMessages: CollaborativeFormMessages =
  Object.freeze<CollaborativeFormMessages>({
    notConnected: () => 'Not connected',
    loading: () => 'Loading…',
    loadFailed: (code) =>
      code === 'not_found'
        ? 'This record no longer exists'
        : code === 'forbidden'
          ? 'You may not open this record'
          : code === 'too_many_rooms'
            ? 'Not loaded yet: this page follows too many records'
            : code === 'payload_too_large'
              ? 'This record is too large to open here'
              : 'Could not load this record',
    upToDate: () => 'Up to date',
    unsaved: (count, c) => (count === 1 ? 'Unsaved change' : `${c.number(count)} unsaved changes`),
    saving: () => 'Saving…',
    saved: () => 'Saved',
    notSaved: () => 'Not saved',
    invalidValues: (count) =>
      count === 1 ? 'Not saved: check the marked field' : 'Not saved: check the marked fields',
    backendUnanswered: (_, counting) =>
      `Could not save: the CRM did not answer${counting ? '' : '. Trying again soon.'}`,
    waitingOffline: (count, c) =>
      `${c.number(count)} ${c.plural(count) === 'one' ? 'change' : 'changes'} waiting offline`,
    waitingToSave: (count, c) =>
      `${c.number(count)} ${c.plural(count) === 'one' ? 'change' : 'changes'} waiting to be saved`,
    nextTry: (seconds, c) =>
      seconds > 0 ? `Trying again in ${c.seconds(seconds)}` : 'Trying again…',
    conflict: () => 'Conflict: choose which version to keep',
    resolve: () => 'Resolve…',
    saveFailed: (fields, code, c) =>
      `Could not save ${fields.length ? c.list(fields) : 'your change'}: ` +
      `${reasons[code] ?? 'the server refused it'}. The saved ${
        fields.length === 1 ? 'value is' : 'values are'
      } shown again.`,
    restore: () => 'Restore my edits',
    dismiss: () => 'Dismiss',
    editorTab: (name) => name,
    moreEditors: (count, c) => c.signed(count),
    savingTab: () => 'Saving…',
    queuedTab: () => 'Waiting offline',
    retryingTab: () => 'Waiting to save',
    errorTab: () => 'Not saved',
    conflictTab: () => 'Conflict',
    heldTab: (author) => (author ? `Changed by ${author}` : 'Changed meanwhile'),
    editingDescription: (names, c) =>
      `${c.list(names)} ${names.length === 1 ? 'is' : 'are'} editing this field.`,
    heldDescription: (author) =>
      `${author || 'Someone'} changed this field while you were editing it; saving asks which ` +
      'version to keep.',
    conflictDescription: () =>
      'Someone else saved this field too: choose which version to keep with Resolve, after the form.',
    errorDescription: () => 'Your last change to this field was not saved.',
    readOnlyField: () => 'read only: you may not change this field',
    readOnlyNotSaved: () =>
      'Not saved: this field is now read only for you. Your value stays here to copy.',
    remoteChanged: (author, fields, c) => `${author || 'Someone'} changed ${c.list(fields)}.`,
    remoteHeld: (author, fields, c) =>
      `${author || 'Someone'} changed ${c.list(fields)} while you were editing; your text stays, ` +
      'and saving asks which version to keep.',
    valueRefused: (field, message) =>
      `${field} was not saved: ${message}${/[.!?…]$/.test(message) ? '' : '.'}`,
    joinedField: (name, field) => `${name} is now editing ${field} too.`,
    fieldLabel: (field, _c, entityType) => formLabelOf(entityType, field),
  });
