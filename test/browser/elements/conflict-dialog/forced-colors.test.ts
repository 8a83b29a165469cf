/**
 * `<crm-conflict-dialog>` in forced colours (Windows contrast themes): the system drops fills, so a
 * button drawn by its fill alone ("Save my choice") would read as plain text; every button keeps a
 * system-coloured edge.
 */
import { expect, fixture, html } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import '../../../../src/elements/conflict-dialog/define.js';
import type { CrmConflictDialog } from '../../../../src/elements/conflict-dialog/crm-conflict-dialog.js';
import { ANA, severalFields } from '../../../../stories/conflict-dialog.fixtures.js';

const forcedColors = (active: boolean) => executeServerCommand('forced-colors', { active });

afterEach(async () => {
  for (const d of document.querySelectorAll('crm-conflict-dialog')) d.open = false;
  await forcedColors(false);
});

/** Each button's text and whether it has a visible edge: a border with a width and a colour. */
function edges(el: CrmConflictDialog): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  for (const button of el.shadowRoot!.querySelectorAll<HTMLElement>('dialog button')) {
    if (button.getClientRects().length === 0) continue;
    const s = getComputedStyle(button);
    const name =
      button.textContent!.replace(/\s+/g, ' ').trim() || button.getAttribute('aria-label')!;
    out[name] =
      s.borderTopStyle !== 'none' &&
      parseFloat(s.borderTopWidth) >= 1 &&
      s.borderTopColor !== 'rgba(0, 0, 0, 0)';
  }
  return out;
}

describe('<crm-conflict-dialog> in forced colours', () => {
  it('every button, the filled "Save my choice" too, has a visible edge', async () => {
    const el = await fixture<CrmConflictDialog>(
      html`<crm-conflict-dialog
        entity-label=${severalFields.entityLabel}
        .localData=${severalFields.localData}
        .remoteData=${severalFields.remoteData}
        .baseData=${severalFields.baseData}
        .conflictedFields=${severalFields.conflictedFields}
        .fieldLabels=${severalFields.fieldLabels}
        .remoteAuthor=${ANA}
      ></crm-conflict-dialog>`,
    );
    el.open = true;
    await el.updateComplete;
    await forcedColors(true);
    expect(matchMedia('(forced-colors: active)').matches).to.equal(true);
    const found = edges(el);
    // "Save my choices" (the primary button, filled), Cancel, the bulk buttons.
    expect(Object.keys(found).some((name) => name.startsWith('Save my choice'))).to.equal(true);
    expect(found).to.deep.equal(Object.fromEntries(Object.keys(found).map((k) => [k, true])));
  });
});
