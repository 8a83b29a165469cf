/**
 * Calls as a capability of the client: the frames `<crm-huddle>` receives (`call.config`, the
 * ICE servers; `signal`, room events addressed to this user) are parsed only on pages that load
 * it, like every capability's frames.
 */
import { registerCapability, type Capability } from '../capability.js';
import { FRAMES } from '../../protocol/checks/calls.js';
import { acceptServerFrames } from '../connection/wire.js';

/** Nothing to share between callers yet: loading it is what makes the frames parse. */
export type Calls = Record<string, never>;

export const CALLS: Capability<Calls> = registerCapability({
  name: 'calls',
  create() {
    acceptServerFrames(FRAMES);
    return {};
  },
});
