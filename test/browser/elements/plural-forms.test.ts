/**
 * Counts as a Polish or Arabic page reads them: the translation picks its words with `c.plural`
 * (Polish has `one`, `few` and `many`: 1 osoba, 2 osoby, 5 osób, 22 osoby, 25 osób) and writes the
 * number with `c.number`, so an Egyptian Arabic page gets Arabic-Indic digits; the kit hands it
 * the count the user sees, in the element's language; "+N" by default writes its sign as that
 * language does.
 */
import { expect, fixture, html } from '@open-wc/testing';
import '../../../src/elements/presence/define.js';
import '../../../src/elements/realtime-provider/define.js';
import type { MessageContext, PresenceMessages } from '../../../src/index.js';
import {
  closeFakeConnections,
  fakeConnection,
  aroundEachTest,
} from '../helpers/fake-connection.js';

aroundEachTest();

const OSOBY = { one: 'osoba', few: 'osoby', many: 'osób', other: 'osoby' } as const;
const pl: Partial<PresenceMessages> = {
  groupLabel: (n, c) =>
    `${c.number(n)} ${OSOBY[c.plural(n) as keyof typeof OSOBY] ?? OSOBY.other} tutaj`,
  overflowLabel: (hidden, c) => `+${c.number(hidden)}`,
};
// "+N" is left to the default, which writes the sign as the language does.
const ar: Partial<PresenceMessages> = {
  groupLabel: (n: number, c: MessageContext) => `${c.number(n)} هنا`,
};

/** The presence row of a room where `count` other people are, under `lang`. */
async function groupLabel(lang: string, messages: Partial<PresenceMessages>, count: number) {
  const fake = await fakeConnection({ devUser: { id: 'u-0', name: 'Ola' } });
  for (let i = 1; i <= count; i++)
    fake.server.addPerson('customer:1', { id: `u-${i}`, name: `P ${i}` });
  const page = await fixture<HTMLElement>(
    html`<div lang=${lang}>
      <crm-realtime-provider .client=${fake.client}>
        <crm-presence room-id="customer:1" max-visible="3" .messages=${messages}></crm-presence>
      </crm-realtime-provider>
    </div>`,
  );
  const presence = page.querySelector('crm-presence')!;
  await fake.clock.flush();
  await presence.updateComplete;
  const root = presence.shadowRoot!;
  const label = root.querySelector('[role="list"]')?.getAttribute('aria-label');
  const overflow = root.querySelector('.overflow')?.textContent?.trim();
  closeFakeConnections();
  return { label, overflow };
}

describe('counts in Polish and Arabic', () => {
  it('Polish picks one, few and many: 1, 2, 5, 22, 25 people', async () => {
    const labels = [];
    for (const n of [1, 2, 5, 22, 25]) labels.push((await groupLabel('pl', pl, n)).label);
    expect(labels).to.deep.equal([
      '1 osoba tutaj',
      '2 osoby tutaj',
      '5 osób tutaj',
      '22 osoby tutaj',
      '25 osób tutaj',
    ]);
  });

  it('Egyptian Arabic writes counts and "+N" in Arabic-Indic digits', async () => {
    const { label, overflow } = await groupLabel('ar-EG', ar, 25);
    expect(label).to.equal('٢٥ هنا');
    // The Arabic letter mark keeps the sign before the digits on a right-to-left line: a bare
    // "+٢٢" there reads "٢٢+".
    expect(overflow).to.equal('\u061C+٢٢');
  });
});
