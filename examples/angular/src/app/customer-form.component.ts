import { CUSTOM_ELEMENTS_SCHEMA, Component, inject } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { FormBuilder, ReactiveFormsModule } from '@angular/forms';
import { CRM_REALTIME_DIRECTIVES } from 'crm-realtime/angular';

/**
 * A customer's form as an Angular app writes it: a reactive form (`formControlName`). The
 * collaborative form wraps it with `controlled`, so the record it writes into the fields (on load
 * and on every colleague's save) reaches the form controls through the `input` and `change`
 * events their value accessors listen to; without it, the controls would keep their old values.
 * The options have a `value`: `[ngValue]` writes `0: …` into the option, which is what the
 * collaborative form would read and save.
 */
@Component({
  selector: 'app-customer-form',
  imports: [CRM_REALTIME_DIRECTIVES, ReactiveFormsModule],
  schemas: [CUSTOM_ELEMENTS_SCHEMA],
  template: `
    <crm-collaborative-form entity-type="customer" entity-id="42" controlled>
      <form class="record" [formGroup]="form">
        <label for="phone">Phone</label>
        <input id="phone" name="phone" formControlName="phone" />
        <label for="status">Status</label>
        <select id="status" name="status" formControlName="status">
          <option value="">–</option>
          @for (s of statuses; track s) {
            <option [value]="s">{{ s }}</option>
          }
        </select>
        <button type="submit">Save</button>
      </form>
      <p>
        In the form's controls: <output id="form-state">{{ json(value()) }}</output>
      </p>
    </crm-collaborative-form>
  `,
  styles: `
    .record {
      display: grid;
      grid-template-columns: max-content minmax(0, 20rem);
      gap: 0.5rem 1rem;
      align-items: center;
    }
    .record button {
      grid-column: 2;
      justify-self: start;
    }
  `,
})
export class CustomerFormComponent {
  protected readonly statuses = ['Lead', 'Qualified', 'Customer', 'At risk'];
  protected readonly form = inject(FormBuilder).nonNullable.group({ phone: '', status: '' });
  protected readonly value = toSignal(this.form.valueChanges, { initialValue: this.form.value });
  protected readonly json = (value: unknown) => JSON.stringify(value);
}
