import type { Logger } from 'pino';
import { askCurrentReleases, DiscoveryUnansweredError } from '../fleet/current-releases.js';
import type { Connect, Discovery } from '../fleet/types.js';
import type { HostReadings } from './queries.js';

/** How long a server gets to say what it runs before it counts as unreachable: status answers within a few seconds. */
export const HOST_ANSWER_MS = 3_000;

/**
 * Asks an environment's servers what they run, bounded by `timeoutMs` per server. Callers that
 * ask while a reading of the same environment is under way share it, so twenty `/deploy status`
 * at once open one connection per server, not twenty. Never waits on a deployment or its lock.
 */
export function createHostReadings(options: { discoveries: Record<string, Discovery>; connectors: Record<string, Connect>; log: Logger; timeoutMs?: number }) {
  const timeoutMs = options.timeoutMs ?? HOST_ANSWER_MS;
  const underWay = new Map<string, Promise<HostReadings>>();

  async function ask(environment: string): Promise<HostReadings> {
    try {
      const answers = await askCurrentReleases(options.discoveries[environment]!, options.connectors[environment]!, { timeoutMs });
      const silent = answers.filter((answer) => answer.error);
      if (silent.length) options.log.info({ environment, hosts: silent.map((answer) => ({ host: answer.host, error: answer.error })) }, 'hosts did not say what they run');
      return { answers, error: null };
    } catch (error) {
      if (!(error instanceof DiscoveryUnansweredError)) throw error;
      options.log.warn({ environment, err: error }, 'could not ask the hosts what they run');
      return { answers: null, error: error.message };
    }
  }

  return {
    read(environment: string): Promise<HostReadings> {
      let reading = underWay.get(environment);
      if (!reading) {
        reading = ask(environment).finally(() => underWay.delete(environment));
        underWay.set(environment, reading);
      }
      return reading;
    },
  };
}
export type HostReadingsReader = ReturnType<typeof createHostReadings>;
