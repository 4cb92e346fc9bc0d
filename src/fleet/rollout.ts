import pLimit from 'p-limit';
import type { Server } from './types.js';

/**
 * Runs `work` on every server of one wave, at most `parallel` at once. The first failure (or a
 * true `shouldStop()`) stops the wave: no new host is started, hosts already running finish.
 * Returns the first failure, in words, or null.
 */
export async function runWave(
  servers: readonly Server[],
  parallel: number,
  work: (server: Server) => Promise<void>,
  shouldStop: () => boolean = () => false,
): Promise<string | null> {
  let failure: string | null = null;
  const limit = pLimit(parallel);
  await Promise.all(
    servers.map((server) =>
      limit(async () => {
        if (failure || shouldStop()) return;
        try {
          await work(server);
        } catch (error) {
          failure ??= `${server.name}: ${(error as Error).message}`;
        }
      }),
    ),
  );
  return failure;
}
