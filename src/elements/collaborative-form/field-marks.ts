/**
 * Marks on the host page's own fields (light DOM), undone when the form lets go of them:
 *
 * - data attributes the kit styles and a page may restyle: `data-crm-editing` (someone else edits
 *   the field; its value names them), `data-crm-held` (someone changed it under the user's
 *   cursor), `data-crm-saving` (`pending` or `queued`), `data-crm-error` (a save was refused),
 *   `data-crm-conflict` (a save of it waits for the user's decision in a conflict),
 *   `data-crm-updated` (a remote change just arrived: a brief highlight); on the page's submit
 *   buttons, `data-crm-deleted` (the CRM deleted the record: dimmed, see submit-controls.ts);
 * - `--crm-editor-color` on the field: the colour of the person editing it;
 * - an accessible description (`aria-describedby`, added to any the field had) pointing at a
 *   hidden text inside the form: "Ben Carter is editing this field."
 * - a value the CRM's backend refused: its message, visible, right after the field (after its
 *   `<label>` when the label wraps it), as a `[data-crm-field-error]` element the field names in
 *   `aria-describedby`, and `aria-invalid="true"` on the field.
 *
 * The styles are one constructed sheet adopted once by the document (or the shadow root) that
 * holds the form, built from the kit's tokens so themes apply. Zero-specificity selectors would
 * lose to any page rule on inputs, so these are plain attribute selectors: a page overrides them
 * with a rule of its own on the same attribute. The rings hold on a focused field too (with
 * `:focus`, they outweigh a page's `.form-control:focus` glow, Bootstrap 3's, which took their
 * place exactly when the user is in a field someone else edits).
 */
import { token } from '../../styles/tokens.js';
import type { FieldBinding } from './form-fields.js';

/** What a field shows. */
export interface FieldMarkState {
  /** Names of the people editing it (others), first one's colour. */
  editors: readonly string[];
  editorColor: string | undefined;
  held: boolean;
  saving: 'pending' | 'queued' | undefined;
  error: boolean;
  /** A save of it conflicts and waits for the user's decision. */
  conflict: boolean;
  /** The accessible description, or `undefined` for none. */
  description: string | undefined;
  /** The CRM backend's message about the value, shown under the field; `undefined` for none. */
  message?: string | undefined;
}

const t = (name: Parameters<typeof token>[0]) => token(name).cssText;

