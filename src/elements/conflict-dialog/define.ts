/** Registers `<crm-conflict-dialog>`. Importing this module is the side effect. */
import { defineElement } from '../define-element.js';
import { CrmConflictDialog } from './crm-conflict-dialog.js';

defineElement('crm-conflict-dialog', CrmConflictDialog);

declare global {
  interface HTMLElementTagNameMap {
    'crm-conflict-dialog': CrmConflictDialog;
  }
}
