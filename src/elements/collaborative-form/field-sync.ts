/**
 * Keeps the page's own fields and the live entity in step, for `<crm-collaborative-form>`:
 * - what each field was last given (the entity's value, or what the page rendered when the entity
 *   has no such field), so "dirty" means "the user changed it since";
 * - new data goes into every field the user is not in and has not changed, where it is new (a
 *   field's controls are read only when its value changed); a field they focus or change keeps
 *   what they see, and converges when the data reaches their value;
 * - a field the record stops having (hidden from the user now) is emptied, on the same terms;
 * - the changed fields, read as JSON, are what a save sends.
 *
 * A field is dirty while its value differs from what it was given (the user's edit, or a value a
 * script set). A control that cannot show a value it was given (a select without that option)
 * reads back something else without anyone touching it: such a field counts as changed only once
 * the user's own `input` or `change` reached it, or saving would write that something else over
 * the stored value, a change nobody made.
 */
import type { Fields } from '../../protocol/index.js';
import { hasField } from '../../protocol/own-field.js';
import { sameJson } from '../../util/same-json.js';
import {
  mirror,
  cannotShow,
  readField,
  removeUnlisted,
  sameFieldValue,
  writeField,
  type JsonValue,
} from './field-values.js';
import type { FieldBinding } from './form-fields.js';

interface FieldState {
  /** The value the field was last given (its type is the hint for reading it back). */
  given: JsonValue | undefined;
  /** Its controls read back what it was given (false: a value they cannot show, or only part of). */
  shown: boolean;
  /** The user's `input` or `change` reached it since it was given that value. */
  edited: boolean;
  /** It now differs from what it was given, and that is a change (see `shown`). */
  dirty: boolean;
  /** Its last save was refused (until the user changes it or the error is dismissed). */
  error: boolean;
  /** The CRM backend's message about its value, while `error`. */
  message?: string | undefined;
  /** What it was given came from the record (not from what the page rendered). */
  fromRecord: boolean;
}

export interface ApplyResult {
  /** Fields whose controls were given a new value. */
  written: string[];
}

export interface FieldSyncOptions {
  /** A field was given a value its controls cannot show; it keeps it unless the user changes it. */
  cannotShow?: (field: string, value: JsonValue) => void;
  /** The page's framework binds the fields' values: write as typing would (see `writeField`). */
  controlled?: () => boolean;
}

const fresh = (given: JsonValue | undefined): FieldState => ({
  given,
  shown: true,
  edited: false,
  dirty: false,
  error: false,
  fromRecord: false,
});

export class FieldSync {
  fields: ReadonlyMap<string, FieldBinding> = new Map();
  private readonly states = new Map<string, FieldState>();

  constructor(private readonly options: FieldSyncOptions = {}) {}

  /** Take a new set of fields; new ones start from what they show, with `data` on top. */
  setFields(fields: ReadonlyMap<string, FieldBinding>, data: Readonly<Fields> | undefined): void {
    const before = this.fields;
    this.fields = fields;
    for (const name of [...this.states.keys()]) if (!fields.has(name)) this.states.delete(name);
    for (const [name, field] of fields) {
      if (this.states.has(name)) {
        // A control added to a field shows what the field's other controls show.
        const old = before.get(name)?.elements;
        if (field.elements.some((el) => !old?.includes(el))) {
          mirror(field, field.elements.find((el) => old?.includes(el)) ?? null);
        }
        continue;
      }
      this.states.set(name, fresh(readField(field)));
      // Own fields only: an input named `constructor` has no value until the entity gives one.
      if (data && hasField(data, name)) this.giveFromRecord(field, data[name]!);
    }
  }

  /** The element leaves the page: take away the options it added to the page's selects. */
  release(): void {
    for (const field of this.fields.values()) removeUnlisted(field);
  }

  /** Forget what fields were given (another entity): the next data goes into every field. */
  reset(): void {
    for (const [name, field] of this.fields) this.states.set(name, fresh(readField(field)));
  }

