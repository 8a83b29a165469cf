/** Registers `<crm-collaborative-form>` (and the conflict dialog it opens). Importing this module is the side effect. */
import '../conflict-dialog/define.js';
// The typings of the events it fires (their `HTMLElementEventMap` entries) come with the tag:
// a declaration file keeps a side-effect import, not an import of a type it does not use.
import '../../events/collaborative-form-events.js';
import { defineElement } from '../define-element.js';
import { CrmCollaborativeForm } from './crm-collaborative-form.js';

defineElement('crm-collaborative-form', CrmCollaborativeForm);

declare global {
  interface HTMLElementTagNameMap {
    'crm-collaborative-form': CrmCollaborativeForm;
  }
}
