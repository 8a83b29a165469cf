/**
 * Binds a host to the page client's offline outbox: how many changes wait to be sent, which of
 * them conflicted. Re-renders when that changes.
 *
 * ```ts
 * class Waiting extends LitElement {
 *   private readonly outbox = new OutboxController(this);
 *   render() {
 *     return this.outbox.size ? html`${this.outbox.size} changes waiting` : nothing;
 *   }
 * }
 * ```
 */
import type { RealtimeClient } from '../client/realtime-client.js';
import type { LiveConflict } from '../client/live-data-types.js';
import type { OutboxSnapshot } from '../client/outbox.js';
import type { Unsubscribe } from '../client/types.js';
import { ClientController } from './client-controller.js';

export class OutboxController extends ClientController {
  /** The outbox's latest snapshot; `undefined` without a client. */
  snapshot: OutboxSnapshot | undefined = undefined;

  /** Changes waiting to be sent for the signed-in user (0 without a client). */
  get size(): number {
    return this.snapshot?.size ?? 0;
  }

  /** Waiting changes that conflicted and need a decision. */
  get conflicts(): readonly LiveConflict[] {
    return this.snapshot?.conflicts ?? [];
  }

  protected override bind(client: RealtimeClient): Unsubscribe {
    const outbox = client.outbox;
    this.snapshot = outbox.snapshot();
    const unsubscribe = outbox.subscribe((snapshot) => {
      const changed =
        snapshot.size !== this.snapshot?.size || snapshot.conflicts !== this.snapshot?.conflicts;
      this.snapshot = snapshot;
      if (changed) this.host.requestUpdate();
    });
    return () => {
      unsubscribe();
      this.snapshot = undefined;
    };
  }
}
