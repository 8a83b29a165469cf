import { html, LitElement, nothing, svg, type PropertyValues } from 'lit';
import { property } from 'lit/decorators.js';
import {
  ConnectionStatusController,
  type ConnectionView,
} from '../../controllers/connection-status-controller.js';
import { OutboxController } from '../../controllers/outbox-controller.js';
import type { ConnectionRefusal } from '../../client/types.js';
import {
  CrmConnectionStatusChangeEvent,
  type ConnectionDisplayState,
} from '../../events/connection-status-change.js';
import { localeOf, messageContext, withDefaults, type MessageContext } from '../../i18n.js';
import {
  defaultConnectionStatusMessages,
  type ConnectionStatusMessages,
} from './connection-status-messages.js';
import { styles } from './crm-connection-status.styles.js';
import { liveText, nextLiveText } from '../shared/live-text.js';
import { LanguageWatch } from '../shared/language-watch.js';

/**
 * What the element shows. `connecting` is the first connection; once the connection was lost,
 * `connecting` and `reconnecting` are both shown as `reconnecting`, so a flaky network does not
 * make the label (or a screen reader) flip back and forth on every attempt. The same rule, from
 * the same controller, decides what every other widget says about the connection.
 */
export type { ConnectionView };

const retryIcon = svg`<svg viewBox="0 0 16 16" fill="none" stroke="currentColor" stroke-width="1.75"
  stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">
  <path d="M13.5 8a5.5 5.5 0 1 1-1.61-3.89" /><path d="M13.5 2.5v3.25h-3.25" /></svg>`;

/**
 * The state of the page's realtime connection, small enough for a header: a coloured dot and a
 * short label. Quiet while connected; while reconnecting it counts down to the next try and
 * offers "Retry now". When the server refuses the sign-in for good it says why ("Sign-in
 * refused: invalid avatar URL") and offers "Retry now" for after the cause is fixed. Outside any
 * provider it shows "Not connected" instead of failing.
 *
 * When waiting edits could not be stored on this device (its disk is full, the site's data was
 * cleared), it says so plainly, "1 change not stored on this device: keep this page open until
 * it is sent", until they are stored or sent.
 *
 * Screen readers hear state changes through a polite status region, once per change of state,
 * never per countdown tick or retry attempt; the edits not stored, through another, once. Pressing
 * "Retry now" is answered once too: "Reconnecting…", then "Connected" or "Still offline, next try
 * in 8s". When the button goes (the connection is back) with the focus on it, the focus stays on
 * the element, on its pill, instead of falling to the page's body.
 *
 * @tagname crm-connection-status
 * @csspart base - The pill holding the dot, label and button.
 * @csspart dot - The coloured state dot.
 * @csspart label - The visible text (hidden when `compact`).
 * @csspart details - When `compact`: the tooltip's text, shown in the pill while it has the focus
 *   (a tap or a click on it), as a touch screen shows no tooltip.
 * @csspart retry - The "Retry now" button, shown while reconnecting, after a refused sign-in, and
 *   offline after the reconnect attempts ran out.
 * @csspart waiting - "3 changes waiting": edits not sent yet, offline or refused for now (visually hidden when
 *   `compact`, then part of the tooltip).
 * @csspart unstored - "1 change not stored on this device: …": waiting edits this device could
 *   not store (visually hidden when `compact`, then part of the tooltip).
 * @cssprop [--crm-connection-status-dot-size=0.5rem] - Diameter of the dot.
 * @cssprop [--crm-connection-status-gap=var(--crm-space-xs)] - Space between dot, label, button.
 * @cssprop [--crm-connection-status-padding-inline=var(--crm-space-s)] - Inline padding of the pill.
 * @cssprop [--crm-connection-status-radius=var(--crm-radius-pill)] - Corner radius of the pill.
 * @cssprop [--crm-connection-status-font-size=var(--crm-font-size-s)] - Text size.
 * @cssprop [--crm-connection-status-connected-color=var(--crm-color-success)] - Dot when connected.
 * @cssprop [--crm-connection-status-reconnecting-color=var(--crm-color-warning)] - Dot while
 *   (re)connecting.
 * @cssprop [--crm-connection-status-offline-color=var(--crm-color-neutral)] - Dot when offline and
 *   ring when not connected.
 * @cssprop [--crm-connection-status-closed-color=var(--crm-color-danger)] - Dot when closed.
 * @fires {CrmConnectionStatusChangeEvent} crm-connection-status-change - The connection's state
 *   changed (once per change, not per attempt or tick). Bubbles and is composed.
 */
