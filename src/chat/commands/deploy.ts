import type { Logger } from 'pino';
import { InvalidRefError, checkRef } from '../../integration/refs.js';
import { RefusedError } from '../../pipeline/errors.js';
import type { Pipeline } from '../../pipeline/service.js';
import type { Config } from '../../config/schema.js';
import { historyMessage, plain, statusMessage } from '../messages.js';
import type { ChatMessage, CommandContext } from '../port.js';
import { DEPLOY_USAGE, parseDeployCommand, type DeployCommand } from './deploy-grammar.js';
import { UsageError } from './usage.js';
import type { CommandAnswer } from './answer.js';

/**
 * `/deploy`, chat-neutral: parses and answers. Unparseable text and refs that break git's rules
 * are answered at once, before any process runs; the deploy itself is answered later.
 */
export function createDeployCommand(deps: { pipeline: Pipeline; config: Config; log: Logger }) {
  const { pipeline, config } = deps;

  function answer(text: string, context: CommandContext): CommandAnswer {
    let command: DeployCommand;
    try {
      command = parseDeployCommand(text);
      if (command.kind === 'deploy') checkRef(command.ref);
    } catch (error) {
      if (error instanceof UsageError || error instanceof InvalidRefError) return { now: plain(`:warning: ${error.message}\n${DEPLOY_USAGE}`) };
      throw error;
    }
    try {
      return dispatch(command, context);
    } catch (error) {
      return { now: refusal(error) };
    }
  }

  function dispatch(command: DeployCommand, context: CommandContext): CommandAnswer {
    switch (command.kind) {
      case 'help':
        return { now: plain(DEPLOY_USAGE) };
      case 'status': {
        const names = command.environment ? [pipeline.environmentName(command.environment)] : Object.keys(config.environments);
        return {
          now: statusMessage(
            names.map((name) => {
              const history = pipeline.list({ environment: name, limit: 500 });
              return { name, lock: pipeline.lockOf(name), last: history[0], live: history.find((d) => d.state === 'succeeded') };
            }),
          ),
        };
      }
      case 'history': {
        const environment = command.environment ? pipeline.environmentName(command.environment) : undefined;
        return { now: historyMessage(pipeline.list({ environment, limit: 10 })) };
      }
      case 'cancel':
      case 'lock':
      case 'unlock':
        return { now: plain(`:construction: \`/deploy ${command.kind}\` is not supported yet.`) };
      case 'deploy':
        return {
          now: null,
          later: async () => {
            try {
              const deployment = await pipeline.request({ ref: command.ref, environment: command.environment, user: context.user });
              return plain(
                `:rocket: Deployment ${deployment.id} of \`${deployment.ref}\` (${deployment.sha!.slice(0, 7)}) to ${deployment.environment} started: follow it in <#${config.environments[deployment.environment]!.channel ?? config.channels.deploys}>.`,
              );
            } catch (error) {
              deps.log.info({ err: error, ref: command.ref }, 'deploy refused');
              return refusal(error);
            }
          },
        };
    }
  }

  return { answer };
}

function refusal(error: unknown): ChatMessage {
  if (error instanceof RefusedError) return plain(`:no_entry: ${error.message}`);
  throw error;
}