  /**
   * Put `data` into the fields the user is not in (`focused`) and has not changed. A focused or
   * changed field whose value the data now matches is clean again. With `everyField` (another
   * record), every field shows `data`, and those it has no value for are emptied. A field the
   * record gave a value and now has none for is emptied too: records never lose fields, so it was
   * hidden from this user (their permissions changed), and its old value must not stay on screen.
   */
  apply(
    data: Readonly<Fields>,
    focused: FieldBinding | undefined,
    everyField = false,
  ): ApplyResult {
    const written: string[] = [];
    for (const [name, field] of this.fields) {
      if (!hasField(data, name)) {
        const hidden = this.states.get(name)?.fromRecord && field !== focused;
        if ((everyField || (hidden && !this.isDirty(name))) && this.give(field, null, true)) {
          written.push(name);
        }
        continue;
      }
      const value = data[name]!;
      const state = this.state(name);
      state.fromRecord = true;
      // The value it was given already, in a field the user is not in: nothing to do, without
      // reading its controls. A record of hundreds of fields would otherwise read every one of
      // them for each change someone makes to one.
      if (!everyField && field !== focused && !state.dirty && sameJson(value, state.given)) {
        continue;
      }
      if (field === focused || state.dirty) {
        if (sameFieldValue(field, this.read(name), value)) {
          state.given = value;
          state.shown = true;
          state.dirty = state.edited = false;
        }
        continue;
      }
      if (this.giveFromRecord(field, value)) written.push(name);
    }
    return { written };
  }

  private giveFromRecord(field: FieldBinding, value: JsonValue): boolean {
    const written = this.give(field, value, true);
    this.state(field.name).fromRecord = true;
    return written;
  }

  /** Show `value` in one field now, whatever the user does there; true when it changed. */
  force(name: string, value: JsonValue | undefined): boolean {
    const field = this.fields.get(name);
    if (!field || value === undefined) return false;
    return this.giveFromRecord(field, value);
  }

  /** What the field was last given (the record's value, or what the page rendered before it). */
  givenValue(name: string): JsonValue | undefined {
    return this.states.get(name)?.given;
  }

  /** The field's value as JSON, typed like what it was given. */
  read(name: string): JsonValue | undefined {
    const field = this.fields.get(name);
    return field ? readField(field, this.state(name).given) : undefined;
  }

  /**
   * The user's `input` or `change` reached the field (or they restored their edit): from now on it
   * is dirty while its value differs from what it was given. True when its dirty state changed.
   */
  touched(name: string): boolean {
    if (!this.fields.has(name)) return false;
    this.state(name).edited = true;
    return this.recheck(name);
  }

  /** Whether the field now differs from what it was given, as a change; true when that changed. */
  private recheck(name: string): boolean {
    const field = this.fields.get(name);
    if (!field) return false;
    const state = this.state(name);
    const dirty = this.differs(name, field);
    const changed = dirty !== state.dirty || (dirty && state.error);
    state.dirty = dirty;
    if (dirty) {
      state.error = false;
      state.message = undefined;
    }
    return changed;
  }

  /** The fields the user changed, with their values (`valid`: only those passing validation). */
  changed(valid = false): Fields {
    const fields: Fields = {};
    for (const [name, field] of this.fields) {
      this.recheck(name);
      if (!this.state(name).dirty) continue;
      if (valid && !field.elements.every(isValid)) continue;
      fields[name] = this.read(name)!;
    }
    return fields;
  }

  /** The fields went out in a save: clean, with these values as what they were given. */
  sent(fields: Readonly<Fields>): void {
    for (const [name, value] of Object.entries(fields)) {
      const state = this.states.get(name);
      if (!state) continue;
      state.given = value;
      state.shown = true;
      state.dirty = state.edited = false;
      state.error = false;
      state.fromRecord = true;
      // The user picked one of the page's options: the one added for the old value has had its day
      // (a refusal puts it back, as it writes the old value again).
      const field = this.fields.get(name);
      if (field) removeUnlisted(field, true);
    }
  }

