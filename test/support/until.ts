/**
 * Polls `probe` every 100 ms until it returns something other than `undefined`, and returns that;
 * throws naming `what` after `attempts` tries (60 s by default) — a guard, not a speed goal.
 */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, attempts = 600): Promise<T> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}
