/**
 * Which page an outbox entry belongs to, so that a page that outlives another sends the changes it
 * left behind: the leader tab of a shared connection that closes with saves queued offline, or
 * any tab closed while offline. Each client's outbox holds a Web Lock named for it while the page
 * lives and stamps its entries with that name; an entry whose lock nobody holds any more belongs
 * to a page that is gone, and the next page whose connection opens claims it and sends it (with
 * its mutation id, so a change two pages send is applied once).
 */
import { randomId } from '../connection/client-id.js';

const PREFIX = 'crm-realtime:outbox:';
/** Held while a page claims entries, so two pages do not both take the same ones. */
const CLAIM = 'crm-realtime:outbox-claim';

export interface OutboxOwner {
  /** This page's name, stamped on the entries it makes. */
  readonly id: string;
  /** The owners whose page is alive now. */
  alive(): Promise<ReadonlySet<string>>;
  /** Runs `claim` while no other page claims entries. */
  exclusive<T>(claim: () => Promise<T>): Promise<T>;
}

type Locks = Pick<LockManager, 'request' | 'query'>;

/** A page's ownership through Web Locks; undefined where there are none (each page keeps its own). */
export function webLocksOwner(
  locks: Locks | undefined = (globalThis.navigator as Partial<Navigator> | undefined)?.locks,
): OutboxOwner | undefined {
  if (!locks || typeof locks.query !== 'function') return undefined;
  const id = `${PREFIX}${randomId()}`;
  // Held until the page goes: its release is how other pages learn the entries are orphans.
  void locks.request(id, () => new Promise<never>(() => {})).catch(() => {});
  return {
    id,
    async alive() {
      const { held = [] } = await locks.query();
      return new Set(held.flatMap((lock) => (lock.name?.startsWith(PREFIX) ? [lock.name] : [])));
    },
    exclusive: (claim) => locks.request(CLAIM, claim) as ReturnType<typeof claim>,
  };
}