export class CrmConnectionStatus extends LitElement {
  /** A language or direction switched around the element renders it again in the new one. */
  private readonly languageWatch = new LanguageWatch(this);

  static override styles = styles;

  /** Show the dot only; the state stays available to screen readers and as a tooltip. */
  @property({ type: Boolean, reflect: true }) compact = false;

  /** Replacements for the built-in English texts (see `ConnectionStatusMessages`). */
  @property({ attribute: false }) messages: Partial<ConnectionStatusMessages> | undefined =
    undefined;

  /** Edits waiting to be sent (offline, or refused for now), from the client's outbox. */
  private readonly outbox = new OutboxController(this);

  private readonly connection = new ConnectionStatusController(this, {
    onStateChange: (state, previous, status) => {
      this.followRetry(state);
      this.dispatchEvent(new CrmConnectionStatusChangeEvent(state, previous, status));
    },
  });

  /** "Retry now" was pressed while reconnecting; its attempt has not ended yet. */
  private retryAsked = false;
  /** What the retry region says: the pressed button's answer, until the state changes again. */
  private retrySaid = '';
  /** The retry button had the focus before this update (it may be gone after it). */
  private retryFocused = false;

  /**
   * The connection's state as shown: the client's `connecting | open | reconnecting | offline |
   * closed`, or `unavailable` without a provider. Also reflected as the `state` attribute, for
   * page CSS such as `crm-connection-status[state='reconnecting']`.
   */
  get state(): ConnectionDisplayState {
    return this.connection.state;
  }

  /**
   * Why the server refused the sign-in, when it did so for good (state `closed`): its error
   * `code` and `message`. Shown in words, with "Retry now" for after the cause is fixed.
   */
  get refusal(): ConnectionRefusal | undefined {
    const status = this.connection.status;
    return status?.state === 'closed' ? status.refusal : undefined;
  }

  /** Whole seconds until the next attempt while reconnecting, else `undefined`. */
  get secondsUntilRetry(): number | undefined {
    return this.connection.secondsUntilRetry;
  }

  /** What is shown, with `connecting` after a loss folded into `reconnecting`. */
  get view(): ConnectionView {
    return this.connection.view;
  }

  /** Skip the wait and try to reconnect now. */
  retryNow(): void {
    this.connection.retryNow();
  }

  protected override willUpdate(_changed: PropertyValues<this>): void {
    if (this.getAttribute('state') !== this.state) this.setAttribute('state', this.state);
    this.retryFocused = this.shadowRoot?.activeElement?.getAttribute('part') === 'retry';
  }

  protected override updated(): void {
    // The button went with the focus on it (the connection is back): the focus stays here.
    if (this.retryFocused && !this.shadowRoot!.activeElement) {
      this.shadowRoot!.querySelector<HTMLElement>('.base')?.focus();
    }
  }

