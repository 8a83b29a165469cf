/**
 * Reading and writing field values as JSON, per field kind (see `FieldKind`). A value read from a
 * control keeps the type the entity stored where the text allows it: a text input showing a
 * stored number saves a number, an empty one showing a stored `null` saves `null`.
 *
 * A control may have no way to show a stored value (a `<select>` without that option, a radio
 * group without that choice, a number input given text). Such a value is never read back changed
 * by accident: a select shows it in a disabled option of the form's own (`data-crm-unlisted`), and
 * a checkbox group or multiple select keeps the items it has no control for in what it reads.
 */
import type { Fields } from '../../protocol/index.js';
import { sameJson } from '../../util/same-json.js';
import type { FieldBinding } from './form-fields.js';

export type JsonValue = Fields[string];

type Checkable = HTMLInputElement;

const ZONED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;
const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `2025-03-04T14:00:00Z` as the local `2025-03-04T15:00` a datetime-local input takes. */
function toLocalDateTime(value: string): string {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return '';
  return (
    `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}` +
    `T${pad(d.getHours())}:${pad(d.getMinutes())}`
  );
}

/** Text of a value for a text-like control. */
function asText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function asBoolean(value: unknown): boolean {
  if (typeof value === 'string') return !['', 'false', '0', 'off', 'no'].includes(value.trim());
  return Boolean(value);
}

function asList(value: unknown): string[] {
  if (value === null || value === undefined || value === '') return [];
  return (Array.isArray(value) ? value : [value]).map(asText);
}

/**
 * Text typed into a control, as the JSON type of `hint` (what the entity stored) where it fits:
 * a number stays a number, a boolean a boolean, an empty text of a `null` stays `null`.
 */
function typedText(text: string, hint: unknown): JsonValue {
  if (text === '' && (hint === null || hint === undefined)) return null;
  if (typeof hint === 'number' && text.trim() !== '' && Number.isFinite(Number(text))) {
    return Number(text);
  }
  if (typeof hint === 'boolean' && (text === 'true' || text === 'false')) return text === 'true';
  return text;
}

/** The field's value, as JSON. `hint` is the value the entity holds, for its type. */
export function readField(field: FieldBinding, hint?: unknown): JsonValue {
  const first = field.elements[0]!;
  switch (field.kind) {
    case 'text':
    case 'date':
    case 'select':
      return typedText((first as HTMLInputElement).value, hint);
    case 'number': {
      const input = first as HTMLInputElement;
      if (input.value.trim() === '') return null;
      const n = Number(input.value);
      return Number.isFinite(n) ? n : null;
    }
    case 'datetime-local': {
      const value = (first as HTMLInputElement).value;
      if (value === '') return null;
      // Saved back as it came: an instant with a zone when the stored value had one.
      if (typeof hint === 'string' && ZONED.test(hint)) {
        const d = new Date(value);
        return Number.isNaN(d.getTime()) ? value : d.toISOString();
      }
      return value;
    }
    case 'checkbox':
      return (first as Checkable).checked;
    case 'checkbox-group': {
      const checked = field.elements.filter((el) => (el as Checkable).checked).map(asValue);
      return [...checked, ...unlisted(hint, field.elements.map(asValue))];
    }
    case 'radio': {
      const checked = field.elements.find((el) => (el as Checkable).checked);
      return checked ? typedText(asValue(checked), hint ?? '') : null;
    }
    case 'select-multiple': {
      const select = first as HTMLSelectElement;
      const selected = [...select.selectedOptions].map((o) => o.value);
      return [
        ...selected,
        ...unlisted(
          hint,
          [...select.options].map((o) => o.value),
        ),
      ];
    }
    case 'custom': {
      const value = (first as unknown as { value?: unknown }).value;
      return value === undefined ? null : (JSON.parse(JSON.stringify(value)) as JsonValue);
    }
  }
}

const asValue = (el: HTMLElement) => (el as HTMLInputElement).value;

/** Items of a stored list (`hint`) that no checkbox or option of the control stands for. */
function unlisted(hint: unknown, shown: readonly string[]): JsonValue[] {
  if (!Array.isArray(hint)) return [];
  return (hint as JsonValue[]).filter((item) => !shown.includes(asText(item)));
}

