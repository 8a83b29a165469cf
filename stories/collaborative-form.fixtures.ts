/**
 * The legacy form the collaborative-form stories and browser tests wrap: plain HTML, every kind of
 * field the element binds (text, email, select, number, date, checkbox, radio group, checkbox
 * group, multiple select, textarea, a form-associated custom element), with the page's own
 * classes. Stories and tests share it, so they cannot drift apart.
 */
import { html, LitElement, type TemplateResult } from 'lit';
import type { EntitySeed } from '../src/testing/index.js';

export const CUSTOMER: EntitySeed = {
  type: 'customer',
  id: '42',
  fields: {
    name: 'Margaret Holloway',
    email: 'm.holloway@northwind.example',
    phone: '+44 20 7946 0321',
    status: 'Qualified',
    value: 48000,
    renewal: '2025-09-30',
    vip: true,
    channel: 'phone',
    products: ['fleet', 'tracking'],
    regions: ['uk'],
    notes: 'Evaluating us against two competitors. Cares most about the driver app offline.',
    rating: 4,
  },
};

export const BEN = { id: 'ben', name: 'Ben Carter' };
export const CHLOE = { id: 'chloe', name: 'Chloé Martin' };
export const DAVID = { id: 'david', name: 'David Okafor' };

/**
 * A small form-associated custom element (a 1–5 rating), standing in for a design system's
 * inputs: `name` and `value`, `change` and `input` events, focusable.
 */
export class DemoRating extends LitElement {
  static formAssociated = true;
  static override properties = { value: { type: Number } };
  value = 0;
  private readonly internals = this.attachInternals();

  override connectedCallback(): void {
    super.connectedCallback();
    this.tabIndex = 0;
    this.setAttribute('role', 'slider');
    this.setAttribute('aria-valuemin', '0');
    this.setAttribute('aria-valuemax', '5');
    this.addEventListener('keydown', this.onKey);
  }

  override updated(): void {
    this.internals.setFormValue(String(this.value));
    this.setAttribute('aria-valuenow', String(this.value));
    this.setAttribute('aria-valuetext', `${this.value} of 5 stars`);
  }

  private readonly onKey = (event: KeyboardEvent) => {
    const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    if (!step) return;
    event.preventDefault();
    this.value = Math.min(5, Math.max(0, Number(this.value) + step));
    this.dispatchEvent(new Event('input', { bubbles: true }));
    this.dispatchEvent(new Event('change', { bubbles: true }));
  };

  override render(): TemplateResult {
    const value = Number(this.value) || 0;
    return html`<span aria-hidden="true" style="letter-spacing: 0.15em; color: #b45309"
      >${'★'.repeat(value)}<span style="color: #9ca3af">${'★'.repeat(5 - value)}</span></span
    >`;
  }
}
if (!customElements.get('demo-rating')) customElements.define('demo-rating', DemoRating);

/** The page's own styles for its form (what a legacy CRM ships); the kit adds only its marks. */
export const formStyles = html`<style>
  .legacy-form {
    display: grid;
    grid-template-columns: repeat(2, minmax(0, 1fr));
    gap: 1rem 1.25rem;
    font:
      14px/1.4 system-ui,
      sans-serif;
    color: var(--crm-color-text, #1c2026);
  }
  .legacy-form .wide {
    grid-column: 1 / -1;
  }
  .legacy-form label,
  .legacy-form legend {
    display: block;
    margin-block-end: 0.3rem;
    font-size: 0.75rem;
    font-weight: 600;
    letter-spacing: 0.04em;
    text-transform: uppercase;
    color: var(--crm-color-text-muted, #5b6472);
  }
  .legacy-form input:not([type='checkbox'], [type='radio']),
  .legacy-form select,
  .legacy-form textarea {
    box-sizing: border-box;
    inline-size: 100%;
    padding: 0.45rem 0.65rem;
    border: 1px solid var(--crm-color-border, #d8dce2);
    border-radius: 0.375rem;
    background: var(--crm-color-surface, #fff);
    color: inherit;
    font: inherit;
  }
  .legacy-form fieldset {
    margin: 0;
    padding: 0.5rem 0.65rem;
    border: 1px solid var(--crm-color-border, #d8dce2);
    border-radius: 0.375rem;
  }
  .legacy-form fieldset legend {
    padding-inline: 0.25rem;
  }
  .legacy-form .choice {
    display: inline-flex;
    align-items: center;
    gap: 0.35rem;
    margin-inline-end: 0.9rem;
    font-size: 0.875rem;
    font-weight: 400;
    letter-spacing: 0;
    text-transform: none;
    color: inherit;
  }
  .legacy-form .actions {
    display: flex;
    justify-content: flex-end;
    gap: 0.5rem;
  }
  .legacy-form button {
    padding: 0.5rem 1rem;
    border: 0;
    border-radius: 0.5rem;
    background: var(--crm-color-accent, #2563eb);
    color: #fff;
    font: inherit;
    font-weight: 600;
  }
  .legacy-form button[type='reset'] {
    background: transparent;
    color: var(--crm-color-accent, #2563eb);
  }
  .legacy-form demo-rating {
    display: inline-block;
    padding: 0.3rem 0.5rem;
    border-radius: 0.375rem;
    font-size: 1.25rem;
  }
</style>`;

