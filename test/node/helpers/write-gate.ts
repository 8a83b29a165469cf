/**
 * An authorization hook that allows everything and, once armed, holds the next `write` it is asked
 * about until released: a save waiting on a slow permission check while other frames go on.
 */
import type { AuthorizeHook } from '../../../src/server/authorize.js';

export interface WriteGate {
  readonly authorize: AuthorizeHook;
  /** Hold the next write asked about; `asked` resolves once it is held. */
  arm(): { asked: Promise<void>; release: () => void };
}

export function writeGate(): WriteGate {
  let armed: { held: () => void; wait: Promise<void> } | undefined;
  return {
    authorize: async ({ action }) => {
      const gate = action === 'write' ? armed : undefined;
      if (gate) {
        armed = undefined;
        gate.held();
        await gate.wait;
      }
      return true;
    },
    arm() {
      let held!: () => void;
      let release!: () => void;
      const asked = new Promise<void>((resolve) => (held = resolve));
      const wait = new Promise<void>((resolve) => (release = resolve));
      armed = { held, wait };
      return { asked, release };
    },
  };
}