/** Marks the disabled `<option>` the form adds to show a value the page's select has no option for. */
const UNLISTED = 'data-crm-unlisted';

/** Whether `node` is an option the form added to a select (see `UNLISTED`). */
export function isUnlistedOption(node: Node): boolean {
  return node instanceof HTMLOptionElement && node.hasAttribute(UNLISTED);
}

/**
 * Select `text` in a single select. A value none of the page's options has is shown in a disabled
 * option of the form's own at the end, rather than as a blank the user could take for "no value":
 * the user sees the stored value, can pick another, and cannot pick it back by mistake.
 */
function selectValue(select: HTMLSelectElement, text: string): void {
  let own = [...select.options].find(isUnlistedOption);
  const listed = [...select.options].some((o) => o !== own && o.value === text);
  if (listed || text === '') {
    own?.remove();
    select.value = text;
    return;
  }
  if (!own) {
    own = select.ownerDocument.createElement('option');
    own.setAttribute(UNLISTED, '');
    own.disabled = true;
    select.append(own);
  }
  own.value = text;
  own.textContent = text;
  own.selected = true;
}

/**
 * Take away the options the form added to the field's selects: all of them (the element leaves),
 * or those no longer selected (`unselected`: the field now holds one of the page's options).
 */
export function removeUnlisted(field: FieldBinding, unselected = false): void {
  if (field.kind !== 'select') return;
  for (const el of field.elements) {
    for (const option of [...(el as HTMLSelectElement).options]) {
      if (isUnlistedOption(option) && !(unselected && option.selected)) option.remove();
    }
  }
}

/**
 * Whether the field's controls have no way to show `value` (a select or radio group without that
 * choice, a checkbox or option missing for an item of a list, a number or date input given text
 * it cannot hold). Asked right after `writeField(field, value)`.
 */
export function cannotShow(field: FieldBinding, value: unknown): boolean {
  const first = field.elements[0] as HTMLSelectElement;
  const choices =
    field.kind === 'select' || field.kind === 'select-multiple'
      ? [...first.options].filter((o) => !isUnlistedOption(o)).map((o) => o.value)
      : field.kind === 'radio' || field.kind === 'checkbox-group'
        ? field.elements.map(asValue)
        : undefined;
  if (choices) return unlisted(asList(value), choices).length > 0;
  return /^(number|date)/.test(field.kind) && asText(value) !== '' && first.value === '';
}

/** Events the form dispatches itself (see `writeField`), which its own listeners ignore. */
const dispatched = new WeakSet<Event>();

/** Whether the form dispatched `event` itself, telling the page's framework what it wrote. */
export const isOwnEvent = (event: Event): boolean => dispatched.has(event);

/** What a control shows, to tell whether a write changed it. */
function shown(el: HTMLElement): string | boolean {
  if (el instanceof HTMLSelectElement) return [...el.options].map((o) => +o.selected).join('');
  const control = el as Checkable;
  return control.type === 'checkbox' || control.type === 'radio' ? control.checked : control.value;
}

/**
 * Show `value` in the field's controls. `controlled` (the page's framework binds their values:
 * React's `value=`, Vue's `v-model`, Angular's forms) writes as a user's typing would, so the
 * framework's state follows instead of putting its old value back on its next render: through
 * the element's class setter (React watches writes through the element's own, and would take
 * this one for its own render), then `input` and `change` on each control that changed, and
 * `click` first on a checkbox, or on the radio now chosen (React hears those by `click`; a radio
 * losing its check is told nothing, as when a user picks another, since Angular takes any
 * `change` of a radio as picking it).
 */
export function writeField(field: FieldBinding, value: unknown, controlled = false): void {
  const before = controlled ? field.elements.map(shown) : [];
  const set = (el: HTMLElement, key: 'value' | 'checked', to: string | boolean) => {
    let proto: object | null = el;
    let setter: ((v: unknown) => void) | undefined;
    while (controlled && !setter && (proto = Object.getPrototypeOf(proto))) {
      setter = Object.getOwnPropertyDescriptor(proto, key)?.set;
    }
    if (setter) setter.call(el, to);
    else (el as unknown as Record<string, unknown>)[key] = to;
  };
  write(field, value, set);
  field.elements.forEach((el, i) => {
    if (!controlled || shown(el) === before[i]) return;
    const checkable = field.kind === 'checkbox' || field.kind === 'checkbox-group';
    const types =
      checkable || (field.kind === 'radio' && (el as Checkable).checked)
        ? ['click', 'input', 'change']
        : field.kind === 'radio'
          ? []
          : ['input', 'change'];
    for (const type of types) {
      const event = new Event(type, { bubbles: true, composed: type !== 'change' });
      dispatched.add(event);
      el.dispatchEvent(event);
    }
  });
}

