/**
 * What the user does in the page's form, as `<crm-collaborative-form>` hears it, on itself and on
 * a `form-id` form outside it:
 * - focus: the field the user is in, and what presence says they do ("editing <field>" while the
 *   focus is in a field, "viewing" once it left them all; moving from one field to the next never
 *   says "viewing" in between);
 * - input and change: a field's dirty state; with `save-mode="change"`, a save shortly after;
 * - submit and reset, heard while capturing: a live form saves instead of submitting (checking
 *   the page's constraints on what it sends, see `hold`), and a reset shows the live record again
 *   instead of the HTML defaults.
 */
import type { Activity } from '../../client/types.js';
import type { Clock } from '../../util/clock.js';
import type { FieldSync } from './field-sync.js';
import { isOwnEvent, mirror } from './field-values.js';
import { fieldOf, type FieldBinding } from './form-fields.js';

export interface FormInputOptions {
  /** The `<form>` the element takes. */
  readonly form: () => HTMLFormElement | undefined;
  /** The form saves through a live entity (else it is a plain form that submits as before). */
  readonly isLive: () => boolean;
  /** `save-mode="change"`: save this many ms after a change; undefined: save on submit only. */
  readonly saveDelay: () => number | undefined;
  readonly clock: () => Clock;
  readonly save: () => void;
  /**
   * A submit cannot save now (the record was deleted): says why and returns true; the submit is
   * then still the element's, with no check of the fields (nothing is sent).
   */
  readonly refuse: () => boolean;
  /** The form was reset (and the reset has run). */
  readonly reset: () => void;
  /** Tell the room what this user does. */
  readonly setActivity: (activity: Activity) => void;
  /** The focused field or a dirty state changed. */
  readonly changed: () => void;
}

export class FormInput {
  /** The field the user is in. */
  focused: FieldBinding | undefined;
  /** What presence was last told: `editing:<field>` or `viewing`. */
  private activity = '';
  private autosave: unknown;
  /** A `form-id` form outside the element, whose events it also listens to. */
  private outsideForm: HTMLFormElement | undefined;
  /** The form whose validation on submit the element turned off (none where the page did). */
  private held: HTMLFormElement | undefined;

  constructor(
    private readonly host: HTMLElement,
    private readonly sync: FieldSync,
    private readonly options: FormInputOptions,
  ) {}

  connect(): void {
    this.listen(this.host, true);
  }

  disconnect(): void {
    this.listen(this.host, false);
    this.follow(undefined);
    this.hold(false);
    // The save planned after the last change stays: the element may only be moving (a framework
    // re-parenting it), and if it left, its leaving saves that change now and cancels the plan.
    this.focused = undefined;
    this.activity = '';
  }

  /** The form's fields changed: listen to its form, and forget a focused field that is gone. */
  fieldsChanged(fields: ReadonlyMap<string, FieldBinding>): void {
    this.follow(this.options.form());
    if (this.focused && !fields.has(this.focused.name)) this.focused = undefined;
  }

  /** A save is made now: the one planned after the last change is not needed. */
  cancelAutosave(): void {
    this.options.clock().clearTimeout(this.autosave);
  }

  /**
   * While the form saves live (`live`), the browser does not validate the whole form on submit
   * (`noValidate`): a value the CRM stored that breaks the page's constraints, in a field the user
   * never touched, would block every save and be pointed at. The submit checks the changed fields
   * instead (`onSubmit`). A plain form validates as the page made it, and the form is given back
   * (`noValidate` false again) when the element leaves or takes another form.
   */
  hold(live: boolean): void {
    const form = live ? this.options.form() : undefined;
    if (form === this.held) return;
    if (this.held) this.held.noValidate = false;
    // A form the page made `novalidate` is left as it is: the page wants no check.
    this.held = form?.noValidate ? undefined : form;
    if (this.held) this.held.noValidate = true;
  }

  /** Also listen on the form the element takes, when it is outside the element. */
  private follow(form: HTMLFormElement | undefined): void {
    const outside = form && !this.host.contains(form) ? form : undefined;
    if (outside === this.outsideForm) return;
    if (this.outsideForm) this.listen(this.outsideForm, false);
    this.outsideForm = outside;
    if (outside) this.listen(outside, true);
  }

  private listen(target: EventTarget, on: boolean): void {
    const method = on ? target.addEventListener : target.removeEventListener;
    method.call(target, 'focusin', this.onFocusIn as EventListener);
    method.call(target, 'focusout', this.onFocusOut as EventListener);
    method.call(target, 'input', this.onInput);
    method.call(target, 'change', this.onChange);
    method.call(target, 'submit', this.onSubmit as EventListener, { capture: true });
    method.call(target, 'reset', this.onReset, { capture: true });
  }

  private onFocusIn = (event: FocusEvent): void => {
    const field = fieldOf(this.sync.fields, event.target);
    if (!field) return;
    this.focused = field;
    this.setActivity(`editing:${field.name}`);
    this.options.changed();
  };

  private onFocusOut = (event: FocusEvent): void => {
    const field = fieldOf(this.sync.fields, event.target);
    if (!field || field !== this.focused) return;
    if (fieldOf(this.sync.fields, event.relatedTarget) === field) return;
    this.focused = undefined;
    // Moving to another field sets "editing" again in the same task: say "viewing" only if not.
    queueMicrotask(() => {
      if (!this.focused) this.setActivity('viewing');
    });
    this.options.changed();
  };

  // What the form wrote and told the page's framework (`controlled`) is not the user's change.
  private onInput = (event: Event): void => {
    if (isOwnEvent(event)) return;
    const field = fieldOf(this.sync.fields, event.target);
    if (field) mirror(field, event.target);
    if (field && this.sync.touched(field.name)) this.options.changed();
  };

  private onChange = (event: Event): void => {
    if (isOwnEvent(event)) return;
    const field = fieldOf(this.sync.fields, event.target);
    if (!field) return;
    mirror(field, event.target);
    if (this.sync.touched(field.name)) this.options.changed();
    const delay = this.options.saveDelay();
    if (delay !== undefined && this.options.isLive()) {
      const clock = this.options.clock();
      clock.clearTimeout(this.autosave);
      this.autosave = clock.setTimeout(() => this.options.save(), Math.max(0, delay));
    }
  };

  private onSubmit = (event: SubmitEvent): void => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || form !== this.options.form()) return;
    // Not connected (no provider, no entity, or it cannot be read): the page's submit goes on.
    if (!this.options.isLive()) return;
    event.preventDefault();
    if (this.options.refuse()) return;
    // The changed fields, which it sends, are checked as the browser would have checked the form
    // (the first invalid one reported), unless the page or the button opted out (or the browser
    // checked the whole form: the element had not taken it yet).
    const submitter = event.submitter as HTMLButtonElement | null;
    const check = form === this.held && !submitter?.formNoValidate;
    const fields = check ? Object.keys(this.sync.changed()) : [];
    const valid = (el: HTMLElement) => (el as HTMLInputElement).reportValidity?.() !== false;
    if (!fields.every((name) => this.sync.fields.get(name)!.elements.every(valid))) return;
    this.options.save();
  };

  private onReset = (event: Event): void => {
    if (event.target !== this.options.form()) return;
    // The reset runs after this event: then show the live record again, not the HTML defaults.
    globalThis.setTimeout(() => this.options.reset(), 0);
  };

  private setActivity(activity: string): void {
    if (activity === this.activity) return;
    this.activity = activity;
    const field = activity.startsWith('editing:') ? activity.slice(8) : undefined;
    this.options.setActivity(field ? { kind: 'editing', field } : { kind: 'viewing' });
  }
}
