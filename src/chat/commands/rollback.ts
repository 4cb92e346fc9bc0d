import type { Logger } from 'pino';
import { namesEnvironment } from '../../config/apps.js';
import type { Pipelines } from '../../pipeline/pipelines.js';
import { plain } from '../messages.js';
import { escapeMrkdwn } from '../mrkdwn.js';
import type { CommandContext } from '../port.js';
import { laterAnswer, refusalMessage, type CommandAnswer } from './answer.js';

export const ROLLBACK_USAGE = '`/rollback [[app/]env] [release]`: back to the previous good release, or the one named (release id or commit)';

/**
 * Parses the text after `/rollback`: the first word is an environment only if `isEnvironment`
 * says it names one (`production`, `shop/production`); the rest is the release id or commit.
 */
export function parseRollbackCommand(text: string, isEnvironment: (word: string) => boolean): { environment?: string; release?: string } | null {
  const words = text.trim().split(/\s+/).filter(Boolean);
  if (words.length > 2) return null;
  if (words[0] === 'help') return null;
  if (words.length === 2) return isEnvironment(words[0]!) ? { environment: words[0]!, release: words[1]! } : null;
  if (words.length === 1) return isEnvironment(words[0]!) ? { environment: words[0]! } : { release: words[0]! };
  return {};
}

/** `/rollback`, chat-neutral. */
export function createRollbackCommand(deps: { pipelines: Pipelines; log: Logger }) {
  const { pipelines } = deps;
  const several = pipelines.apps.apps.size > 1;
  // A word with a slash is `app/env` even when it names none (releases and commits have no slash),
  // so a mistyped app or environment is refused with the nearest name rather than taken for a release.
  const isEnvironment = (word: string) => word.includes('/') || namesEnvironment(pipelines.apps, word);

  return {
    answer(text: string, context: CommandContext): CommandAnswer {
      const parsed = parseRollbackCommand(text, isEnvironment);
      if (!parsed) return { now: plain(text.trim() === 'help' ? ROLLBACK_USAGE : `:warning: expected ${ROLLBACK_USAGE}`) };
      let target;
      try {
        target = pipelines.at(parsed.environment);
      } catch (error) {
        return { now: refusalMessage(error) };
      }
      const { pipeline, environment } = target;
      return laterAnswer(
        async () => {
          const deployment = await pipeline.requestRollback({ environment, release: parsed.release ?? null, actor: context.actor });
          const where = escapeMrkdwn(several ? `${deployment.app}/${deployment.environment}` : deployment.environment);
          return plain(`:rewind: Rollback ${deployment.id} puts ${deployment.release} back on ${where}${deployment.fromRelease ? ` (from ${deployment.fromRelease})` : ''}.`);
        },
        deps.log,
        '/rollback',
      );
    },
  };
}
