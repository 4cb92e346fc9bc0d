import type { Store } from '../../store/db.js';

/** How many delivery ids are remembered: GitHub redelivers on request, days later at most. */
const REMEMBERED = 1_000;

/**
 * The `X-GitHub-Delivery` ids acted on, so a delivery sent twice (a redelivery, a retry after a
 * timeout) is acted on once. A delivery is claimed before its handlers run (two copies arriving
 * together cannot both pass) and remembered in the store once they succeeded; if they failed it
 * is released, so GitHub's redelivery can try again.
 */
export function createDeliveries(store: Store, limit = REMEMBERED) {
  const inFlight = new Set<string>();
  return {
    /** True the first time `id` is seen; false for a duplicate. */
    claim(id: string): boolean {
      if (inFlight.has(id) || store.data.ci.deliveries.includes(id)) return false;
      inFlight.add(id);
      return true;
    },
    async remember(id: string): Promise<void> {
      const deliveries = store.data.ci.deliveries;
      deliveries.push(id);
      if (deliveries.length > limit) deliveries.splice(0, deliveries.length - limit);
      inFlight.delete(id);
      await store.write();
    },
    release(id: string): void {
      inFlight.delete(id);
    },
  };
}
export type Deliveries = ReturnType<typeof createDeliveries>;
