/**
 * Which page holds which outbox entries, through Web Locks: so that a page that outlives another
 * sends what it left, and no page sends what a live page holds.
 */
import { randomId } from '../connection/client-id.js';

/**
 * Which page an outbox entry belongs to, so that a page that outlives another sends the changes it
 * left behind (the leader tab of a shared connection that closes with saves queued offline, any
 * tab closed while offline or before a save was answered), and no page takes those of a page
 * still open. Each client's outbox holds a Web Lock named for it while the page lives and stamps
 * its entries with that name; an entry whose lock nobody holds any more belongs to a page that is
 * gone, and the next page that loads, or whose connection opens, claims it (stamps it with its
 * own name) and sends it, with its mutation id, so a change two pages send is applied once.
 */
export interface OutboxOwner {
  /** This page's name, stamped on the entries it makes. */
  readonly id: string;
  /** The locks held now: the owners whose page is alive, among others. */
  alive(): Promise<ReadonlySet<string | undefined>>;
  /** Runs `claim` while no other page claims entries. */
  exclusive<T>(claim: () => Promise<T>): Promise<T>;
  /**
   * Lets go of the lock while the page lives on (its client was closed): the entries stamped with
   * this name become orphans, for the next client or page to send. Resolves once released.
   */
  release(): Promise<void>;
}

/** Owner locks are named `<prefix><id>`; the prefix alone is held while a page claims entries. */
const OWNER_LOCK = 'crm-realtime:outbox:';

/** A page's ownership through Web Locks; undefined where there are none (each page keeps its own). */
export function webLocksOwner(
  locks: Pick<LockManager, 'request' | 'query'> | undefined = (
    globalThis.navigator as Partial<Navigator> | undefined
  )?.locks,
): OutboxOwner | undefined {
  if (!locks?.query) return undefined;
  const id = OWNER_LOCK + randomId();
  let letGo: (() => void) | undefined;
  let released = false;
  // Held until the page goes (or its client is closed): its release is how other pages learn the
  // entries are orphans.
  const held = locks
    .request(id, () => (released ? undefined : new Promise<void>((resolve) => (letGo = resolve))))
    .then(
      () => undefined,
      () => undefined,
    );
  return {
    id,
    alive: async () => new Set((await locks.query()).held?.map((lock) => lock.name)),
    exclusive: (claim) => locks.request(OWNER_LOCK, claim) as ReturnType<typeof claim>,
    release: () => {
      released = true;
      letGo?.();
      return held;
    },
  };
}
