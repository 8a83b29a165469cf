/**
 * Set-up shared by the `<crm-collaborative-form>` tests: the stories' customer form inside a
 * provider on the fake server (which applies the reference server's rules) with a manual clock,
 * and the few ways a test reads the form or acts in it as a user does.
 */
import { fixture, html } from '@open-wc/testing';
import { nothing } from 'lit';
import { MemoryOutboxStore, type OutboxStore } from '../../../../src/client/index.js';
import type { FakeServerOptions } from '../../../../src/testing/index.js';
import '../../../../src/elements/collaborative-form/define.js';
import type { CrmCollaborativeForm } from '../../../../src/elements/collaborative-form/crm-collaborative-form.js';
import '../../../../src/elements/realtime-provider/define.js';
import type { CrmRealtimeProvider } from '../../../../src/elements/realtime-provider/crm-realtime-provider.js';
import {
  CUSTOMER,
  customerForm,
  formStyles,
} from '../../../../stories/collaborative-form.fixtures.js';
import { fakeConnection, reloadFake, type FakeConnection } from '../../helpers/fake-connection.js';

export interface MountedForm {
  fake: FakeConnection;
  el: CrmCollaborativeForm;
  form: HTMLFormElement;
  provider: CrmRealtimeProvider;
}

export interface MountFormOptions {
  /** `save-mode`; unset, the element's default. */
  saveMode?: string;
  /** `entity-label`; unset or empty, the record names itself. */
  entityLabel?: string;
  /** Set up the fake server (say, its permissions or the backend's validation) before loading. */
  prepare?: (fake: FakeConnection) => void;
  /** Options for the fake server (say, `authorize`). */
  server?: FakeServerOptions;
  /**
   * The device's outbox storage (default: in memory). `reloadForm` keeps the page's unless given
   * another (a new `IndexedDbOutboxStore` on the same database, as a reloaded page opens it).
   */
  outbox?: OutboxStore;
}

/** The customer form on `customer:42`, loaded and rendered. */
export async function mountForm(options: MountFormOptions = {}): Promise<MountedForm> {
  // The device's storage: a reload (`reloadForm`) finds there what this page left.
  const fake = await fakeConnection({
    outbox: options.outbox ?? new MemoryOutboxStore(),
    server: options.server ?? {},
  });
  fake.server.entities.put(CUSTOMER);
  options.prepare?.(fake);
  return mountOn(fake, options);
}

/**
 * The page is reloaded: its client is closed (what its outbox stored is let go, for the next
 * page) and the page goes; the same form loads again on a new client of the same device (same
 * server, clock and outbox store), once that client has taken what the closed page left, and
 * renders what it found. Sending it waits for the browser's locks: wait for its answer's state.
 */
export async function reloadForm(
  before: MountedForm,
  options: Omit<MountFormOptions, 'prepare'> = {},
): Promise<MountedForm> {
  before.fake.client.close();
  await before.fake.client.outbox.flush();
  before.provider.remove();
  const next = reloadFake(before.fake, options.outbox ? { outbox: options.outbox } : {});
  // The new page has taken what the closed one left (its Web Lock went with it).
  await next.client.outbox.ready;
  return mountOn(next, options);
}

async function mountOn(fake: FakeConnection, options: MountFormOptions): Promise<MountedForm> {
  const provider = await fixture<CrmRealtimeProvider>(
    html`<crm-realtime-provider .client=${fake.client}>
      ${formStyles}
      <crm-collaborative-form
        entity-type="customer"
        entity-id="42"
        entity-label=${options.entityLabel || nothing}
        save-mode=${options.saveMode ?? nothing}
        .clock=${fake.clock}
      >
        ${customerForm()}
      </crm-collaborative-form>
    </crm-realtime-provider>`,
  );
  const el = provider.querySelector('crm-collaborative-form')!;
  const form = el.querySelector('form')!;
  await settle({ fake, el });
  return { fake, el, form, provider };
}

/** Let the fake server answer and the element render (a few rounds: answers cause renders). */
export async function settle({ fake, el }: { fake: FakeConnection; el: CrmCollaborativeForm }) {
  for (let i = 0; i < 8; i++) {
    await fake.clock.flush();
    await el.updateComplete;
  }
}

/** The page's control named `name`. */
export const field = <T extends HTMLElement = HTMLInputElement>(el: Element, name: string) =>
  el.querySelector<T>(`[name="${name}"]`)!;

/** What the status line says. */
export const statusText = (el: CrmCollaborativeForm) =>
  el.shadowRoot!.querySelector('[part~="status"]')?.textContent?.trim();

/** The countdown beside the status line ("Trying again in 4s"), when there is one. */
export const nextTryOf = (el: CrmCollaborativeForm) =>
  el.shadowRoot!.querySelector('[part~="next-try"]')?.textContent?.trim();

/** The words of the tabs on a field ("Waiting to save", who is editing it …). */
export const tabsOf = (el: CrmCollaborativeForm, name: string) =>
  [...el.shadowRoot!.querySelectorAll(`.tabs[data-field="${name}"] .tab`)].map((t) =>
    t.textContent?.trim(),
  );

/** Type into a field as a user does: value, then input (and change for commit). */
export function type(input: HTMLInputElement | HTMLTextAreaElement, value: string, commit = true) {
  input.focus();
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
  if (commit) input.dispatchEvent(new Event('change', { bubbles: true }));
}

/**
 * Submits `form` as a user would and tells whether the page's own submit was prevented (the
 * element took it); the page itself never navigates.
 */
export function submitPrevented(form: HTMLFormElement): boolean {
  let prevented = false;
  const last = (event: Event) => {
    prevented = event.defaultPrevented;
    event.preventDefault(); // keep the test page where it is
  };
  window.addEventListener('submit', last);
  try {
    form.requestSubmit();
  } finally {
    window.removeEventListener('submit', last);
  }
  return prevented;
}
