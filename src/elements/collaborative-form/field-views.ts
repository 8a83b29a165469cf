/**
 * What each field shows, decided in one place: the marks on the field itself (ring, attributes,
 * accessible description) and the tabs on its edge. A field with nothing to show has no entry.
 */
import type { ChangeInfo } from '../../client/live-data/live-data-types.js';
import type { Person } from '../../client/types.js';
import type { MessageContext } from '../../i18n.js';
import { avatarColor } from '../shared/avatar.js';
import type { FieldMarkState } from './field-marks.js';
import type { FieldTab, FieldTabs } from './field-tabs.js';
import type { FieldBinding } from './form-fields.js';
import type { CollaborativeFormMessages } from './form-messages.js';
import { retryAt } from './form-status.js';

/** Editor tabs named on a field before the rest fold into "+N". */
const NAMED_EDITORS = 2;

export interface FieldViewsInput {
  fields: ReadonlyMap<string, FieldBinding>;
  editors: ReadonlyMap<string, readonly Person[]>;
  /** Fields whose remote change is held back while the user edits them. */
  held: readonly string[];
  /** Who changed the record last (for "Changed by …"); empty when unknown. */
  author: string;
  changes: readonly ChangeInfo[];
  /** Fields of saves that conflict and wait for the user's decision. */
  conflicted: ReadonlySet<string>;
  hasError: (field: string) => boolean;
  /** The CRM backend's message about a field's value, shown under it. */
  errorMessage?: (field: string) => string | undefined;
  m: CollaborativeFormMessages;
  c: MessageContext;
}

export interface FieldViews {
  states: Map<string, FieldMarkState>;
  groups: FieldTabs[];
}

/** Fields of unconfirmed saves: `queued` when one waits offline, else `pending`. */
function savingFields(changes: readonly ChangeInfo[]): Map<string, 'pending' | 'queued'> {
  const saving = new Map<string, 'pending' | 'queued'>();
  for (const change of changes) {
    if (change.state !== 'pending') continue;
    for (const field of Object.keys(change.fields)) {
      if (saving.get(field) !== 'queued') saving.set(field, change.queued ? 'queued' : 'pending');
    }
  }
  return saving;
}

export function fieldViews(input: FieldViewsInput): FieldViews {
  const { m, c } = input;
  const saving = savingFields(input.changes);
  // Online, the server refused a save for now: every save of the form waits behind it.
  const retrying = retryAt(input.changes) !== undefined;
  const held = new Set(input.held);
  const states = new Map<string, FieldMarkState>();
  const groups: FieldTabs[] = [];
  for (const [name, field] of input.fields) {
    const people = input.editors.get(name) ?? [];
    const isHeld = held.has(name);
    const save = saving.get(name);
    const error = input.hasError(name);
    const message = error ? input.errorMessage?.(name) : undefined;
    const conflict = input.conflicted.has(name);
    if (people.length === 0 && !isHeld && !save && !error && !conflict) continue;

    const names = people.map((p) => p.user.name);
    const description = [
      // A backend's message is shown and described on its own (`message`).
      error && !message ? m.errorDescription(c) : '',
      conflict ? m.conflictDescription(c) : '',
      isHeld ? m.heldDescription(input.author, c) : '',
      names.length ? m.editingDescription(names, c) : '',
    ]
      .filter(Boolean)
      .join(' ');
    states.set(name, {
      editors: names,
      editorColor: people[0] ? avatarColor(people[0].user.id) : undefined,
      held: isHeld,
      saving: conflict ? undefined : save,
      error,
      conflict,
      description: description || undefined,
      message,
    });

    const tabs: FieldTab[] = [];
    if (error) tabs.push({ kind: 'error', key: 'status', text: m.errorTab(c) });
    else if (conflict) {
      tabs.push({ kind: 'conflict', key: 'status', text: m.conflictTab(c) });
    } else if (isHeld) tabs.push({ kind: 'held', key: 'status', text: m.heldTab(input.author, c) });
    else if (save && retrying) {
      tabs.push({ kind: 'queued', key: 'status', text: m.retryingTab(c) });
    } else if (save === 'queued')
      tabs.push({ kind: 'queued', key: 'status', text: m.queuedTab(c) });
    else if (save) tabs.push({ kind: 'saving', key: 'status', text: m.savingTab(c) });
    for (const person of people.slice(0, NAMED_EDITORS)) {
      tabs.push({
        kind: 'editor',
        key: `editor:${person.user.id}`,
        text: m.editorTab(person.user.name, c),
        color: avatarColor(person.user.id),
      });
    }
    const rest = people.slice(NAMED_EDITORS);
    if (rest.length > 0) {
      tabs.push({
        kind: 'more',
        key: 'more',
        text: m.moreEditors(rest.length, c),
        color: avatarColor(rest[0]!.user.id),
      });
    }
    groups.push({ name, anchor: field.anchor, tabs });
  }
  return { states, groups };
}