/** The light-DOM sheet. `--crm-editor-color` comes from the field, set by the form. */
export const fieldMarksCss = `
/* The descriptions the fields name ("Ben Carter is editing this field."), hidden whatever the
   page's rules for spans say (a \`hidden\` attribute loses to any of them). */
[data-crm-field-note] {
  display: none !important;
}
[data-crm-field-error] {
  display: block;
  margin-block-start: 0.25rem;
  color: var(--crm-collaborative-form-error-text-color, ${t('color-danger-text')});
  font-size: 0.875em;
  line-height: 1.35;
}
/* The marks are for the screen: on paper a ring, a highlight or a dimmed button would say
   nothing, and the page's fields print their values as the page styles them. */
@media screen {
  [data-crm-saving], [data-crm-saving]:focus {
    box-shadow: 0 0 0 2px var(--crm-collaborative-form-saving-color, ${t('color-border')});
  }
  [data-crm-editing], [data-crm-editing]:focus {
    box-shadow: 0 0 0 2px var(--crm-editor-color, ${t('color-accent')});
  }
  [data-crm-held], [data-crm-held]:focus {
    box-shadow: 0 0 0 2px var(--crm-collaborative-form-held-color, ${t('color-warning')});
  }
  [data-crm-error], [data-crm-conflict], [data-crm-error]:focus, [data-crm-conflict]:focus {
    box-shadow: 0 0 0 2px var(--crm-collaborative-form-error-color, ${t('color-danger')});
  }
  /* A fieldset's box starts at its legend's top: a ring would cut through the legend, so its own
     border takes the colour instead. */
  fieldset[data-crm-editing] {
    box-shadow: none;
    border-color: var(--crm-editor-color, ${t('color-accent')});
  }
  fieldset[data-crm-held] {
    box-shadow: none;
    border-color: var(--crm-collaborative-form-held-color, ${t('color-warning')});
  }
  fieldset[data-crm-error],
  fieldset[data-crm-conflict] {
    box-shadow: none;
    border-color: var(--crm-collaborative-form-error-color, ${t('color-danger')});
  }
  fieldset[data-crm-saving] {
    box-shadow: none;
  }
  /* A text field the user may not change (locked \`readonly\` by the form): a readonly input looks
     exactly like an editable one, so it takes the sunken surface and muted text a disabled select
     beside it has. As specific as a page's \`.form input:not([type=checkbox])\` (this sheet comes
     later, so it wins the tie); a page restyles it with a rule on the same attribute. */
  :is(input, textarea)[data-crm-readonly][readonly] {
    background-color: var(--crm-collaborative-form-readonly-background, ${t('color-surface-sunken')});
    color: var(--crm-collaborative-form-readonly-color, ${t('color-text-muted')});
  }
  /* A submit button of a record the CRM deleted (aria-disabled too): pressing it saves nothing. */
  [data-crm-deleted] {
    opacity: 0.55;
    cursor: not-allowed;
  }
  @keyframes crm-field-updated {
    from {
      background-color: var(--crm-collaborative-form-highlight, ${t('color-warning-subtle')});
    }
  }
  @keyframes crm-field-updated-again {
    from {
      background-color: var(--crm-collaborative-form-highlight, ${t('color-warning-subtle')});
    }
  }
  [data-crm-updated] {
    animation: crm-field-updated var(--crm-collaborative-form-highlight-duration, 1.6s)
      ${t('easing-standard')};
  }
  [data-crm-updated='again'] {
    animation-name: crm-field-updated-again;
  }
  @media (prefers-reduced-motion: reduce) {
    [data-crm-updated] {
      animation: none;
    }
  }
}
`;

const adopted = new WeakSet<Document | ShadowRoot>();

/** Adopt the marks sheet into the root that holds `node`, once per root. */
export function installFieldMarks(node: Node): void {
  const root = node.getRootNode();
  if (!(root instanceof Document || root instanceof ShadowRoot) || adopted.has(root)) return;
  adopted.add(root);
  const doc = root instanceof Document ? root : root.ownerDocument;
  const view = doc.defaultView;
  if (view && 'adoptedStyleSheets' in root && 'replaceSync' in view.CSSStyleSheet.prototype) {
    const sheet = new view.CSSStyleSheet();
    sheet.replaceSync(fieldMarksCss);
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
    return;
  }
  const style = doc.createElement('style');
  style.dataset['crmFieldMarks'] = '';
  style.textContent = fieldMarksCss;
  (root instanceof Document ? (root.head ?? root.documentElement) : root).append(style);
}

const MARK_ATTRIBUTES = [
  'data-crm-editing',
  'data-crm-held',
  'data-crm-saving',
  'data-crm-error',
  'data-crm-conflict',
] as const;

let counter = 0;

/** The marks one form puts on its fields; `clear()` takes every one of them away. */
export class FieldMarks {
  private readonly prefix = `crm-field-note-${++counter}`;
  /** Anchors marked, with the colour we set. */
  private readonly anchors = new Set<HTMLElement>();
  /** Description elements by field name. */
  private readonly notes = new Map<string, HTMLElement>();
  /** Controls whose `aria-describedby` holds one of our ids, with that id. */
  private readonly described = new Map<HTMLElement, string>();
  private readonly highlights = new Map<HTMLElement, unknown>();
  /** Visible messages of refused values by field name. */
  private readonly errors = new Map<string, HTMLElement>();
  /** Controls we marked `aria-invalid`, with the value they had before (null: none). */
  private readonly invalid = new Map<HTMLElement, { id: string; before: string | null }>();

  constructor(
    /** Where the hidden descriptions live (the form element, in the light DOM). */
    private readonly owner: HTMLElement,
    private readonly timers: {
      setTimeout(fn: () => void, ms: number): unknown;
      clearTimeout(handle: unknown): void;
    },
  ) {}