/** The words of the legacy form: labels, legends, choices and buttons. */
export interface FormText {
  name: string;
  email: string;
  phone: string;
  status: string;
  /** The status options' texts, by value (the values are what the record stores). */
  statuses: Record<'Lead' | 'Qualified' | 'Customer' | 'At risk', string>;
  value: string;
  renewal: string;
  channel: string;
  channels: Record<'email' | 'phone' | 'visit', string>;
  products: string;
  productNames: Record<'fleet' | 'tracking' | 'driver', string>;
  regions: string;
  regionNames: Record<'uk' | 'eu' | 'us', string>;
  rating: string;
  vip: string;
  notes: string;
  reset: string;
  save: string;
}

export const ENGLISH_FORM: FormText = {
  name: 'Contact',
  email: 'Email',
  phone: 'Phone',
  status: 'Status',
  statuses: { Lead: 'Lead', Qualified: 'Qualified', Customer: 'Customer', 'At risk': 'At risk' },
  value: 'Annual value',
  renewal: 'Renewal',
  channel: 'Preferred channel',
  channels: { email: 'Email', phone: 'Phone', visit: 'Visit' },
  products: 'Products',
  productNames: { fleet: 'Fleet', tracking: 'Tracking', driver: 'Driver app' },
  regions: 'Regions',
  regionNames: { uk: 'United Kingdom', eu: 'European Union', us: 'United States' },
  rating: 'Rating',
  vip: 'Key account',
  notes: 'Notes',
  reset: 'Reset',
  save: 'Save',
};

/**
 * The legacy customer form, exactly as the page renders it (no kit markup inside). Free text, email
 * and phone take their direction from what they hold (`dir="auto"`), as a right-to-left page's do.
 */
export function customerForm(id = 'customer-form', t: FormText = ENGLISH_FORM): TemplateResult {
  const choices = <K extends string>(type: string, name: string, texts: Record<K, string>) =>
    Object.entries<string>(texts).map(
      ([value, text]) =>
        html`<label class="choice"
          ><input type=${type} name=${name} value=${value} /> ${text}</label
        >`,
    );
  const options = (texts: Record<string, string>) =>
    Object.entries(texts).map(([value, text]) => html`<option value=${value}>${text}</option>`);
  return html`<form id=${id} class="legacy-form" method="post" action="/customers/42">
    <div>
      <label for="f-name">${t.name}</label>
      <input id="f-name" name="name" autocomplete="off" required />
    </div>
    <div>
      <label for="f-email">${t.email}</label>
      <input id="f-email" name="email" type="email" dir="auto" autocomplete="off" />
    </div>
    <div>
      <label for="f-phone">${t.phone}</label>
      <input id="f-phone" name="phone" type="tel" dir="auto" autocomplete="off" />
    </div>
    <div>
      <label for="f-status">${t.status}</label>
      <select id="f-status" name="status">
        ${options(t.statuses)}
      </select>
    </div>
    <div>
      <label for="f-value">${t.value}</label>
      <input id="f-value" name="value" type="number" min="0" step="100" />
    </div>
    <div>
      <label for="f-renewal">${t.renewal}</label>
      <input id="f-renewal" name="renewal" type="date" />
    </div>
    <fieldset>
      <legend>${t.channel}</legend>
      ${choices('radio', 'channel', t.channels)}
    </fieldset>
    <fieldset>
      <legend>${t.products}</legend>
      ${choices('checkbox', 'products', t.productNames)}
    </fieldset>
    <div>
      <label for="f-regions">${t.regions}</label>
      <select id="f-regions" name="regions" multiple size="3">
        ${options(t.regionNames)}
      </select>
    </div>
    <div>
      <label id="l-rating">${t.rating}</label>
      <demo-rating name="rating" aria-labelledby="l-rating"></demo-rating>
      <label class="choice"><input type="checkbox" name="vip" /> ${t.vip}</label>
    </div>
    <div class="wide">
      <label for="f-notes">${t.notes}</label>
      <textarea id="f-notes" name="notes" rows="3" dir="auto"></textarea>
    </div>
    <div class="wide actions">
      <button type="reset">${t.reset}</button>
      <button type="submit">${t.save}</button>
    </div>
  </form>`;
}
