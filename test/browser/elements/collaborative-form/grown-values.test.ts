/**
 * <crm-collaborative-form> when the CRM's backend keeps a save but stores values it grew past
 * what a frame carries (an audit trail appended to the notes; the fake server's
 * `entities.backendStores` plays the backend): the save succeeded, so the form ends saved and
 * clean, showing what the CRM holds, never the edit handed back or sent again.
 */
import { expect, oneEvent } from '@open-wc/testing';
import type { Entity } from '../../../../src/protocol/index.js';
import { LIMITS } from '../../../../src/protocol/index.js';
import { CUSTOMER } from '../../../../stories/collaborative-form.fixtures.js';
import { closeFakeConnections } from '../../helpers/fake-connection.js';
import { field, mountForm, settle, statusText, type } from './fixture.js';

const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)).byteLength;

afterEach(() => closeFakeConnections());

describe('<crm-collaborative-form> with values the CRM backend grew past the frame limit', () => {
  it('ends saved and clean with the backend’s notes when the room gets them without previous', async () => {
    const audit = `\n${'audit line; '.repeat(3_500)}`; // about 42 KB
    const { fake, el, form } = await mountForm({
      prepare: (f) => {
        f.server.entities.put({
          ...CUSTOMER,
          fields: { ...CUSTOMER.fields, notes: 'o'.repeat(30_000) },
        });
        f.server.entities.backendStores = (fields) =>
          typeof fields['notes'] === 'string' ? { notes: fields['notes'] + audit } : undefined;
      },
    });
    type(field(el, 'notes'), 'Called back');
    field(el, 'notes').blur(); // the user leaves the field and saves: it shows what is stored
    const saved = oneEvent(el, 'crm-form-saved');
    form.requestSubmit();
    await saved;
    await settle({ fake, el });
    expect(field(el, 'notes').value === `Called back${audit}`).to.equal(true, 'the CRM’s notes');
    expect(el.dirtyFields).to.deep.equal([]);
    expect(statusText(el)).not.to.match(/not saved/i);
    expect(fake.server.received('entity.update')).to.have.length(1, 'sent once');
  });

  it('reads the record again after an ack too large to carry it, and shows what the CRM holds', async () => {
    let notes = '';
    const { fake, el, form } = await mountForm({
      prepare: (f) => {
        // The CRM normalizes the phone and appends to the notes just enough that the record
        // fits a snapshot but not the ack, which is a little longer.
        f.server.entities.backendStores = (fields, entity, user) => {
          const phone = `${String(fields['phone'])} (verified)`;
          const probe: Entity = {
            ...entity,
            version: entity.version + 1,
            fields: { ...entity.fields, ...fields, phone, notes: '' },
            updatedAt: f.clock.now(),
            updatedBy: user,
          };
          const room =
            LIMITS.maxFrameBytes - bytes({ type: 'entity.snapshot', replyTo: '', entity: probe });
          notes = 'N'.repeat(room - 24);
          return { phone, notes };
        };
      },
    });
    type(field(el, 'phone'), '+44 20 7946 0999');
    field(el, 'phone').blur(); // the user leaves the field and saves: it shows what is stored
    const saved = oneEvent(el, 'crm-form-saved');
    form.requestSubmit();
    await saved;
    await settle({ fake, el });
    const acks = fake.server.frames.filter((r) => r.frame.type === 'entity.ack');
    expect(acks.map((r) => (r.frame as { partial?: true }).partial)).to.deep.equal([true]);
    expect(field(el, 'phone').value).to.equal('+44 20 7946 0999 (verified)');
    expect(field(el, 'name').value).to.equal(
      CUSTOMER.fields['name'],
      'the rest of the record stays',
    );
    expect(field(el, 'notes').value === notes).to.equal(true, 'the CRM’s notes');
    expect(el.dirtyFields).to.deep.equal([]);
    expect(statusText(el)).not.to.match(/not saved/i);
    expect(fake.server.received('entity.update')).to.have.length(1, 'sent once');
  });
});