  /** Whether a node is one of the hidden descriptions (mutation records about them are ours). */
  isOwnNode(node: Node): boolean {
    return (
      node instanceof HTMLElement &&
      (node.hasAttribute('data-crm-field-note') || node.hasAttribute('data-crm-field-error'))
    );
  }

  /** Show `states` on `fields`; fields with no entry lose every mark. */
  update(
    fields: ReadonlyMap<string, FieldBinding>,
    states: ReadonlyMap<string, FieldMarkState>,
  ): void {
    const marked = new Set<HTMLElement>();
    for (const [name, field] of fields) {
      const state = states.get(name);
      if (state) marked.add(field.anchor);
      this.markAnchor(field.anchor, state);
      this.describe(name, field, state?.description);
      this.showError(name, field, state?.message);
    }
    for (const name of [...this.errors.keys()]) if (!fields.has(name)) this.dropError(name);
    for (const [el] of this.invalid) {
      const name = el.getAttribute('name');
      const field = name ? fields.get(name) : undefined;
      if (!field || !field.elements.includes(el) || !this.errors.has(field.name)) this.valid(el);
    }
    for (const anchor of this.anchors) if (!marked.has(anchor)) this.markAnchor(anchor, undefined);
    for (const name of [...this.notes.keys()]) if (!fields.has(name)) this.dropNote(name);
    for (const [el] of this.described) {
      const name = el.getAttribute('name');
      const field = name ? fields.get(name) : undefined;
      if (!field || !field.elements.includes(el)) this.undescribe(el);
    }
  }

  /**
   * A brief highlight of a field that just changed remotely. A change arriving while the field
   * is still highlighted starts the highlight over: the attribute's value alternates between two
   * copies of the keyframes, and a new animation name restarts the animation. Taking the
   * attribute off and on again would need the page's layout computed in between, on every change
   * that lands during a highlight, in the task that shows the change.
   */
  highlight(field: FieldBinding, ms: number): void {
    const anchor = field.anchor;
    const running = this.highlights.get(anchor);
    if (running !== undefined) this.timers.clearTimeout(running);
    const again = running !== undefined && anchor.getAttribute('data-crm-updated') !== 'again';
    anchor.setAttribute('data-crm-updated', again ? 'again' : '');
    this.highlights.set(
      anchor,
      this.timers.setTimeout(() => {
        anchor.removeAttribute('data-crm-updated');
        this.highlights.delete(anchor);
      }, ms),
    );
  }

  /** Take every mark away (the form left the page or let go of the fields). */
  clear(): void {
    for (const anchor of [...this.anchors]) this.markAnchor(anchor, undefined);
    for (const name of [...this.notes.keys()]) this.dropNote(name);
    for (const el of [...this.described.keys()]) this.undescribe(el);
    for (const name of [...this.errors.keys()]) this.dropError(name);
    for (const el of [...this.invalid.keys()]) this.valid(el);
    for (const [anchor, handle] of this.highlights) {
      this.timers.clearTimeout(handle);
      anchor.removeAttribute('data-crm-updated');
    }
    this.highlights.clear();
  }

  private markAnchor(anchor: HTMLElement, state: FieldMarkState | undefined): void {
    // Nothing to show on a field never marked: no DOM calls (every field, on every update).
    if (!state && !this.anchors.has(anchor)) return;
    const wanted: Record<(typeof MARK_ATTRIBUTES)[number], string | undefined> = {
      'data-crm-editing': state?.editors.length ? state.editors.join(', ') : undefined,
      'data-crm-held': state?.held ? '' : undefined,
      'data-crm-saving': state?.saving,
      'data-crm-error': state?.error ? '' : undefined,
      'data-crm-conflict': state?.conflict ? '' : undefined,
    };
    for (const attribute of MARK_ATTRIBUTES) {
      const value = wanted[attribute];
      if (value === undefined) anchor.removeAttribute(attribute);
      else if (anchor.getAttribute(attribute) !== value) anchor.setAttribute(attribute, value);
    }
    const color = state?.editors.length ? state.editorColor : undefined;
    if (color) {
      if (anchor.style.getPropertyValue('--crm-editor-color') !== color) {
        anchor.style.setProperty('--crm-editor-color', color);
      }
    } else if (this.anchors.has(anchor)) {
      anchor.style.removeProperty('--crm-editor-color');
      if (anchor.getAttribute('style') === '') anchor.removeAttribute('style');
    }
    if (state) this.anchors.add(anchor);
    else this.anchors.delete(anchor);
  }

