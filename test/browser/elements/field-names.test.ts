/**
 * Field names are data (issue 13): fields named like members of `Object.prototype`
 * (`constructor`, `toString`, …) are shown, chosen and saved like any other field by the elements
 * that look fields up by name, never read as the function every object inherits.
 */
import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { MemoryOutboxStore } from '../../../src/client/index.js';
import { defaultActivityFeedMessages } from '../../../src/elements/activity-feed/activity-messages.js';
import '../../../src/elements/collaborative-form/define.js';
import type { CrmCollaborativeForm } from '../../../src/elements/collaborative-form/crm-collaborative-form.js';
import '../../../src/elements/conflict-dialog/define.js';
import type { CrmConflictDialog } from '../../../src/elements/conflict-dialog/crm-conflict-dialog.js';
import '../../../src/elements/realtime-provider/define.js';
import type { CrmRealtimeProvider } from '../../../src/elements/realtime-provider/crm-realtime-provider.js';
import { closeFakeConnections, fakeConnection } from '../helpers/fake-connection.js';

const NAMES = ['constructor', 'toString', 'valueOf'];

afterEach(() => {
  for (const d of document.querySelectorAll('crm-conflict-dialog')) d.open = false;
  closeFakeConnections();
});

describe('field names that are Object.prototype members', () => {
  it('the conflict dialog keeps "mine" by default and saves my values for them', async () => {
    const el = await fixture<CrmConflictDialog>(
      html`<crm-conflict-dialog
        entity-label="Customer Acme"
        .localData=${Object.fromEntries(NAMES.map((n) => [n, `${n} mine`]))}
        .remoteData=${Object.fromEntries(NAMES.map((n) => [n, `${n} theirs`]))}
        .baseData=${{}}
      ></crm-conflict-dialog>`,
    );
    el.open = true;
    await el.updateComplete;
    const radios = [...el.shadowRoot!.querySelectorAll<HTMLInputElement>('input[value="mine"]')];
    expect(radios.map((r) => r.checked)).to.deep.equal(NAMES.map(() => true));
    const resolved = oneEvent(el, 'crm-conflict-resolve');
    el.shadowRoot!.querySelector<HTMLButtonElement>('[part~="button-primary"]')!.click();
    const event = (await resolved) as unknown as HTMLElementEventMap['crm-conflict-resolve'];
    expect(event.resolution).to.equal('mine');
    expect(event.merged).to.deep.equal(Object.fromEntries(NAMES.map((n) => [n, `${n} mine`])));
  });

  it('the collaborative form shows such fields empty until they have a value, then the value', async () => {
    const fake = await fakeConnection({ outbox: new MemoryOutboxStore() });
    fake.server.entities.put({ type: 'customer', id: '42', fields: { name: 'Acme' } });
    const provider = await fixture<CrmRealtimeProvider>(
      html`<crm-realtime-provider .client=${fake.client}>
        <crm-collaborative-form entity-type="customer" entity-id="42" .clock=${fake.clock}>
          <form>
            <label>Name <input name="name" /></label>
            ${NAMES.map((n) => html`<label>${n} <input name=${n} /></label>`)}
          </form>
        </crm-collaborative-form>
      </crm-realtime-provider>`,
    );
    const el = provider.querySelector<CrmCollaborativeForm>('crm-collaborative-form')!;
    const settle = async () => {
      for (let i = 0; i < 8; i++) {
        await fake.clock.flush();
        await el.updateComplete;
      }
    };
    await settle();
    const value = (name: string) => el.querySelector<HTMLInputElement>(`[name="${name}"]`)!.value;
    expect(value('name')).to.equal('Acme');
    expect(NAMES.map(value)).to.deep.equal(['', '', '']);
    fake.server.entities.remoteUpdate(
      'customer',
      '42',
      Object.fromEntries(NAMES.map((n) => [n, `${n} set`])),
      { id: 'ben', name: 'Ben' },
    );
    await settle();
    expect(NAMES.map(value)).to.deep.equal(NAMES.map((n) => `${n} set`));
  });

  it('the activity feed names a custom kind called "constructor" in words', () => {
    const label = defaultActivityFeedMessages.kindLabel('constructor', undefined as never);
    expect(typeof label).to.equal('string');
    expect(label).to.equal('Constructor');
  });
});
