/**
 * What `<crm-huddle>` says of the user's own part in a call, beside who joins and leaves (the
 * batched region it shares with `<crm-presence>`): a ring, and the user's own joining.
 *
 * A ring is urgent and over in seconds (WCAG 4.1.3): the user may be typing in a form elsewhere on
 * the page and must hear it when it comes, so it interrupts (`role="alert"`, assertive). An alert
 * is also announced when it appears already holding its words, so a page that shows a hidden
 * element only on `crm-huddle-ring` still has the ring heard. It is said once per ring (who rang
 * and when), however often the element renders meanwhile, and emptied when the ring ends.
 *
 * The user's own joining is polite: they pressed Join, and the browser's permission prompt may be
 * speaking. "Asking for your microphone…", then "You joined the call. Ana Souza is in it."
 */
import { html, type TemplateResult } from 'lit';
import type { HuddleState } from '../../events/huddle-events.js';
import { nextLiveText } from '../shared/live-text.js';

/** What the call is now, as far as the announcements go. */
export interface CallMoment {
  /** The ring shown now, if one is: who rang (user id and name) and when. */
  readonly ring: { readonly from: string; readonly name: string; readonly at: number } | undefined;
  readonly phase: HuddleState;
}

/** The words to say, asked for only when they are said. */
export interface CallWords {
  /** The announcement of a ring from `caller` (their name). */
  ring(caller: string): string;
  joining(): string;
  joined(): string;
}

export class CallAnnouncer {
  private ringKey: string | undefined;
  private phase: HuddleState = 'idle';
  private alert = '';
  private status = '';

  /**
   * Whether the last update saw the user in the call. Until one has, people the call connects to
   * were there before the user: "You joined the call. Ana Souza is in it." names them, and they
   * are not announced as joining.
   */
  get inCall(): boolean {
    return this.phase === 'in-call';
  }

  /** Called before each render: says what changed since the last one. */
  follow(now: CallMoment, words: CallWords): void {
    const key = now.ring && `${now.ring.from}\n${now.ring.at}`;
    if (key !== this.ringKey) {
      this.ringKey = key;
      this.alert = now.ring ? nextLiveText(words.ring(now.ring.name), this.alert) : '';
    }
    if (now.phase !== this.phase) {
      this.phase = now.phase;
      const text =
        now.phase === 'joining' ? words.joining() : now.phase === 'in-call' ? words.joined() : '';
      this.status = text && nextLiveText(text, this.status);
    }
  }

  render(): TemplateResult {
    return html`<div class="visually-hidden" role="alert">${this.alert}</div>
      <div class="visually-hidden" role="status" aria-live="polite" aria-atomic="true">
        ${this.status}
      </div>`;
  }
}
