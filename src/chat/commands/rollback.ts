import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import type { Pipeline } from '../../pipeline/service.js';
import { plain } from '../messages.js';
import type { CommandContext } from '../port.js';
import { laterAnswer, type CommandAnswer } from './answer.js';

export const ROLLBACK_USAGE = '`/rollback [[app/]env] [release]`: back to the previous good release, or the one named (release id or commit)';

/**
 * Parses the text after `/rollback`: the first word is an environment only if one is configured
 * by that name; the rest is the release id or commit.
 */
export function parseRollbackCommand(text: string, environments: readonly string[]): { environment?: string; release?: string } | null {
  const words = text.trim().split(/\s+/).filter(Boolean);
  if (words.length > 2) return null;
  if (words[0] === 'help') return null;
  if (words.length === 2) return environments.includes(words[0]!) ? { environment: words[0]!, release: words[1]! } : null;
  if (words.length === 1) return environments.includes(words[0]!) ? { environment: words[0]! } : { release: words[0]! };
  return {};
}

/** `/rollback`, chat-neutral. */
export function createRollbackCommand(deps: { pipeline: Pipeline; config: Config; log: Logger }) {
  return {
    answer(text: string, context: CommandContext): CommandAnswer {
      const names = Object.keys(deps.config.environments);
      // An environment may be named as the app's: `shop/production`.
      const prefix = `${deps.config.app}/`;
      const parsed = parseRollbackCommand(text, [...names, ...names.map((name) => prefix + name)]);
      if (parsed?.environment?.startsWith(prefix)) parsed.environment = parsed.environment.slice(prefix.length);
      if (!parsed) return { now: plain(text.trim() === 'help' ? ROLLBACK_USAGE : `:warning: expected ${ROLLBACK_USAGE}`) };
      return laterAnswer(
        async () => {
          const deployment = await deps.pipeline.requestRollback({ environment: parsed.environment, release: parsed.release ?? null, actor: context.actor });
          return plain(`:rewind: Rollback ${deployment.id} puts ${deployment.release} back on ${deployment.environment}${deployment.fromRelease ? ` (from ${deployment.fromRelease})` : ''}.`);
        },
        deps.log,
        '/rollback',
      );
    },
  };
}
