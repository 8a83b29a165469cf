/**
 * Binds a host to the presence of one room: holds `client.presence(room)` while the host is in the
 * document, follows the room when it changes, and re-renders on every (batched) snapshot.
 *
 * ```ts
 * class WhoIsHere extends LitElement {
 *   @property({ attribute: 'room-id' }) roomId = '';
 *   private readonly presence = new PresenceController(this, () => this.roomId || pageRoom());
 *   render() {
 *     return html`${this.presence.people.map((p) => html`<span>${p.user.name}</span>`)}`;
 *   }
 * }
 * ```
 */
import type { RealtimeClient } from '../client/realtime-client.js';
import type {
  Activity,
  Person,
  PresenceSnapshot,
  PresenceStoreApi,
  Unsubscribe,
} from '../client/types.js';
import { ClientController, type ControllerHost } from './client-controller.js';

export class PresenceController extends ClientController {
  /** The room's latest snapshot; `undefined` without a client or a valid room. */
  snapshot: PresenceSnapshot | undefined = undefined;

  private store: PresenceStoreApi | undefined;
  private boundRoom: string | undefined;
  private boundWatch = false;

  constructor(
    host: ControllerHost,
    /** The room to follow, read before every update; empty or `undefined` holds no room. */
    private readonly room: () => string | undefined,
    /** Watch the room (see `RealtimeClient.joinRoom`) rather than be present there. */
    private readonly watch: () => boolean = () => false,
  ) {
    super(host);
  }

  /** One entry per person in the room (empty until the first snapshot). */
  get people(): readonly Person[] {
    return this.snapshot?.people ?? [];
  }

  /** The current user's own entry, once the server knows them. */
  get self(): Person | undefined {
    return this.snapshot?.self;
  }

  /** The room currently held, if any. */
  get heldRoom(): string | undefined {
    return this.store?.room;
  }

  /** Tell the room what the current user does (viewing, or editing a field). */
  setActivity(activity: Activity): void {
    this.store?.setActivity(activity);
  }

  /** Follow the room getter: re-acquire before the host renders when it changed. */
  hostUpdate(): void {
    const client = this.client;
    const room = this.normalizedRoom();
    if (!client || (room === this.boundRoom && this.watch() === this.boundWatch)) return;
    // The same room in the other mode: held in the new mode across the rebind, so the client
    // switches with one join, never leaving, and the row keeps its people meanwhile.
    const bridge =
      this.store && room === this.boundRoom && client.joinRoom(room!, undefined, this.watch());
    this.rebind();
    if (bridge) bridge.release();
  }

  protected override bind(client: RealtimeClient): Unsubscribe | void {
    const room = this.normalizedRoom();
    const watch = (this.boundWatch = this.watch());
    this.boundRoom = room;
    this.snapshot = undefined;
    if (room === undefined) return;
    const store = this.tryOpen(room, () => client.presence(room, watch), `room "${room}"`);
    if (!store) return;
    this.store = store;
    return this.follow(
      store,
      (snapshot) => (this.snapshot = snapshot),
      () => {
        if (this.store === store) this.store = undefined;
        this.snapshot = undefined;
        this.boundRoom = undefined;
      },
    );
  }

  private normalizedRoom(): string | undefined {
    const room = this.room()?.trim();
    return room ? room : undefined;
  }
}

/**
 * The room of the current page, `page:<path>`, for page-level presence. `location.pathname` is
 * already percent-encoded; every character a room name cannot hold (the `%` included) becomes `_`,
 * which keeps distinct paths distinct. Cut to the 200 characters a room name may have.
 */
export function pageRoom(location: Pick<Location, 'pathname'> = globalThis.location): string {
  const path = (location?.pathname || '/').replace(/[^A-Za-z0-9_\-.:/@#]/g, '_');
  return `page:${path}`.slice(0, 200);
}
