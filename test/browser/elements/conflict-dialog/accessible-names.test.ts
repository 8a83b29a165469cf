/**
 * `<crm-conflict-dialog>` as a screen reader gets it: the "Was" label over a field's earlier value
 * is drawn in capitals by CSS, and Chromium hands `text-transform` on to the accessibility tree,
 * where "WAS" is spelled out or read louder. The words reach it as written.
 */
import { expect, fixture, html } from '@open-wc/testing';
import '../../../../src/elements/conflict-dialog/define.js';
import type { CrmConflictDialog } from '../../../../src/elements/conflict-dialog/crm-conflict-dialog.js';
import { ANA, oneField } from '../../../../stories/conflict-dialog.fixtures.js';
import { accessibleNames } from '../../helpers/accessibility-tree.js';

afterEach(() => {
  // A modal left open would make the next test's page inert.
  for (const d of document.querySelectorAll('crm-conflict-dialog')) d.open = false;
});

describe('crm-conflict-dialog: accessible names', () => {
  it('the earlier value is introduced as "Was", not the capitals CSS draws', async () => {
    const el = await fixture<CrmConflictDialog>(
      html`<crm-conflict-dialog
        lang="en"
        entity-label=${oneField.entityLabel}
        .localData=${oneField.localData}
        .remoteData=${oneField.remoteData}
        .baseData=${oneField.baseData}
        .conflictedFields=${oneField.conflictedFields}
        .remoteAuthor=${ANA}
      ></crm-conflict-dialog>`,
    );
    el.open = true;
    await el.updateComplete;
    const base = el.shadowRoot!.querySelector('[part~="base"]')!;
    // Drawn in capitals, as designed.
    expect(getComputedStyle(base.querySelector('.base-label')!).textTransform).to.equal(
      'uppercase',
    );
    const names = (await accessibleNames()).map(({ name }) => name);
    expect(names.filter((name) => /\bWAS\b/.test(name))).to.deep.equal([]);
    expect(names).to.include('Was');
  });
});
