/**
 * Live data as a capability of the client: one `LiveDataHub` per client (entities, the line of
 * changes, conflicts and the offline outbox), made when the client is, if this module is loaded by
 * then, so a closed tab's offline edits are replayed when the connection opens.
 */
import { registerCapability, type Capability } from '../capability.js';
import { FRAMES } from '../../protocol/checks/entities.js';
import { LiveDataHub } from './live-data-hub.js';
import { acceptServerFrames } from '../connection/wire.js';

export const LIVE_DATA: Capability<LiveDataHub> = registerCapability({
  name: 'liveData',
  eager: true,
  create(client, host) {
    acceptServerFrames(FRAMES);
    return new LiveDataHub(client, {
      clock: host.clock,
      logger: host.logger,
      store: host.options.outbox,
      configuredUser: host.options.devUser?.id,
      random: host.options.random,
    });
  },
});