  private describe(name: string, field: FieldBinding, text: string | undefined): void {
    if (!text) {
      for (const el of field.elements) this.undescribe(el);
      this.dropNote(name);
      return;
    }
    let note = this.notes.get(name);
    if (!note) {
      note = this.owner.ownerDocument.createElement('span');
      note.id = `${this.prefix}-${this.notes.size + 1}-${name.replace(/[^A-Za-z0-9_-]/g, '_')}`;
      note.hidden = true;
      note.setAttribute('data-crm-field-note', name);
      this.owner.append(note);
      this.notes.set(name, note);
    }
    if (note.textContent !== text) note.textContent = text;
    for (const el of field.elements) {
      if (this.described.get(el) === note.id) continue;
      this.undescribe(el);
      const ids = (el.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean);
      el.setAttribute('aria-describedby', [...ids, note.id].join(' '));
      this.described.set(el, note.id);
    }
  }

  private undescribe(el: HTMLElement): void {
    const id = this.described.get(el);
    if (id === undefined) return;
    this.described.delete(el);
    const ids = (el.getAttribute('aria-describedby') ?? '')
      .split(/\s+/)
      .filter((x) => x && x !== id);
    if (ids.length) el.setAttribute('aria-describedby', ids.join(' '));
    else el.removeAttribute('aria-describedby');
  }

  /** The backend's message under the field, named by its `aria-describedby`; none: taken away. */
  private showError(name: string, field: FieldBinding, message: string | undefined): void {
    if (!message) {
      for (const el of field.elements) this.valid(el);
      this.dropError(name);
      return;
    }
    // After the field, or after a label that wraps it (inside, it would join the field's name).
    const anchor = field.anchor;
    const after = anchor.parentElement?.localName === 'label' ? anchor.parentElement : anchor;
    let note = this.errors.get(name);
    if (!note) {
      note = this.owner.ownerDocument.createElement('span');
      note.id = `${this.prefix}-error-${this.errors.size + 1}-${name.replace(/[^A-Za-z0-9_-]/g, '_')}`;
      note.setAttribute('data-crm-field-error', name);
      this.errors.set(name, note);
    }
    if (after.nextElementSibling !== note) after.after(note);
    if (note.textContent !== message) note.textContent = message;
    for (const el of field.elements) {
      if (this.invalid.has(el)) continue;
      this.invalid.set(el, { id: note.id, before: el.getAttribute('aria-invalid') });
      el.setAttribute('aria-invalid', 'true');
      const ids = (el.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean);
      el.setAttribute('aria-describedby', [note.id, ...ids].join(' '));
    }
  }

  /** Undo `aria-invalid` and the message's `aria-describedby` entry on one control. */
  private valid(el: HTMLElement): void {
    const marked = this.invalid.get(el);
    if (!marked) return;
    this.invalid.delete(el);
    if (marked.before === null) el.removeAttribute('aria-invalid');
    else el.setAttribute('aria-invalid', marked.before);
    const ids = (el.getAttribute('aria-describedby') ?? '')
      .split(/\s+/)
      .filter((x) => x && x !== marked.id);
    if (ids.length) el.setAttribute('aria-describedby', ids.join(' '));
    else el.removeAttribute('aria-describedby');
  }

  private dropError(name: string): void {
    this.errors.get(name)?.remove();
    this.errors.delete(name);
  }

  private dropNote(name: string): void {
    this.notes.get(name)?.remove();
    this.notes.delete(name);
  }
}
