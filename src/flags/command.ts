import type { Logger } from 'pino';
import { laterAnswer, refusalMessage, type CommandAnswer } from '../chat/commands/answer.js';
import { UsageError } from '../chat/commands/usage.js';
import { plain } from '../chat/messages.js';
import { channelMention, codeMrkdwn, escapeMrkdwn, mrkdwn } from '../chat/mrkdwn.js';
import type { ChatMessage, CommandContext } from '../chat/port.js';
import { appOfEnvironment, type AppsConfig } from '../config/apps.js';
import { environmentChannel } from '../config/environments.js';
import { RefusedError } from '../shared/refusal.js';
import { viaOf } from '../shared/actor.js';
import { parseFlagsCommand, type FlagsCommand } from './grammar.js';
import { FLAGS_USAGE, flagListMessage } from './messages.js';
import type { FlagsService } from './service.js';

/**
 * `/flags`, chat-neutral: parses and answers, for every app (`/flags shop/staging`; a bare
 * environment is the default app's). Listing answers at once; a change is answered once it is
 * stored, and announced in the environment's channel for everyone.
 */
export function createFlagsCommand(deps: { apps: AppsConfig; services: ReadonlyMap<string, FlagsService>; log: Logger; publicUrl: () => string }) {
  const several = deps.apps.apps.size > 1;
  const later = (work: () => Promise<ChatMessage>) => laterAnswer(work, deps.log, '/flags');

  function answer(text: string, context: CommandContext): CommandAnswer {
    let command: FlagsCommand;
    try {
      command = parseFlagsCommand(text);
    } catch (error) {
      if (error instanceof UsageError) return { now: plain(`:warning: ${escapeMrkdwn(error.message)}\n${FLAGS_USAGE}`) };
      throw error;
    }
    if (command.kind === 'help') return { now: plain(FLAGS_USAGE) };
    try {
      // `shop/staging` is the environment staging of the app shop.
      const { app, environment } = appOfEnvironment(deps.apps, command.environment);
      return dispatch({ ...command, environment: deps.services.get(app)!.environmentName(environment) }, deps.services.get(app)!, context);
    } catch (error) {
      // `/flags stagin`: the word may be a mistyped command as much as a mistyped environment.
      if (command.kind === 'list' && error instanceof RefusedError && error.code === 'not-found') return { now: plain(`:warning: ${mrkdwn(error.words)}\n${FLAGS_USAGE}`) };
      return { now: refusalMessage(error) };
    }
  }

  function dispatch(command: Exclude<FlagsCommand, { kind: 'help' }> & { environment: string }, flags: FlagsService, context: CommandContext): CommandAnswer {
    const { environment } = command;
    /** As people name it: `shop/staging` when igor serves several apps. */
    const where = several ? `${flags.config.app}/${environment}` : environment;
    const channel = () => channelMention(environmentChannel(flags.config, environment));
    switch (command.kind) {
      case 'list':
        return { now: flagListMessage(where, flags.flagsOf(environment), deps.publicUrl()) };
      case 'set':
        return later(async () => {
          const { change, flag } = await flags.set({ environment, key: command.key, value: command.value, user: context.actor.user, via: viaOf(context.actor) });
          if (!change) return plain(`:information_source: ${codeMrkdwn(flag.key)} is ${flag.value} in ${escapeMrkdwn(where)} already: nothing changed.`);
          return plain(`:white_check_mark: ${codeMrkdwn(change.key)} in ${escapeMrkdwn(where)}: ${change.from ?? 'not set'} → ${change.to} (change ${change.id}), announced in ${channel()}.`);
        });
      case 'delete':
        return later(async () => {
          const change = await flags.remove({ environment, key: command.key, user: context.actor.user, via: viaOf(context.actor) });
          return plain(`:wastebasket: Deleted ${codeMrkdwn(change.key)} in ${escapeMrkdwn(where)} (it was ${change.from}; change ${change.id}), announced in ${channel()}.`);
        });
    }
  }

  return { answer };
}
