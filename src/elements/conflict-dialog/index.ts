/** `<crm-conflict-dialog>` and its helpers; side-effect free (see `define.ts`). */
export { CrmConflictDialog, type ConflictAuthor } from './crm-conflict-dialog.js';
export { defaultConflictMessages, type ConflictDialogMessages } from './conflict-messages.js';
export { mergeResolution, resolutionOf, type MergeInput } from './merge.js';
