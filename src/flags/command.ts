import type { Logger } from 'pino';
import { laterAnswer, refusalMessage, type CommandAnswer } from '../chat/commands/answer.js';
import { UsageError } from '../chat/commands/usage.js';
import { plain } from '../chat/messages.js';
import { channelMention, codeMrkdwn, escapeMrkdwn, mrkdwn } from '../chat/mrkdwn.js';
import type { ChatMessage, CommandContext } from '../chat/port.js';
import { environmentChannel } from '../config/environments.js';
import type { Config } from '../config/schema.js';
import { RefusedError } from '../shared/refusal.js';
import { viaOf } from '../shared/actor.js';
import { parseFlagsCommand, type FlagsCommand } from './grammar.js';
import { FLAGS_USAGE, flagListMessage } from './messages.js';
import type { FlagsService } from './service.js';
import { appOfEnvironment, fromSingleApp } from '../config/apps.js';

/**
 * `/flags`, chat-neutral: parses and answers. Listing answers at once; a change is answered once it
 * is stored, and announced in the environment's channel for everyone.
 */
export function createFlagsCommand(deps: { flags: FlagsService; config: Config; log: Logger; publicUrl: () => string }) {
  const { flags, config } = deps;
  const apps = fromSingleApp(config);
  const later = (work: () => Promise<ChatMessage>) => laterAnswer(work, deps.log, '/flags');

  function answer(text: string, context: CommandContext): CommandAnswer {
    let command: FlagsCommand;
    try {
      command = parseFlagsCommand(text);
    } catch (error) {
      if (error instanceof UsageError) return { now: plain(`:warning: ${escapeMrkdwn(error.message)}\n${FLAGS_USAGE}`) };
      throw error;
    }
    try {
      // `shop/staging` is the environment staging of the app shop.
      if (command.kind !== 'help' && command.environment !== undefined) command = { ...command, environment: appOfEnvironment(apps, command.environment).environment };
      return dispatch(command, context);
    } catch (error) {
      // `/flags stagin`: the word may be a mistyped command as much as a mistyped environment.
      if (command.kind === 'list' && error instanceof RefusedError && error.code === 'not-found') return { now: plain(`:warning: ${mrkdwn(error.words)}\n${FLAGS_USAGE}`) };
      return { now: refusalMessage(error) };
    }
  }

  function dispatch(command: FlagsCommand, context: CommandContext): CommandAnswer {
    switch (command.kind) {
      case 'help':
        return { now: plain(FLAGS_USAGE) };
      case 'list': {
        const environment = flags.environmentName(command.environment);
        return { now: flagListMessage(environment, flags.flagsOf(environment), deps.publicUrl()) };
      }
      case 'set':
        return later(async () => {
          const { change, flag } = await flags.set({ environment: command.environment, key: command.key, value: command.value, user: context.actor.user, via: viaOf(context.actor) });
          if (!change) return plain(`:information_source: ${codeMrkdwn(flag.key)} is ${flag.value} in ${escapeMrkdwn(flag.environment)} already: nothing changed.`);
          return plain(`:white_check_mark: ${codeMrkdwn(change.key)} in ${escapeMrkdwn(change.environment)}: ${change.from ?? 'not set'} → ${change.to} (change ${change.id}), announced in ${channelMention(channelOf(change.environment))}.`);
        });
      case 'delete':
        return later(async () => {
          const change = await flags.remove({ environment: command.environment, key: command.key, user: context.actor.user, via: viaOf(context.actor) });
          return plain(`:wastebasket: Deleted ${codeMrkdwn(change.key)} in ${escapeMrkdwn(change.environment)} (it was ${change.from}; change ${change.id}), announced in ${channelMention(channelOf(change.environment))}.`);
        });
    }
  }

  const channelOf = (environment: string) => environmentChannel(config, environment);

  return { answer };
}

