/**
 * Read-only fields of `<crm-collaborative-form>`: the fields the server says this user may not
 * change (`LiveDataSnapshot.readOnly`, from the token's permissions or the CRM's authorization
 * callback) are locked in the page's own form, and their labels say why to screen readers.
 *
 * - Text-like inputs and textareas get `readonly` (still focusable, selectable and submitted with
 *   the page's form); checkboxes, radios, selects and custom controls, which have no read-only
 *   state, get `disabled` (a disabled control is not submitted by a native form post).
 * - Each `<label>` of the field gets a visually hidden text ("read only: you may not change this
 *   field"), so the field's accessible name says why it cannot be edited.
 * - Only what this module set is undone: a field the page made read-only itself stays so.
 */
import type { FieldBinding } from './form-fields.js';

/** Marks the hidden note inside a label, so it is found and removed again. */
const NOTE_ATTRIBUTE = 'data-crm-readonly-note';
/** On a control locked by the form (the page's own `readonly`/`disabled` is left alone). */
export const LOCKED_ATTRIBUTE = 'data-crm-readonly';

function lockable(el: HTMLElement): el is HTMLInputElement | HTMLTextAreaElement {
  if (el instanceof HTMLTextAreaElement) return true;
  if (!(el instanceof HTMLInputElement)) return false;
  return !['checkbox', 'radio', 'range', 'color'].includes(el.type);
}

/** Visually hidden by CSSOM properties (allowed under a strict CSP, unlike a style attribute). */
function hide(note: HTMLElement): void {
  const s = note.style;
  s.position = 'absolute';
  s.width = '1px';
  s.height = '1px';
  s.margin = '-1px';
  s.padding = '0';
  s.overflow = 'hidden';
  s.clipPath = 'inset(50%)';
  s.whiteSpace = 'nowrap';
  s.border = '0';
}

export class FieldLocks {
  /** Locked controls, with how to undo the lock. */
  private readonly locked = new Map<HTMLElement, 'readonly' | 'disabled'>();
  private readonly notes = new Set<HTMLElement>();
  private key = '';

  /** Locks exactly the fields named in `readOnly` (by their bindings); `why` goes in the labels. */
  apply(fields: ReadonlyMap<string, FieldBinding>, readOnly: readonly string[], why: string): void {
    const controls = new Set<HTMLElement>();
    for (const name of readOnly) {
      for (const el of fields.get(name)?.elements ?? []) controls.add(el);
    }
    const key = `${why}\n${[...controls].length}\n${readOnly.join('\n')}`;
    if (key === this.key && [...controls].every((el) => this.locked.has(el))) return;
    this.key = key;
    for (const el of [...this.locked.keys()]) if (!controls.has(el)) this.unlock(el);
    for (const note of [...this.notes]) {
      note.remove();
      this.notes.delete(note);
    }
    for (const el of controls) {
      this.lock(el);
      this.label(el, why);
    }
  }

  /** Undoes every lock (the element left the page, or the record changed). */
  clear(): void {
    for (const el of [...this.locked.keys()]) this.unlock(el);
    for (const note of this.notes) note.remove();
    this.notes.clear();
    this.key = '';
  }

  private lock(el: HTMLElement): void {
    if (this.locked.has(el)) return;
    if (lockable(el)) {
      if (el.readOnly) return; // the page's own
      el.readOnly = true;
      this.locked.set(el, 'readonly');
    } else {
      if ((el as HTMLInputElement).disabled === true || el.hasAttribute('disabled')) return;
      el.setAttribute('disabled', '');
      this.locked.set(el, 'disabled');
    }
    el.setAttribute(LOCKED_ATTRIBUTE, '');
  }

  private unlock(el: HTMLElement): void {
    const how = this.locked.get(el);
    this.locked.delete(el);
    el.removeAttribute(LOCKED_ATTRIBUTE);
    if (how === 'readonly') (el as HTMLInputElement).readOnly = false;
    else if (how === 'disabled') el.removeAttribute('disabled');
  }

  private label(el: HTMLElement, why: string): void {
    const labels = (el as HTMLInputElement).labels;
    if (!labels) return;
    for (const label of labels) {
      const note = el.ownerDocument.createElement('span');
      note.setAttribute(NOTE_ATTRIBUTE, '');
      note.textContent = ` (${why})`;
      hide(note);
      label.append(note);
      this.notes.add(note);
    }
  }
}
