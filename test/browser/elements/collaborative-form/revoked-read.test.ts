/**
 * <crm-collaborative-form> when the user loses the right to read its record while it is open
 * (`permissions-changed`: the server takes the record's room away, `forbidden`): the record's
 * values go from the fields and the live data, and the status line says it may not be opened,
 * instead of the old values staying on screen.
 */
import { expect } from '@open-wc/testing';
import type { CrmFormErrorEvent } from '../../../../src/index.js';
import { DEMO_USER } from '../../../../src/testing/index.js';
import { closeFakeConnections } from '../../helpers/fake-connection.js';
import { field, mountForm, settle, statusText } from './fixture.js';

afterEach(() => closeFakeConnections());

describe('<crm-collaborative-form> whose record the user may no longer read', () => {
  it('empties the fields and says the record may not be opened', async () => {
    let revoked = false;
    const { fake, el } = await mountForm({
      server: { authorize: (_user, room) => !(revoked && room === 'customer:42') },
    });
    const phone = field(el, 'phone');
    expect(phone.value).to.equal('+44 20 7946 0321');

    revoked = true;
    fake.server.permissionsChanged(DEMO_USER.id);
    await settle({ fake, el });
    expect(el.status).to.equal('load-error');
    expect(statusText(el)).to.equal('You may not open this record');
    expect(phone.value).to.equal('');
    expect(field(el, 'name').value).to.equal('');
    const live = fake.client.liveData({ entityType: 'customer', entityId: '42' });
    expect(live.snapshot().entity).to.equal(undefined);
    expect(live.snapshot().data).to.deep.equal({});
    live.release();
  });

  it('tells the page again when the record, given back, is taken away again', async () => {
    let revoked = false;
    const { fake, el } = await mountForm({
      server: { authorize: (_user, room) => !(revoked && room === 'customer:42') },
    });
    const phases: string[] = [];
    el.addEventListener('crm-form-error', (e) => phases.push((e as CrmFormErrorEvent).phase));
    revoked = true;
    fake.server.permissionsChanged(DEMO_USER.id);
    await settle({ fake, el });
    expect(phases).to.deep.equal(['load']);

    // Given back: the server asks again on a reconnect, and the record loads.
    revoked = false;
    fake.server.dropConnections();
    await fake.clock.advance(30_000);
    await settle({ fake, el });
    expect(el.status).not.to.equal('load-error');
    expect(field(el, 'phone').value).to.equal('+44 20 7946 0321');

    revoked = true;
    fake.server.permissionsChanged(DEMO_USER.id);
    await settle({ fake, el });
    expect(el.status).to.equal('load-error');
    expect(field(el, 'phone').value).to.equal('');
    expect(phases).to.deep.equal(['load', 'load'], 'the page hears of the second refusal too');
  });
});
