/**
 * `<crm-conflict-dialog>` on a phone: in the narrow layout the bulk buttons share a row and the
 * primary button fills the row beside Cancel, but translated labels longer than the English ones
 * ("Alle ihre übernehmen", "Auswahl speichern") must wrap onto another row, not run past the
 * dialog's edge where they are cut off.
 */
import { expect, fixture, html } from '@open-wc/testing';
import '../../../../src/elements/conflict-dialog/define.js';
import type { CrmConflictDialog } from '../../../../src/elements/conflict-dialog/crm-conflict-dialog.js';
import { ANA, severalFields } from '../../../../stories/conflict-dialog.fixtures.js';

afterEach(() => {
  // A modal left open would make the next test's page inert.
  for (const d of document.querySelectorAll('crm-conflict-dialog')) d.open = false;
});

describe('crm-conflict-dialog: narrow', () => {
  it('keeps long translated buttons inside a phone-sized dialog', async () => {
    const el = await fixture<CrmConflictDialog>(
      html`<crm-conflict-dialog
        lang="de"
        style="--crm-conflict-dialog-width: 22rem"
        entity-label=${severalFields.entityLabel}
        .localData=${severalFields.localData}
        .remoteData=${severalFields.remoteData}
        .baseData=${severalFields.baseData}
        .conflictedFields=${severalFields.conflictedFields}
        .remoteAuthor=${ANA}
        .messages=${{
          save: () => 'Auswahl speichern',
          keepAllMine: () => 'Alle meine behalten',
          takeAllTheirs: () => 'Alle ihre übernehmen',
          cancel: () => 'Abbrechen',
        }}
      ></crm-conflict-dialog>`,
    );
    el.open = true;
    await el.updateComplete;
    const root = el.shadowRoot!;
    const actions = root.querySelector<HTMLElement>('[part~="actions"]')!;
    const box = actions.getBoundingClientRect();
    const buttons = [...actions.querySelectorAll<HTMLElement>('button')];
    expect(buttons.length).to.equal(4);
    for (const button of buttons) {
      const rect = button.getBoundingClientRect();
      expect(rect.right, button.textContent!.trim()).to.be.at.most(box.right + 0.5);
      expect(rect.left, button.textContent!.trim()).to.be.at.least(box.left - 0.5);
      // The label is not cut inside the button either.
      expect(button.scrollWidth, button.textContent!.trim()).to.be.at.most(button.clientWidth + 1);
    }
    expect(actions.scrollWidth).to.be.at.most(actions.clientWidth + 1);
  });
});
