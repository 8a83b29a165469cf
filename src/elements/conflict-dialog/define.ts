/** Registers `<crm-conflict-dialog>`. Importing this module is the side effect. */
// The typings of the events it fires (their `HTMLElementEventMap` entries) come with the tag:
// a declaration file keeps a side-effect import, not an import of a type it does not use.
import '../../events/conflict-events.js';
import { defineElement } from '../define-element.js';
import { CrmConflictDialog } from './crm-conflict-dialog.js';

defineElement('crm-conflict-dialog', CrmConflictDialog);

declare global {
  interface HTMLElementTagNameMap {
    'crm-conflict-dialog': CrmConflictDialog;
  }
}