  protected override render() {
    const { m, c } = this.words();
    const view = this.view;
    const label = this.label(view, m, c, true);
    const spoken = m.spoken(this.label(view, m, c, false), c);
    // A refused sign-in offers the same button: the page may have fixed the cause meanwhile.
    const refused = view === 'closed' && this.refusal !== undefined;
    // So does an offline that is the client giving up (`maxReconnectAttempts` ran out): nothing
    // is tried on a timer any more, so the user needs a way to ask.
    const status = this.connection.status;
    const gaveUp = status?.state === 'offline' && status.gaveUpAfter !== undefined;
    const retrying = view === 'reconnecting' || refused || gaveUp;
    // An attempt in flight: the button stays (focus must not vanish) but does nothing.
    const inFlight = this.connection.state === 'connecting';
    const retryText = m.retryNow(c);
    const waiting = this.outbox.size > 0 ? m.changesWaiting(this.outbox.size, c) : '';
    const unstored = this.outbox.unstored > 0 ? m.changesNotStored(this.outbox.unstored, c) : '';
    const details = [label, waiting, unstored].filter(Boolean).join(' · ');
    return html`<div
      part="base"
      class="base"
      tabindex="-1"
      data-view=${view}
      ?data-unstored=${unstored !== ''}
      title=${this.compact || refused || unstored ? details : nothing}
    >
      <span part="dot" class="dot" aria-hidden="true"></span>
      <span part="label" class="label" aria-hidden="true" dir="auto">${label}</span>
      ${
        waiting
          ? html`<span part="waiting" class=${this.compact ? 'visually-hidden' : 'waiting'}
              >${waiting}</span
            >`
          : nothing
      }
      ${
        unstored
          ? html`<span
              part="unstored"
              class=${this.compact ? 'visually-hidden' : 'unstored'}
              aria-hidden="true"
              >${unstored}</span
            >`
          : nothing
      }
      ${
        this.compact
          ? html`<span part="details" class="details" aria-hidden="true" dir="auto"
              >${details}</span
            >`
          : nothing
      }
      <span class="visually-hidden" role="status">${liveText(spoken)}</span>
      <span class="visually-hidden" role="status">${liveText(unstored)}</span>
      <span class="visually-hidden" role="status">${this.retrySaid}</span>
      ${
        retrying
          ? html`<button
              part="retry"
              class="retry"
              type="button"
              aria-disabled=${inFlight ? 'true' : 'false'}
              aria-label=${this.compact ? retryText : nothing}
              title=${this.compact ? retryText : nothing}
              @click=${this.onRetry}
            >
              ${this.compact || inFlight ? retryIcon : nothing}${this.compact ? nothing : retryText}
            </button>`
          : nothing
      }
    </div>`;
  }

  private label(
    view: ConnectionView,
    m: ConnectionStatusMessages,
    c: MessageContext,
    withCountdown: boolean,
  ): string {
    switch (view) {
      case 'connected':
        return m.connected(c);
      case 'connecting':
        return m.connecting(c);
      case 'reconnecting': {
        const seconds = this.connection.secondsUntilRetry;
        return withCountdown && seconds !== undefined && seconds > 0
          ? m.reconnectingIn(seconds, c)
          : m.reconnecting(c);
      }
      case 'offline':
        return m.offline(c);
      case 'closed': {
        const refusal = this.refusal;
        return refusal ? m.refused(refusal, c) : m.closed(c);
      }
      case 'unavailable':
        return m.unavailable(c);
    }
  }

  private onRetry(event: Event): void {
    const button = event.currentTarget as HTMLButtonElement;
    if (button.getAttribute('aria-disabled') === 'true') return;
    // While reconnecting the state region keeps saying "Reconnecting…" through the attempt, so
    // the press is answered here; from another state, the state region's own change answers it.
    if (this.view === 'reconnecting') {
      this.retryAsked = true;
      const { m, c } = this.words();
      this.retrySaid = nextLiveText(m.reconnecting(c), this.retrySaid);
      this.requestUpdate();
    }
    this.connection.retryNow();
  }

  /**
   * After "Retry now": once its attempt ends, say how, once. Back to `reconnecting` is said here
   * with when the next try is (not updated per tick); any other end changes the state region,
   * which says it. The answer is emptied (silently) on the next change of state.
   */
  private followRetry(state: ConnectionDisplayState): void {
    if (this.retryAsked && state === 'connecting') return;
    const failed = this.retryAsked && state === 'reconnecting';
    this.retryAsked = false;
    const { m, c } = this.words();
    this.retrySaid = failed
      ? nextLiveText(m.retryFailed(this.secondsUntilRetry ?? 0, c), this.retrySaid)
      : '';
  }

  /** The texts in force and the context of the element's language. */
  private words(): { m: ConnectionStatusMessages; c: MessageContext } {
    return {
      m: withDefaults(defaultConnectionStatusMessages, this.messages, '<crm-connection-status>'),
      c: messageContext(localeOf(this)),
    };
  }
}
