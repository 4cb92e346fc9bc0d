import type { CiSlice } from '../../ci/types.js';
import type { Store } from '../../store/db.js';

/** How many deliveries are remembered: GitHub redelivers on request, days later at most. */
const REMEMBERED = 1_000;

/** One delivery: its `X-GitHub-Delivery` id, and the SHA-256 of its signed body. */
export interface Delivery {
  id: string;
  digest: string;
}

/**
 * The deliveries acted on, so a delivery sent twice (a redelivery, a retry after a timeout, or a
 * captured push replayed under a new id, since the id is not signed) is acted on once: a delivery
 * whose id or whose signed body was seen is a duplicate. A delivery is claimed before its handlers
 * run (two copies arriving together cannot both pass) and remembered in the store once they
 * succeeded; if they failed it is released, so GitHub's redelivery can try again.
 */
export function createDeliveries(store: Store<CiSlice>, limit = REMEMBERED) {
  const inFlight = new Set<string>();
  const data = () => store.data.ci;
  const keys = (delivery: Delivery) => [`id:${delivery.id}`, `body:${delivery.digest}`];
  const release = (delivery: Delivery) => {
    for (const key of keys(delivery)) inFlight.delete(key);
  };
  return {
    /** True the first time this delivery (by id or body) is seen; false for a duplicate. */
    claim(delivery: Delivery): boolean {
      data().deliveryDigests ??= [];
      const seen = keys(delivery).some((key) => inFlight.has(key));
      if (seen || data().deliveries.includes(delivery.id) || (delivery.digest !== '' && data().deliveryDigests!.includes(delivery.digest))) return false;
      for (const key of keys(delivery)) inFlight.add(key);
      return true;
    },
    async remember(delivery: Delivery): Promise<void> {
      const remembered = (list: string[], value: string) => {
        list.push(value);
        if (list.length > limit) list.splice(0, list.length - limit);
      };
      remembered(data().deliveries, delivery.id);
      if (delivery.digest !== '') remembered((data().deliveryDigests ??= []), delivery.digest);
      release(delivery);
      await store.write();
    },
    release,
  };
}
export type Deliveries = ReturnType<typeof createDeliveries>;
