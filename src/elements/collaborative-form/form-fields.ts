/**
 * Field discovery for `<crm-collaborative-form>`: the named controls of the host page's own form,
 * grouped by `name` (a radio group or a set of checkboxes is one field), each with the kind that
 * decides how its value is read and written, and the element marks and badges attach to.
 */
import { cssEscape } from '../shared/css-escape.js';

/**
 * How a field's value maps to JSON:
 * - `text`: `<input>` of a text-like type (text, email, tel, url, search, time, month, week,
 *   color), `<textarea>`: a string;
 * - `number`: `<input type=number|range>`: a number, `null` when empty;
 * - `date`: `<input type=date>`: `YYYY-MM-DD`;
 * - `datetime-local`: an ISO date-time; a value with a zone (`…Z`) is shown in local time and
 *   saved back with a zone;
 * - `checkbox`: one checkbox of its name: a boolean;
 * - `checkbox-group`: several checkboxes sharing a name: the array of checked values;
 * - `radio`: the checked value, `null` when none;
 * - `select` / `select-multiple`: the selected value / the array of selected values;
 * - `custom`: a form-associated custom element: its `value` property, as it is.
 */
export type FieldKind =
  | 'text'
  | 'number'
  | 'date'
  | 'datetime-local'
  | 'checkbox'
  | 'checkbox-group'
  | 'radio'
  | 'select'
  | 'select-multiple'
  | 'custom';

/** One field of the form: every control named `name`, read and written together. */
export interface FieldBinding {
  readonly name: string;
  readonly kind: FieldKind;
  readonly elements: readonly HTMLElement[];
  /**
   * Where marks and badges attach: the control itself, or for a radio or checkbox group the
   * `<fieldset>` around all of it (else its first control).
   */
  readonly anchor: HTMLElement;
}

/** Field names the protocol accepts (entity field names). */
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/;

/** Input types that hold no field value (or must never be shared: passwords, files). */
const SKIPPED_INPUTS = new Set([
  'button',
  'file',
  'hidden',
  'image',
  'password',
  'reset',
  'submit',
]);

const warnedNames = new Set<string>();

/** Whether `el` is a form-associated custom element (defined and upgraded). */
export function isFormAssociated(el: Element): boolean {
  if (!el.localName.includes('-')) return false;
  const ctor = el.constructor as { formAssociated?: unknown };
  return ctor.formAssociated === true;
}

/** A custom element with a `name` that is not defined yet: it may turn out form-associated. */
export function isUndefinedCustom(el: Element): boolean {
  return el.localName.includes('-') && customElements.get(el.localName) === undefined;
}

function kindOf(el: Element): FieldKind | undefined {
  if (el instanceof HTMLInputElement) {
    const type = el.type;
    if (SKIPPED_INPUTS.has(type)) return undefined;
    if (type === 'number' || type === 'range') return 'number';
    if (type === 'checkbox') return 'checkbox';
    if (type === 'radio') return 'radio';
    if (type === 'date') return 'date';
    if (type === 'datetime-local') return 'datetime-local';
    return 'text';
  }
  if (el instanceof HTMLTextAreaElement) return 'text';
  if (el instanceof HTMLSelectElement) return el.multiple ? 'select-multiple' : 'select';
  if (isFormAssociated(el)) return 'custom';
  return undefined;
}

/** Whether a control is one the form takes: named, of a kind it knows, not opted out. */
function eligible(el: Element): el is HTMLElement {
  const name = el.getAttribute('name');
  if (!name || !(el instanceof HTMLElement)) return false;
  if (el.closest('[data-crm-ignore]')) return false;
  return kindOf(el) !== undefined;
}

export interface DiscoverOptions {
  /** The `<crm-collaborative-form>`: controls inside a nested one belong to that one. */
  owner: Element;
  /** A `<form>` outside the owner whose controls also count (`form-id`). */
  form?: HTMLFormElement | undefined;
  /** Told once per page about a name that is not a valid entity field name. */
  warn?: (message: string) => void;
}

