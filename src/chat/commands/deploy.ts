import type { Logger } from 'pino';
import { InvalidRefError, checkRef } from '../../integration/refs.js';
import type { Pipeline } from '../../pipeline/service.js';
import { appOfEnvironment, appOfRef, fromSingleApp } from '../../config/apps.js';
import { environmentChannel, findEnvironment } from '../../config/environments.js';
import type { Config } from '../../config/schema.js';
import { historyMessage, plain } from '../messages.js';
import { statusMessage } from '../status-message.js';
import { channelMention, codeMrkdwn, escapeMrkdwn } from '../mrkdwn.js';
import type { ChatMessage, CommandContext } from '../port.js';
import { DEPLOY_USAGE, parseDeployCommand, type DeployCommand } from './deploy-grammar.js';
import { UsageError } from './usage.js';
import { laterAnswer, refusalMessage, type CommandAnswer } from './answer.js';
import { newestLive } from '../../pipeline/queries.js';

/**
 * `/deploy`, chat-neutral: parses and answers. Unparseable text and refs that break git's rules
 * are answered at once, before any process runs; the deploy itself is answered later.
 */
export function createDeployCommand(deps: {
  pipeline: Pipeline;
  config: Config;
  log: Logger;
  /** The flags changed in an environment since a time, in words (null when none). */
  flagsChangedSince?: (environment: string, sinceIso: string | null) => string | null;
}) {
  const { pipeline, config } = deps;
  const apps = fromSingleApp(config);

  /** The environment `app/env` or a bare `env` names (an app this igor does not serve is refused). */
  const environmentOf = (text: string | undefined) => appOfEnvironment(apps, text).environment;

  /** `/deploy status [app|app/env|env]`: the environments it shows. */
  function statusNames(text: string | undefined): string[] {
    // An app's name alone (that is not an environment's) is all of that app's environments.
    const wholeApp = text !== undefined && !text.includes('/') && apps.apps.has(text) && !findEnvironment(config, text);
    const environment = wholeApp ? undefined : environmentOf(text);
    return environment ? [pipeline.environmentName(environment)] : Object.keys(config.environments);
  }

  const later = (work: () => Promise<ChatMessage>) => laterAnswer(work, deps.log, '/deploy');

  function answer(text: string, context: CommandContext): CommandAnswer {
    let command: DeployCommand;
    try {
      command = parseDeployCommand(text);
      // `shop/main` is `main` of the app shop; the ref is checked once its app is taken off.
      if (command.kind === 'deploy') {
        command = { ...command, ref: appOfRef(apps, command.ref).ref };
        checkRef(command.ref);
      }
    } catch (error) {
      if (error instanceof UsageError || error instanceof InvalidRefError) return { now: plain(`:warning: ${escapeMrkdwn(error.message)}\n${DEPLOY_USAGE}`) };
      throw error;
    }
    try {
      return dispatch(command, context);
    } catch (error) {
      return { now: refusalMessage(error) };
    }
  }

  function dispatch(command: DeployCommand, context: CommandContext): CommandAnswer {
    switch (command.kind) {
      case 'help':
        return { now: plain(DEPLOY_USAGE) };
      case 'status': {
        const names = statusNames(command.environment);
        return later(async () =>
          statusMessage(
            await Promise.all(
              names.map(async (name) => {
                // The hosts are asked, each bounded by a short timeout: status never waits on a silent host or a deployment's lock.
                const live = await pipeline.liveNow(name);
                return {
                  name,
                  lock: pipeline.lockOf(name),
                  manualLock: pipeline.manualLockOf(name),
                  last: pipeline.list({ environment: name, limit: 1 })[0],
                  live,
                  flags: deps.flagsChangedSince?.(name, newestLive(live)?.finishedAt ?? null) ?? null,
                };
              }),
            ),
          ),
        );
      }
      case 'history': {
        const named = environmentOf(command.environment);
        const environment = named ? pipeline.environmentName(named) : undefined;
        return { now: historyMessage(pipeline.list({ environment, limit: 10 })) };
      }
      case 'cancel':
        return later(async () => {
          const deployment = pipeline.activeIn(pipeline.environmentName(environmentOf(command.environment)));
          await pipeline.cancel(deployment.id, context.actor);
          return plain(`:no_entry_sign: Cancelled deployment ${deployment.id} (\`${deployment.ref}\` to ${deployment.environment}).`);
        });
      case 'lock': {
        const environment = environmentOf(command.environment)!;
        return later(async () => {
          await pipeline.lock(environment, context.actor, command.reason ?? null);
          return plain(`:lock: ${environment} is locked${command.reason ? `: ${command.reason}` : ''}. Deploys are refused until \`/deploy unlock ${environment}\`.`);
        });
      }
      case 'unlock': {
        const environment = environmentOf(command.environment)!;
        return later(async () => {
          await pipeline.unlock(environment, context.actor);
          return plain(`:unlock: ${environment} is unlocked.`);
        });
      }
      case 'deploy':
        return later(async () => {
          const deployment = await pipeline.request({ ref: command.ref, environment: command.environment, actor: context.actor });
          const channel = environmentChannel(config, deployment.environment);
          return plain(`:rocket: Deployment ${deployment.id} of ${codeMrkdwn(deployment.ref)} (${deployment.sha!.slice(0, 7)}) to ${escapeMrkdwn(deployment.environment)} started: follow it in ${channelMention(channel)}.`);
        });
    }
  }

  return { answer };
}

