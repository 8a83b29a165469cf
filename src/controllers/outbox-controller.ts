/**
 * Binds a host to the page client's offline outbox: how many changes wait to be sent, which of
 * them conflicted, how many could not be stored on this device. Re-renders when that changes.
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
import { registeredCapability, type Capability } from '../client/capability.js';
import type { LiveDataHub } from '../client/live-data/live-data-hub.js';
import type { RealtimeClient } from '../client/realtime-client.js';
import type { LiveConflict } from '../client/live-data/live-data-types.js';
import type { OutboxSnapshot } from '../client/live-data/outbox.js';
import type { Unsubscribe } from '../client/types.js';
import { ClientController } from './client-controller.js';

export class OutboxController extends ClientController {
  /** The outbox's latest snapshot; `undefined` without a client. */
  snapshot: OutboxSnapshot | undefined = undefined;

  /** Changes waiting to be sent for the signed-in user (0 without a client). */
  get size(): number {
    return this.snapshot?.size ?? 0;
  }

  /**
   * Waiting changes that could not be stored on this device (a full disk, site data cleared): lost
   * if the page is closed before they are sent (0 without a client).
   */
  get unstored(): number {
    return this.snapshot?.unstored ?? 0;
  }

  /** Waiting changes that conflicted and need a decision. */
  get conflicts(): readonly LiveConflict[] {
    return this.snapshot?.conflicts ?? [];
  }

  protected override bind(client: RealtimeClient): Unsubscribe {
    let bound = true;
    let unsubscribe: Unsubscribe | undefined;
    const attach = (liveData: Capability<LiveDataHub>) => {
      const outbox = client.use(liveData).outbox;
      this.snapshot = outbox.snapshot();
      unsubscribe = outbox.subscribe((snapshot) => {
        const changed =
          snapshot.size !== this.snapshot?.size ||
          snapshot.unstored !== this.snapshot?.unstored ||
          snapshot.conflicts !== this.snapshot?.conflicts;
        this.snapshot = snapshot;
        if (changed) this.host.requestUpdate();
      });
    };
    // The outbox belongs to live data, which loads with the elements that show entities. When no
    // such element is on the page, it is fetched after the first render instead of before (the
    // count shows once the outbox has read what a closed tab left, which is never at once).
    const loaded = registeredCapability('liveData') as Capability<LiveDataHub> | undefined;
    if (loaded) attach(loaded);
    else {
      void import('../client/live-data/live-data-capability.js').then(({ LIVE_DATA }) => {
        if (!bound) return;
        attach(LIVE_DATA);
        this.host.requestUpdate();
      });
    }
    return () => {
      bound = false;
      unsubscribe?.();
      this.snapshot = undefined;
    };
  }
}