/** The fields under `owner` (and of `form`), by name, in document order. */
export function discoverFields({ owner, form, warn }: DiscoverOptions): Map<string, FieldBinding> {
  const controls: HTMLElement[] = [];
  const seen = new Set<Element>();
  const take = (el: Element) => {
    if (seen.has(el) || !eligible(el)) return;
    // A nested collaborative form owns its own controls.
    const nearest = el.parentElement?.closest('crm-collaborative-form') ?? undefined;
    if (nearest !== owner && owner.contains(el)) return;
    seen.add(el);
    controls.push(el);
  };
  for (const el of owner.querySelectorAll('[name]')) take(el);
  if (form && !owner.contains(form)) for (const el of form.elements) take(el);

  const byName = new Map<string, HTMLElement[]>();
  for (const el of controls) {
    const name = el.getAttribute('name')!;
    if (!FIELD_NAME.test(name)) {
      if (!warnedNames.has(name)) {
        warnedNames.add(name);
        warn?.(
          `ignores the field "${name}": a field name is a letter or _, then letters, digits, ` +
            '_ . or - (at most 128).',
        );
      }
      continue;
    }
    let list = byName.get(name);
    if (!list) byName.set(name, (list = []));
    list.push(el);
  }

  const fields = new Map<string, FieldBinding>();
  for (const [name, elements] of byName) {
    let kind = kindOf(elements[0]!)!;
    // Controls of another kind under the same name are left alone (the first decides).
    const same = elements.filter((el) => {
      const k = kindOf(el);
      return k === kind || (kind === 'checkbox' && k === 'checkbox');
    });
    if (kind === 'checkbox' && same.length > 1) kind = 'checkbox-group';
    const grouped = kind === 'radio' || kind === 'checkbox-group';
    fields.set(name, {
      name,
      kind,
      elements: same,
      anchor: grouped ? groupAnchor(same, owner) : same[0]!,
    });
  }
  return fields;
}

/** The `<fieldset>` holding every control of a group, inside the owner; else the first control. */
function groupAnchor(elements: readonly HTMLElement[], owner: Element): HTMLElement {
  const first = elements[0]!;
  let fieldset = first.closest('fieldset');
  while (fieldset && owner.contains(fieldset)) {
    const holder = fieldset;
    if (elements.every((el) => holder.contains(el))) return holder;
    fieldset = holder.parentElement?.closest('fieldset') ?? null;
  }
  return first;
}

/** The field a control (or an event's target) belongs to. */
/**
 * The `<form>` a form element takes: the one with `formId` in its document or shadow root, else the
 * first form inside it that no nested form element owns. `warn` hears of an id that names no form.
 */
export function formOf(
  owner: HTMLElement,
  formId: string,
  warn: (message: string) => void,
): HTMLFormElement | undefined {
  if (formId) {
    const root = owner.getRootNode() as Document | ShadowRoot;
    const found = root.getElementById?.(formId);
    if (found instanceof HTMLFormElement) return found;
    warn(`found no <form id="${formId}">.`);
  }
  for (const form of owner.querySelectorAll('form')) {
    if (form.parentElement?.closest('crm-collaborative-form') === owner) return form;
  }
  return undefined;
}

export function fieldOf(
  fields: ReadonlyMap<string, FieldBinding>,
  target: EventTarget | null,
): FieldBinding | undefined {
  if (!(target instanceof Element)) return undefined;
  const name = target.getAttribute('name');
  const field = name ? fields.get(name) : undefined;
  return field && field.elements.includes(target as HTMLElement) ? field : undefined;
}

/**
 * A label's text without the read-only note the form adds to it (`field-locks.ts`). Comments are
 * not text: Lit, Vue and Angular leave them in what they render, as anchors for their bindings.
 */
function labelText(label: HTMLLabelElement): string {
  let text = '';
  for (const node of label.childNodes) {
    if (node instanceof Element && node.hasAttribute('data-crm-readonly-note')) continue;
    if (node instanceof Element || node instanceof Text) text += node.textContent;
  }
  return text.trim();
}

/**
 * The field's label, as a sighted user reads it: the text of its `<label>`s (or the group's
 * `<legend>`), else its `aria-label`; `undefined` when it has none.
 */

export function labelOf(field: FieldBinding): string | undefined {
  const anchor = field.anchor;
  if (anchor instanceof HTMLFieldSetElement) {
    const legend = anchor.querySelector(':scope > legend')?.textContent?.trim();
    if (legend) return legend;
  }
  const el = field.elements[0]!;
  const labels = (el as HTMLInputElement).labels;
  const fromLabels = labels ? [...labels].map(labelText).filter(Boolean).join(' ') : '';
  if (fromLabels) return fromLabels;
  if (el.id) {
    const root = el.getRootNode() as Document | ShadowRoot;
    const label = root.querySelector?.(`label[for="${cssEscape(el.id)}"]`)?.textContent?.trim();
    if (label) return label;
  }
  return el.getAttribute('aria-label')?.trim() || undefined;
}
