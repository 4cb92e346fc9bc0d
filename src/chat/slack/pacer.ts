import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Slack takes about one message per second per channel, with short bursts (chat.postMessage's
 * special rate limit); beyond it, 429. A token bucket per channel: up to `burst` messages at once,
 * then one per `intervalMs`. `wait(channel)` resolves when the next message may go.
 */
export function createChannelPacer(options: { burst: number; intervalMs: number; now?: () => number }) {
  const now = options.now ?? Date.now;
  const buckets = new Map<string, { tokens: number; at: number; queue: Promise<void> }>();
  return {
    wait(channel: string): Promise<void> {
      const bucket = buckets.get(channel) ?? { tokens: options.burst, at: now(), queue: Promise.resolve() };
      buckets.set(channel, bucket);
      const turn = bucket.queue.then(async () => {
        const refill = (now() - bucket.at) / options.intervalMs;
        bucket.tokens = Math.min(options.burst, bucket.tokens + refill);
        bucket.at = now();
        if (bucket.tokens < 1) {
          await sleep((1 - bucket.tokens) * options.intervalMs);
          bucket.tokens = 1;
          bucket.at = now();
        }
        bucket.tokens -= 1;
      });
      bucket.queue = turn;
      return turn;
    },
  };
}
