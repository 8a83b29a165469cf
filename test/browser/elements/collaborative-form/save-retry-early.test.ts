/**
 * <crm-collaborative-form> while the CRM fails the record's saves for now (`internal`: its
 * write-through answered 5xx): the save waits and the form counts down to the next try; a newer
 * save sends the waiting one again at once, and while that try is under way the form says it is
 * trying again, not a countdown to a later try; failed again, it counts down again.
 */
import { expect, waitUntil } from '@open-wc/testing';
import { closeFakeConnections, type FakeConnection } from '../../helpers/fake-connection.js';
import { field, mountForm, settle, statusText, type, nextTryOf } from './fixture.js';

/** The CRM fails every save (`internal`) until the returned function is called. */
function crmFailsSaves(fake: FakeConnection): () => void {
  const entities = fake.server.entities;
  const answer = entities.answer.bind(entities);
  entities.answer = (user, frame, acceptsPartial) =>
    frame.type === 'entity.update'
      ? { type: 'error', code: 'internal', message: 'the CRM failed', replyTo: frame.id }
      : answer(user, frame, acceptsPartial);
  return () => {
    entities.answer = answer;
  };
}

afterEach(() => closeFakeConnections());

describe('<crm-collaborative-form> when a newer save sends a waiting one again early', () => {
  it('says "Trying again…" while it is sent, and counts down again once it failed again', async () => {
    const mounted = await mountForm();
    const { fake, el, form } = mounted;
    const fixed = crmFailsSaves(fake);
    type(field(el, 'phone'), '+44 20 7946 0111');
    form.requestSubmit();
    await settle(mounted);
    expect(statusText(el)).to.equal('1 change waiting to be saved');
    expect(nextTryOf(el)).to.match(/^Trying again in \d+s$/);

    // A newer save: the waiting one goes again first, and its answer is slow to come.
    const held = fake.server.hold((frame) => frame.type === 'entity.update');
    type(field(el, 'email'), 'ops@northwind.example');
    form.requestSubmit();
    await settle(mounted);
    expect(held.size).to.equal(1);
    expect(statusText(el)).to.equal('2 changes waiting to be saved');
    expect(nextTryOf(el)).to.equal('Trying again…');

    held.stop(); // refused again: the wait under way is told again
    await settle(mounted);
    expect(nextTryOf(el)).to.match(/^Trying again in \d+s$/);

    fixed();
    await fake.clock.advance(60_000);
    // The outbox's Web Locks are real tasks, which a busy machine may delay past a few rounds.
    await waitUntil(
      async () => {
        await settle(mounted);
        return statusText(el) === 'Saved';
      },
      'both saved once the CRM takes them',
      { timeout: 10_000 },
    );
    expect(nextTryOf(el)).to.equal(undefined);
    const stored = fake.server.entities.get('customer', '42')!.fields;
    expect(stored['phone']).to.equal('+44 20 7946 0111');
    expect(stored['email']).to.equal('ops@northwind.example');
  });
});
