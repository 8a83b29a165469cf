/**
 * <crm-collaborative-form> while the CRM fails the record's saves for now (`internal`: its
 * write-through answered 5xx): the save waits and the form counts down to the next try; a newer
 * save sends the waiting one again at once, and while that try is under way the form says it is
 * trying again, not a countdown to a later try; failed again, it counts down again. Each wait is
 * longer than the last while the record keeps failing, whatever other records' saves do.
 */
import { expect, waitUntil } from '@open-wc/testing';
import { closeFakeConnections, type FakeConnection } from '../../helpers/fake-connection.js';
import { CUSTOMER } from '../../../../stories/collaborative-form.fixtures.js';
import {
  field,
  mountForm,
  settle,
  statusText,
  type,
  nextTryOf,
  type MountedForm,
} from './fixture.js';
import type { CrmCollaborativeForm } from '../../../../src/elements/collaborative-form/crm-collaborative-form.js';

/** Another customer, which the CRM saves while it fails the form's. */
const OTHER = { ...CUSTOMER, id: '7' };

/** The form's record refused for now, with the CRM saving the other customer meanwhile. */
async function failingBesideOther() {
  const mounted = await mountForm({ prepare: (fake) => fake.server.entities.put(OTHER) });
  crmFailsSaves(mounted.fake);
  const other = mounted.fake.client.liveData({ entityType: 'customer', entityId: OTHER.id });
  /** The other customer saved, as another widget of the page does; resolves once it is. */
  const saveOther = async (phone: string) => {
    const saved = other.update({ phone });
    await settle(mounted);
    expect((await saved).state).to.equal('confirmed');
  };
  return { ...mounted, saveOther };
}

/** Refusals of the form's saves so far (the CRM answers nothing else with an error here). */
const refusals = ({ fake }: MountedForm) => fake.server.sent('error').length;

/**
 * Resolves once `check` holds, settling the form between looks: the outbox's Web Locks are real
 * tasks, which a busy machine may delay past the rounds of one `settle`.
 */
async function until(mounted: MountedForm, check: () => boolean, what: string): Promise<void> {
  await waitUntil(
    async () => {
      await settle(mounted);
      return check();
    },
    what,
    { timeout: 10_000 },
  );
}

/** The clock moves `ms` on; resolves once the form's record was refused `count` times in all. */
async function refusedAfter(mounted: MountedForm, ms: number, count: number): Promise<void> {
  await mounted.fake.clock.advance(ms);
  await until(mounted, () => refusals(mounted) >= count, `refused ${count} times`);
}

/** Whether the form counts down to its next try ("Trying again in 4s"). */
const counting = (el: CrmCollaborativeForm) => /^Trying again in \d+s$/.test(nextTryOf(el) ?? '');

/** The CRM fails every save of the form's record (`internal`) until the returned function is called. */
function crmFailsSaves(fake: FakeConnection): () => void {
  const entities = fake.server.entities;
  const answer = entities.answer.bind(entities);
  entities.answer = (user, frame, acceptsPartial) =>
    frame.type === 'entity.update' && frame.entityId === CUSTOMER.id
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
    await until(mounted, () => refusals(mounted) === 1 && counting(el), 'the first refusal');
    expect(statusText(el)).to.equal('1 change waiting to be saved');
    expect(nextTryOf(el)).to.match(/^Trying again in \d+s$/);

    // A newer save: the waiting one goes again first, and its answer is slow to come.
    const held = fake.server.hold((frame) => frame.type === 'entity.update');
    type(field(el, 'email'), 'ops@northwind.example');
    form.requestSubmit();
    await until(mounted, () => held.size === 1, 'the waiting save sent again');
    await until(mounted, () => nextTryOf(el) === 'Trying again…', 'the try under way said');
    expect(statusText(el)).to.equal('2 changes waiting to be saved');

    held.stop(); // refused again: the wait under way is told again
    await until(mounted, () => refusals(mounted) === 2, 'the second refusal');
    await until(mounted, () => counting(el), 'a countdown again');

    fixed();
    await fake.clock.advance(60_000);
    await until(mounted, () => statusText(el) === 'Saved', 'both saved once the CRM takes them');
    expect(nextTryOf(el)).to.equal(undefined);
    const stored = fake.server.entities.get('customer', '42')!.fields;
    expect(stored['phone']).to.equal('+44 20 7946 0111');
    expect(stored['email']).to.equal('ops@northwind.example');
  });
});

describe('<crm-collaborative-form> while its record keeps failing and others save', () => {
  it('counts down a longer wait after each refusal, though another record saves meanwhile', async () => {
    const mounted = await failingBesideOther();
    const { el, form } = mounted;
    type(field(el, 'phone'), '+44 20 7946 0111');
    form.requestSubmit();
    await until(mounted, () => refusals(mounted) === 1 && counting(el), 'the first refusal');
    const countdowns = [nextTryOf(el)];
    // Each wait is the middle of its window (the fake's randomness is 0.5): 2.5 s, 5 s, 10 s.
    for (const [i, wait] of [2500, 5000].entries()) {
      await mounted.saveOther(`+44 20 7946 020${i}`);
      await refusedAfter(mounted, wait, i + 2);
      countdowns.push(nextTryOf(el));
    }
    expect(countdowns).to.deep.equal([
      'Trying again in 3s',
      'Trying again in 5s',
      'Trying again in 10s',
    ]);
  });

  it('counts down the grown wait when a save sends it early and the refusal comes after its wait', async () => {
    const mounted = await failingBesideOther();
    const { fake, el, form } = mounted;
    type(field(el, 'phone'), '+44 20 7946 0111');
    form.requestSubmit();
    await until(mounted, () => refusals(mounted) === 1 && counting(el), 'the first refusal');
    await refusedAfter(mounted, 2500, 2); // waits 5 s now
    await mounted.saveOther('+44 20 7946 0200');

    // Saved again 4 s into the wait: the waiting save goes now, and the CRM is slow to refuse it.
    await fake.clock.advance(4000);
    const held = fake.server.hold((frame) => frame.type === 'entity.update');
    type(field(el, 'email'), 'ops@northwind.example');
    form.requestSubmit();
    await until(mounted, () => held.size === 1, 'the waiting save sent early');
    await until(mounted, () => nextTryOf(el) === 'Trying again…', 'the try under way said');
    await fake.clock.advance(2000); // the end of its wait passes while it is under way
    await settle(mounted);
    expect(nextTryOf(el)).to.equal('Trying again…');

    held.stop();
    await until(mounted, () => refusals(mounted) === 3 && counting(el), 'the third refusal');
    await settle(mounted);
    // Its third refusal: the window is 20 s, not the first one again; and it is not sent again
    // at once because its wait ended meanwhile.
    expect(nextTryOf(el)).to.equal('Trying again in 10s');
    expect(refusals(mounted)).to.equal(3);
  });
});
