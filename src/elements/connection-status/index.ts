/** `<crm-connection-status>`; side-effect free (see `define.ts`). */
export { CrmConnectionStatus, type ConnectionView } from './crm-connection-status.js';
export {
  defaultConnectionStatusMessages,
  type ConnectionStatusMessages,
} from './connection-status-messages.js';
