/**
 * `<crm-conflict-dialog>` on a touch screen over a long page: a finger drawn over the modal's
 * backdrop or its header must not scroll the page behind it (the user would come back to another
 * place of it), while the list of fields still scrolls under the finger; and the other save's date
 * and time, a pointer's tooltip, are written out.
 */
import { expect, fixture, html, nextFrame } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import '../../../../src/elements/conflict-dialog/define.js';
import type { CrmConflictDialog } from '../../../../src/elements/conflict-dialog/crm-conflict-dialog.js';
import { ANA, severalFields } from '../../../../stories/conflict-dialog.fixtures.js';

afterEach(() => {
  for (const d of document.querySelectorAll('crm-conflict-dialog')) d.open = false;
  scrollTo(0, 0);
});

describe('crm-conflict-dialog on a touch screen', () => {
  it('a swipe over the backdrop or the header leaves the page behind still; the fields scroll', async () => {
    const page = await fixture<HTMLDivElement>(
      html`<div style="block-size: 4000px">
        <crm-conflict-dialog
          style="--crm-conflict-dialog-max-height: 24rem"
          entity-label=${severalFields.entityLabel}
          .localData=${severalFields.localData}
          .remoteData=${severalFields.remoteData}
          .baseData=${severalFields.baseData}
          .conflictedFields=${severalFields.conflictedFields}
          .remoteAuthor=${ANA}
        ></crm-conflict-dialog>
      </div>`,
    );
    const el = page.querySelector<CrmConflictDialog>('crm-conflict-dialog')!;
    el.open = true;
    await el.updateComplete;
    await nextFrame();
    const root = el.shadowRoot!;
    const dialog = root.querySelector('dialog')!.getBoundingClientRect();
    const header = root.querySelector('[part~="header"]')!.getBoundingClientRect();
    const body = root.querySelector<HTMLElement>('.body')!;
    expect(body.scrollHeight, 'the fields overflow').to.be.above(body.clientHeight);
    const startY = scrollY;

    // Up over the backdrop, beside the dialog.
    const x = Math.max(4, dialog.left / 2);
    await executeServerCommand('swipe', { x, y: innerHeight - 20, toY: 40 });
    await nextFrame();
    expect(scrollY, 'the backdrop').to.equal(startY);

    // Up over the header.
    const midX = header.left + header.width / 2;
    await executeServerCommand('swipe', { x: midX, y: header.bottom - 4, toY: header.top + 2 });
    await nextFrame();
    expect(scrollY, 'the header').to.equal(startY);

    // Up over the fields: they scroll, the page does not.
    const list = body.getBoundingClientRect();
    await executeServerCommand('swipe', { x: midX, y: list.bottom - 10, toY: list.top + 10 });
    await nextFrame();
    expect(body.scrollTop, 'the fields scrolled').to.be.above(0);
    expect(scrollY, 'the fields').to.equal(startY);
  });

  it("the other save's date and time, which a pointer gets as a tooltip, follow its relative time", async () => {
    await executeServerCommand('touch-device', { active: true });
    try {
      expect(matchMedia('(hover: none)').matches, 'a touch device').to.equal(true);
      const el = await fixture<CrmConflictDialog>(
        html`<crm-conflict-dialog
          entity-label=${severalFields.entityLabel}
          .localData=${severalFields.localData}
          .remoteData=${severalFields.remoteData}
          .baseData=${severalFields.baseData}
          .conflictedFields=${severalFields.conflictedFields}
          .remoteAuthor=${ANA}
          .remoteChangedAt=${Date.now() - 3 * 60_000}
        ></crm-conflict-dialog>`,
      );
      el.open = true;
      await el.updateComplete;
      const time = el.shadowRoot!.querySelector<HTMLTimeElement>('[part~="time"]')!;
      expect(time.title).not.to.equal('');
      expect(getComputedStyle(time, '::after').content).to.equal(
        JSON.stringify(` · ${time.title}`),
      );
    } finally {
      await executeServerCommand('touch-device', { active: false });
    }
  });
});
