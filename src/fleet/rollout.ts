import pLimit from 'p-limit';
import type { StrategyConfig } from '../config/schema.js';
import { HostPhaseError, type HostPhase } from './errors.js';
import { deployToHost, type HostDeployment } from './host-deploy.js';
import { planWaves } from './strategy.js';
import type { Connect, Server } from './types.js';

/** What the rollout tells its caller about one host as it goes. */
export type HostEvent =
  | { type: 'started'; server: Server; phase: HostPhase; previousRelease: string | null }
  | { type: 'succeeded'; server: Server; previousRelease: string | null }
  | { type: 'failed'; server: Server; error: string; previousRelease: string | null };

export interface RolloutResult {
  ok: boolean;
  /** The first failure, in words, when not ok. */
  failure: string | null;
}

/**
 * Ships a release to every server, wave after wave, at most `parallel` hosts at once. The first
 * failed host stops the rollout: no new host is started, hosts already running finish.
 */
export async function rollout(
  servers: readonly Server[],
  strategy: StrategyConfig,
  job: HostDeployment,
  connect: Connect,
  onHost: (event: HostEvent) => void,
): Promise<RolloutResult> {
  let failure: string | null = null;
  const limit = pLimit(strategy.parallel);
  for (const wave of planWaves(servers, strategy)) {
    await Promise.all(
      wave.hosts.map((server) =>
        limit(async () => {
          if (failure) return;
          let previousRelease: string | null = null;
          try {
            onHost({ type: 'started', server, phase: 'connect', previousRelease });
            const transport = await connect(server);
            try {
              const result = await deployToHost(server, transport, job, (phase, previous) => {
                previousRelease = previous;
                onHost({ type: 'started', server, phase, previousRelease });
              });
              onHost({ type: 'succeeded', server, previousRelease: result.previousRelease });
            } finally {
              await transport.close();
            }
          } catch (error) {
            const message = error instanceof HostPhaseError ? error.message : `connect: ${(error as Error).message}`;
            failure ??= `${server.name}: ${message}`;
            onHost({ type: 'failed', server, error: message, previousRelease });
          }
        }),
      ),
    );
    if (failure) break;
  }
  return { ok: failure === null, failure };
}
