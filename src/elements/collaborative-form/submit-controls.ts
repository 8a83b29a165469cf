/**
 * The page's submit controls while the form cannot save (the CRM deleted its record): marked
 * inactive, not taken away.
 *
 * - Each submit button of the form (`<button>` of type submit, `<input type="submit">` or
 *   `type="image">`, inside the form or naming it with `form=`) gets `aria-disabled="true"`, so a
 *   screen reader says it is unavailable, and `data-crm-deleted`, which the kit's light-DOM sheet
 *   dims (a page restyles it with a rule on the same attribute).
 * - Not `disabled`: a disabled button leaves the tab order, drops the focus of a user on it, and
 *   neither its press nor Enter in a field submits at all, so nobody could be told why nothing
 *   happens. Marked this way, a press still reaches the form, which says why.
 * - Undone exactly when the form can save again (another record, the element leaves): the
 *   `aria-disabled` a control had is put back, unless the page changed it meanwhile.
 */

/** On a submit control the form marked inactive because its record was deleted. */
export const DELETED_ATTRIBUTE = 'data-crm-deleted';

function isSubmit(el: Element): el is HTMLButtonElement | HTMLInputElement {
  if (el instanceof HTMLButtonElement) return el.type === 'submit';
  return el instanceof HTMLInputElement && (el.type === 'submit' || el.type === 'image');
}

/** The controls that submit `form`, wherever they are in its document. */
export function submitControls(form: HTMLFormElement): HTMLElement[] {
  const found = new Set<HTMLElement>();
  for (const el of form.elements) if (isSubmit(el)) found.add(el);
  // `form.elements` leaves image buttons out.
  const root = form.getRootNode() as Document | ShadowRoot;
  for (const el of root.querySelectorAll<HTMLInputElement>('input[type="image" i]')) {
    if (el.form === form) found.add(el);
  }
  return [...found];
}

export class SubmitControls {
  /** Marked controls, with the `aria-disabled` each had before (null: none). */
  private readonly marked = new Map<HTMLElement, string | null>();

  /** Mark the submit controls of `form` while `inactive`; undo the rest. */
  update(form: HTMLFormElement | undefined, inactive: boolean): void {
    if (!inactive && this.marked.size === 0) return;
    const controls = new Set(inactive && form ? submitControls(form) : []);
    for (const el of [...this.marked.keys()]) if (!controls.has(el)) this.unmark(el);
    for (const el of controls) this.mark(el);
  }

  /** Undo every mark (the element left the page). */
  clear(): void {
    this.update(undefined, false);
  }

  private mark(el: HTMLElement): void {
    if (this.marked.has(el)) return;
    this.marked.set(el, el.getAttribute('aria-disabled'));
    el.setAttribute('aria-disabled', 'true');
    el.setAttribute(DELETED_ATTRIBUTE, '');
  }

  private unmark(el: HTMLElement): void {
    const before = this.marked.get(el)!;
    this.marked.delete(el);
    el.removeAttribute(DELETED_ATTRIBUTE);
    // The page set it itself since: its value stays.
    if (el.getAttribute('aria-disabled') !== 'true') return;
    if (before === null) el.removeAttribute('aria-disabled');
    else el.setAttribute('aria-disabled', before);
  }
}
