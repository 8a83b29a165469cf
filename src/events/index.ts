/** Typed event classes of the kit; importing one also augments `HTMLElementEventMap`. */
export {
  CrmConnectionStatusChangeEvent,
  type ConnectionDisplayState,
} from './connection-status-change.js';
