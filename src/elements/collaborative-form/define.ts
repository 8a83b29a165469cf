/** Registers `<crm-collaborative-form>` (and the conflict dialog it opens). Importing this module is the side effect. */
import '../conflict-dialog/define.js';
import { defineElement } from '../define-element.js';
import { CrmCollaborativeForm } from './crm-collaborative-form.js';

defineElement('crm-collaborative-form', CrmCollaborativeForm);

declare global {
  interface HTMLElementTagNameMap {
    'crm-collaborative-form': CrmCollaborativeForm;
  }
}
