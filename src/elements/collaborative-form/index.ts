/** `<crm-collaborative-form>` and its helpers; side-effect free (see `define.ts`). */
export { CrmCollaborativeForm, type SaveMode } from './crm-collaborative-form.js';
export {
  defaultCollaborativeFormMessages,
  type CollaborativeFormMessages,
} from './form-messages.js';
export { fieldMarksCss } from './field-marks.js';
export type { FieldKind } from './form-fields.js';
export type { FormStatusKind } from './form-status.js';