function write(
  field: FieldBinding,
  value: unknown,
  set: (el: HTMLElement, key: 'value' | 'checked', to: string | boolean) => void,
): void {
  const first = field.elements[0]!;
  switch (field.kind) {
    case 'text':
    case 'number':
      for (const el of field.elements) set(el, 'value', asText(value));
      return;
    case 'select':
      for (const el of field.elements) selectValue(el as HTMLSelectElement, asText(value));
      return;
    case 'date': {
      const text = asText(value);
      const local = ZONED.test(text) ? toLocalDateTime(text).slice(0, 10) : text.slice(0, 10);
      for (const el of field.elements) set(el, 'value', DATE.test(local) ? local : '');
      return;
    }
    case 'datetime-local': {
      const text = asText(value);
      const local = ZONED.test(text) ? toLocalDateTime(text) : text;
      for (const el of field.elements) {
        set(el, 'value', LOCAL_DATE_TIME.test(local) ? local.slice(0, 16) : '');
      }
      return;
    }
    case 'checkbox':
      for (const el of field.elements) set(el, 'checked', asBoolean(value));
      return;
    case 'checkbox-group': {
      const chosen = new Set(asList(value));
      for (const el of field.elements) set(el, 'checked', chosen.has(asValue(el)));
      return;
    }
    case 'radio': {
      const chosen = value === null || value === undefined ? undefined : asText(value);
      for (const el of field.elements) set(el, 'checked', asValue(el) === chosen);
      return;
    }
    case 'select-multiple': {
      const chosen = new Set(asList(value));
      for (const option of (first as HTMLSelectElement).options) {
        option.selected = chosen.has(option.value);
      }
      return;
    }
    case 'custom':
      for (const el of field.elements) (el as unknown as { value: unknown }).value = value ?? '';
      return;
  }
}

/**
 * A value as the field would show it, for comparisons: what reading the field right after
 * writing `value` would give (empty text and `null` are the same, list order does not matter).
 */
function canonical(field: FieldBinding, value: unknown): unknown {
  switch (field.kind) {
    case 'text':
    case 'select':
    case 'date':
      return asText(value);
    case 'number': {
      if (value === null || value === undefined || value === '') return null;
      const n = Number(value);
      return Number.isFinite(n) ? n : null;
    }
    case 'datetime-local': {
      const text = asText(value);
      return ZONED.test(text) ? toLocalDateTime(text) : text.slice(0, 16);
    }
    case 'checkbox':
      return asBoolean(value);
    case 'checkbox-group':
    case 'select-multiple':
      return [...new Set(asList(value))].sort();
    case 'radio':
      return value === null || value === undefined || value === '' ? null : asText(value);
    case 'custom':
      return value === undefined || value === '' ? null : value;
  }
}

/** Whether two values look the same in this field. */
export function sameFieldValue(field: FieldBinding, a: unknown, b: unknown): boolean {
  return sameJson(canonical(field, a), canonical(field, b));
}

/**
 * Controls sharing a name (not a radio or checkbox group) show one field: what `source` shows goes
 * into the others. The field is read from its first control, so without this what the user typed
 * into another would never be saved.
 */
export function mirror(field: FieldBinding, source: EventTarget | null): void {
  const from = source as HTMLSelectElement;
  if (!field.elements.includes(from) || field.kind === 'radio' || field.kind === 'checkbox-group') {
    return;
  }
  for (const el of field.elements as HTMLSelectElement[]) {
    if (el === from) continue;
    if (field.kind === 'select-multiple') {
      const chosen = [...from.selectedOptions].map((o) => o.value);
      for (const option of el.options) option.selected = chosen.includes(option.value);
    } else el.value = from.value;
  }
}
