/** `<crm-realtime-provider>` and its script form; side-effect free (see `define.ts`). */
export { CrmRealtimeProvider, type TokenSource } from './crm-realtime-provider.js';
export {
  attachRealtimeProvider,
  type AttachedRealtimeProvider,
  type AttachRealtimeProviderOptions,
} from './attach.js';
