/**
 * Every piece of text `<crm-connection-status>` shows or announces. A page translates the element
 * with `element.messages = { connected: () => 'Verbunden', … }`; entries left out stay English.
 */
import type { ConnectionRefusal } from '../../client/types.js';
import type { MessageContext } from '../../i18n.js';

export interface ConnectionStatusMessages {
  /** The connection is open. */
  connected(c: MessageContext): string;
  /** The first connection is being made. */
  connecting(c: MessageContext): string;
  /** The connection was lost and an attempt to restore it is under way (or due now). */
  reconnecting(c: MessageContext): string;
  /** The connection was lost; the next attempt is in `seconds`. */
  reconnectingIn(seconds: number, c: MessageContext): string;
  /** The browser reports no network; the client reconnects when it returns. */
  offline(c: MessageContext): string;
  /** The connection was closed for good (by the page); giving up after attempts is `offline`. */
  closed(c: MessageContext): string;
  /**
   * The server refused the sign-in for good. `refusal.code` says why (`bad_frame`: the identity
   * is invalid, `invalid_token`, `forbidden`, `unsupported_version`); `refusal.message` is the
   * server's English words ("invalid avatar URL"), which a translation may map or leave out.
   */
  refused(refusal: ConnectionRefusal, c: MessageContext): string;
  /** No provider supplies a connection (or it has no `url` yet). */
  unavailable(c: MessageContext): string;
  /** The button that skips the wait. */
  retryNow(c: MessageContext): string;
  /**
   * Said (not shown) when the attempt "Retry now" started failed too; the next try is in
   * `seconds` (0: due now).
   */
  retryFailed(seconds: number, c: MessageContext): string;
  /**
   * Edits waiting in the outbox to be sent (shown while `count` > 0): made offline, or, on an
   * open connection, refused by the server for now (too many changes a minute) and sent again
   * later. So the words must not say "offline".
   */
  changesWaiting(count: number, c: MessageContext): string;
  /**
   * Waiting edits this device could not store (its disk is full, or the site's data was cleared):
   * they are lost if the page is closed before they are sent. Shown, and announced once, while
   * `count` > 0.
   */
  changesNotStored(count: number, c: MessageContext): string;
  /**
   * What screen readers hear, and the compact dot's tooltip, for a state's label; it names what
   * the status is about, since "Connected" alone is ambiguous in a busy page.
   */
  spoken(label: string, c: MessageContext): string;
}

export const defaultConnectionStatusMessages: ConnectionStatusMessages = Object.freeze({
  connected: () => 'Connected',
  connecting: () => 'Connecting…',
  reconnecting: () => 'Reconnecting…',
  reconnectingIn: (seconds: number, c: MessageContext) => `Reconnecting in ${c.seconds(seconds)}`,
  offline: () => 'Offline',
  closed: () => 'Disconnected',
  refused: (refusal: ConnectionRefusal) => `Sign-in refused: ${refusal.message}`,
  unavailable: () => 'Not connected',
  retryNow: () => 'Retry now',
  retryFailed: (seconds: number, c: MessageContext) =>
    seconds > 0 ? `Still offline, next try in ${c.seconds(seconds)}` : 'Still offline',
  changesWaiting: (count: number, c: MessageContext) =>
    `${c.number(count)} ${c.plural(count) === 'one' ? 'change' : 'changes'} waiting`,
  changesNotStored: (count: number, c: MessageContext) =>
    c.plural(count) === 'one'
      ? `${c.number(count)} change not stored on this device: keep this page open until it is sent`
      : `${c.number(count)} changes not stored on this device: keep this page open until they are sent`,
  spoken: (label: string) => `Live updates: ${label}`,
});
