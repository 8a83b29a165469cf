/**
 * `<crm-conflict-dialog>` and text somebody else wrote: the author's name and the entity label
 * are isolated in the sentence that names them, so one ending in RIGHT-TO-LEFT OVERRIDE cannot
 * turn the rest of it around; values read as written in a right-to-left page; and the author's
 * avatar has the colour presence and the activity feed give the same person.
 */
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../../../../src/elements/conflict-dialog/define.js';
import type { CrmConflictDialog } from '../../../../src/elements/conflict-dialog/crm-conflict-dialog.js';
import { avatarColor } from '../../../../src/elements/shared/avatar.js';
import { ANA, oneField } from '../../../../stories/conflict-dialog.fixtures.js';
import type { UserProfile } from '../../../../src/protocol/index.js';
import { drawnLeftToRight } from '../shared/reading-order.js';

const RLO = '\u202e';
const FSI = '\u2068';
const PDI = '\u2069';

async function mount(
  author: UserProfile,
  { dir = 'ltr', entityLabel = oneField.entityLabel, remoteData = oneField.remoteData } = {},
) {
  const el = await fixture<CrmConflictDialog>(
    html`<crm-conflict-dialog
      dir=${dir}
      lang="en"
      entity-label=${entityLabel}
      .localData=${oneField.localData}
      .remoteData=${remoteData}
      .baseData=${oneField.baseData}
      .conflictedFields=${oneField.conflictedFields}
      .remoteAuthor=${author}
    ></crm-conflict-dialog>`,
  );
  // Open: a closed <dialog> is not laid out, and these tests measure where text is drawn.
  el.open = true;
  await el.updateComplete;
  return el;
}

afterEach(() => {
  // A modal left open would make the next test's page inert.
  for (const d of document.querySelectorAll('crm-conflict-dialog')) d.open = false;
});

const part = (el: CrmConflictDialog, name: string) =>
  el.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`)!;

/** `#rrggbb` as `getComputedStyle` reports it. */
function rgb(hex: string): string {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgb(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255})`;
}

describe('crm-conflict-dialog: bidirectional text and avatar', () => {
  it("an author's name or entity label ending in an override leaves the sentence as it is", async () => {
    const el = await mount(
      { id: 'u-ana', name: `Ana Ortiz${RLO}` },
      { entityLabel: `Customer Acme Corp${RLO}` },
    );
    const description = part(el, 'description');
    // Single words: the sentence may wrap, and a phrase across two lines is not one run.
    for (const words of ['saved', 'while', 'editing.', 'Choose', 'keep.']) {
      expect(drawnLeftToRight(description, words), words).to.equal(true);
    }
    expect(description.textContent).to.contain(`${FSI}Ana Ortiz${RLO}${PDI} saved`);
    // Next to the avatar, the name alone, isolated too.
    expect(part(el, 'author').querySelector('.author-name bdi')?.textContent).to.equal(
      `Ana Ortiz${RLO}`,
    );
  });

  it('a translated description gets the name isolated, so it may put words after it', async () => {
    const el = await mount({ id: 'u-ana', name: `${PDI}${RLO}Ana` });
    el.messages = {
      description: ({ author }) => `${author} hat gespeichert.`,
      theirsHint: (author) => `${author} hat gespeichert`,
    };
    await el.updateComplete;
    expect(drawnLeftToRight(part(el, 'description'), 'hat gespeichert.')).to.equal(true);
    expect(drawnLeftToRight(part(el, 'option-theirs'), 'hat gespeichert')).to.equal(true);
  });

  it('an unknown author still reads "Someone else" (an empty name is not isolated)', async () => {
    const el = await mount({ id: 'u-ana', name: '' });
    expect(part(el, 'description').textContent).to.contain('Someone else saved');
  });

  it('in a right-to-left page, a phone number reads as written', async () => {
    const phone = '+44 20 7946 0321';
    const el = await mount(ANA, {
      dir: 'rtl',
      remoteData: { ...oneField.remoteData, email: phone },
    });
    const theirs = part(el, 'option-theirs').querySelector('[part~="value"]')!;
    expect(drawnLeftToRight(theirs, phone)).to.equal(true);
  });

  it("the author's initials are on the colour presence and the feed give them", async () => {
    const el = await mount(ANA);
    expect(getComputedStyle(part(el, 'avatar')).backgroundColor).to.equal(rgb(avatarColor(ANA.id)));
    const ben = { id: 'u-ben', name: 'Ben Lee' };
    el.remoteAuthor = ben;
    await el.updateComplete;
    expect(getComputedStyle(part(el, 'avatar')).backgroundColor).to.equal(rgb(avatarColor(ben.id)));
  });

  it("a picture that fails to load gives way to the author's initials", async () => {
    const el = await mount({ ...ANA, avatarUrl: 'data:image/png;base64,AAAA' });
    await waitUntil(() => !part(el, 'avatar').querySelector('img'), 'the picture stays');
    expect(part(el, 'avatar').textContent?.trim()).to.equal('AO');
  });
});
