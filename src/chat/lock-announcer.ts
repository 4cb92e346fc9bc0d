import type { Logger } from 'pino';
import { environmentChannel } from '../config/environments.js';
import type { Config } from '../config/schema.js';
import type { LockEvent } from '../pipeline/events.js';
import type { Pipeline } from '../pipeline/service.js';
import { plain } from './messages.js';
import { dateMrkdwn, escapeMrkdwn as esc, mention } from './mrkdwn.js';
import type { Outbox } from './outbox/outbox.js';
import type { ChatMessage } from './port.js';

/**
 * What the environment's channel is told when a person locks or unlocks it: who, why, and since
 * when. `environment` as people name it (`shop/production` when igor serves several apps).
 * @example lockMessage({ type: 'locked', app: 'shop', lock: { environment: 'production', user: 'U0CAROL', reason: 'load test until 3pm', since } }, 'production')
 * // ':lock: <@U0CAROL> locked *production*: load test until 3pm. Deploys are refused until `/deploy unlock production`.'
 */
export function lockMessage(event: LockEvent, environment: string): ChatMessage {
  const { lock } = event;
  const reason = lock.reason ? `: ${esc(lock.reason)}` : '';
  if (event.type === 'locked') {
    return plain(`:lock: ${mention(lock.user)} locked *${esc(environment)}*${reason}. Deploys are refused until \`/deploy unlock ${esc(environment)}\`.`);
  }
  const locked = event.by === lock.user ? 'locked' : `${mention(lock.user)} locked it`;
  return plain(`:unlock: ${mention(event.by)} unlocked *${esc(environment)}* (${locked} ${dateMrkdwn(lock.since)}${reason}). Deploys are open again.`);
}

/**
 * Announces every lock a person puts on an environment of one app, or lifts, in the environment's
 * channel through the outbox (one lane per environment, so a lock and its unlock arrive in order),
 * whichever way it came: `/deploy lock`, the console, the API. Returns the function that stops it.
 */
export function createLockAnnouncer(options: { outbox: Outbox; config: Config; pipeline: Pipeline; named: boolean; log: Logger }): () => void {
  const { outbox, config, log } = options;
  return options.pipeline.onLock((event) => {
    const { environment } = event.lock;
    const named = options.named ? `${config.app}/${environment}` : environment;
    void outbox
      .post(environmentChannel(config, environment), lockMessage(event, named), { lane: `lock:${config.app}/${environment}` })
      .catch((error: unknown) => log.error({ err: error, environment }, 'could not queue the announcement of a lock'));
  });
}