  /** Mark fields as refused (or not). */
  setError(names: Iterable<string>, error: boolean): void {
    for (const name of names) {
      const state = this.states.get(name);
      if (!state) continue;
      state.error = error;
      state.message = undefined;
    }
  }

  /** Mark fields whose values the CRM backend refused, each with its message for the user. */
  setFieldErrors(errors: Readonly<Record<string, string>>): void {
    for (const [name, message] of Object.entries(errors)) {
      const state = this.states.get(name);
      if (!state) continue;
      state.error = true;
      state.message = message;
    }
  }

  /** The CRM backend's message about a field's value, while the field is marked refused. */
  errorMessage(name: string): string | undefined {
    const state = this.states.get(name);
    return state?.error ? state.message : undefined;
  }

  /** Put values back as the user's own changes (dirty), e.g. refused edits they restore. */
  restore(fields: Readonly<Fields>): void {
    for (const [name, value] of Object.entries(fields)) {
      const field = this.fields.get(name);
      if (!field) continue;
      writeField(field, value, this.options.controlled?.());
      this.touched(name);
    }
  }

  isDirty(name: string): boolean {
    return this.states.get(name)?.dirty ?? false;
  }

  hasError(name: string): boolean {
    return this.states.get(name)?.error ?? false;
  }

  dirtyNames(): string[] {
    return [...this.fields.keys()].filter((name) => this.isDirty(name));
  }

  /**
   * Changed fields whose controls fail their validation now, which a save on change leaves out.
   * Read from `validity`, which fires no `invalid` event, unlike `checkValidity`.
   */
  invalidDirtyNames(): string[] {
    const valid = (el: HTMLElement) => (el as HTMLInputElement).validity?.valid !== false;
    return this.dirtyNames().filter((name) => !this.fields.get(name)!.elements.every(valid));
  }

  /**
   * The fields that differ from what they were given now, read from the controls this moment (a
   * value a script or a framework set since is counted, with nothing recorded).
   */
  differing(): string[] {
    return [...this.fields.keys()].filter((name) => this.differs(name, this.fields.get(name)!));
  }

  /**
   * The field's controls read back something else than it was given, and that is a change: they
   * could show what they were given, or the user's own input reached them (see `shown`).
   */
  private differs(name: string, field: FieldBinding): boolean {
    const state = this.state(name);
    return (
      (state.shown || state.edited) &&
      !sameFieldValue(field, readField(field, state.given), state.given)
    );
  }

  /** Of `names`, the fields that changed with no `input` or `change` of the user's: set by script. */
  setByScript(names: Iterable<string>): string[] {
    return [...names].filter((name) => this.states.has(name) && !this.state(name).edited);
  }

  private state(name: string): FieldState {
    let state = this.states.get(name);
    if (!state) this.states.set(name, (state = fresh(undefined)));
    return state;
  }

  /** Write a value if the field shows another; record it as given (clean). True when written. */
  private give(field: FieldBinding, value: JsonValue, compare: boolean): boolean {
    const state = this.state(field.name);
    const differs = !compare || !sameFieldValue(field, readField(field, state.given), value);
    if (differs) {
      writeField(field, value, this.options.controlled?.());
      if (cannotShow(field, value)) this.options.cannotShow?.(field.name, value);
    }
    // Whether the controls read back what they were given: not when they could not show it (an
    // option the select lacks, text in a number input) or showed less of it (a date input given
    // an instant).
    state.shown = sameFieldValue(field, readField(field, value), value);
    state.given = value;
    state.dirty = state.edited = false;
    state.fromRecord = false;
    return differs;
  }
}

function isValid(el: HTMLElement): boolean {
  const check = (el as HTMLInputElement).checkValidity;
  return typeof check !== 'function' || check.call(el);
}
