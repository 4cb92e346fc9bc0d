import type { Logger } from 'pino';
import { InvalidRefError, checkRef } from '../../integration/refs.js';
import type { Pipeline } from '../../pipeline/service.js';
import type { Pipelines } from '../../pipeline/pipelines.js';
import { appMeantBy, appOfRef } from '../../config/apps.js';
import { RefusedError } from '../../shared/refusal.js';
import { code, phrase } from '../../shared/phrase.js';
import { environmentChannel, findEnvironment } from '../../config/environments.js';
import { historyMessage, plain } from '../messages.js';
import { statusMessage, type AppStatus } from '../status-message.js';
import { channelMention, codeMrkdwn, escapeMrkdwn } from '../mrkdwn.js';
import type { ChatMessage, CommandContext } from '../port.js';
import { DEPLOY_USAGE, parseDeployCommand, type DeployCommand } from './deploy-grammar.js';
import { UsageError } from './usage.js';
import { queuedText } from '../queue-button.js';
import { laterAnswer, refusalMessage, type CommandAnswer } from './answer.js';
import { newestLive } from '../../pipeline/queries.js';
import type { Deployment } from '../../pipeline/types.js';

/**
 * `/deploy`, chat-neutral: parses and answers. Unparseable text and refs that break git's rules
 * are answered at once, before any process runs; the deploy itself is answered later.
 */
export function createDeployCommand(deps: {
  pipelines: Pipelines;
  log: Logger;
  /** The flags changed in an app's environment since a time, in words (null when none). */
  flagsChangedSince?: (app: string, environment: string, sinceIso: string | null) => string | null;
}) {
  const { pipelines } = deps;
  const { apps } = pipelines;
  const several = apps.apps.size > 1;

  /** `/deploy status [app|app/env|env]`: the apps and environments it shows. */
  function statusScope(text: string | undefined): Array<{ pipeline: Pipeline; names: string[] }> {
    const everything = (pipeline: Pipeline) => ({ pipeline, names: Object.keys(pipeline.config.environments) });
    if (text === undefined) return pipelines.all().map(everything);
    // An app's name alone (that is not an environment of the default app) is all of that app's environments.
    const defaultApp = apps.defaultApp ? pipelines.of(apps.defaultApp) : undefined;
    if (!text.includes('/') && pipelines.isApp(text) && !(defaultApp && findEnvironment(defaultApp.config, text))) return [everything(pipelines.of(text))];
    const { pipeline, environment } = pipelines.at(text);
    return [{ pipeline, names: [environment] }];
  }

  async function appStatus({ pipeline, names }: { pipeline: Pipeline; names: string[] }): Promise<AppStatus> {
    const app = pipeline.config.app;
    const environments = await Promise.all(
      names.map(async (name) => {
        // The hosts are asked, each bounded by a short timeout: status never waits on a silent host or a deployment's lock.
        const live = await pipeline.liveNow(name);
        return {
          name,
          lock: pipeline.lockOf(name),
          manualLock: pipeline.manualLockOf(name),
          last: pipeline.list({ environment: name, limit: 1 })[0],
          live,
          flags: deps.flagsChangedSince?.(app, name, newestLive(live)?.finishedAt ?? null) ?? null,
          rolledBack: undoneBy(pipeline, name, newestLive(live)),
          freeze: { now: pipeline.freezeOf(name), next: pipeline.nextFreezeOf(name) },
          queued: pipeline.waitingIn(name).length,
        };
      }),
    );
    return { app, environments };
  }

  /** When what is live was put there by a rollback: the deployment it took off, and the rollback. */
  function undoneBy(pipeline: Pipeline, environment: string, live: Deployment | undefined): { deployment: Deployment; by: Deployment } | null {
    if (live?.kind !== 'rollback') return null;
    const deployment = pipeline.list({ environment, limit: 100 }).find((entry) => entry.release === live.fromRelease && pipeline.rolledBackBy(entry)?.id === live.id);
    return deployment ? { deployment, by: live } : null;
  }

  /** With several apps, how to name one (`/deploy help`). */
  const appsUsage = escapeMrkdwn(
    `Apps: ${[...apps.apps.keys()].map((name) => `\`${name}\``).join(', ')}${apps.defaultApp ? ` (a bare ref or env is ${apps.defaultApp}'s)` : ''}. ` +
      'Name one as `/deploy <app>/<ref> [to <env>]`, and `<app>/<env>` wherever an environment is named.',
  );
  const later = (work: () => Promise<ChatMessage>) => laterAnswer(work, deps.log, '/deploy');
  /** How a deployment's environment is named to people: `shop/production` when igor serves several apps. */
  const where = (app: string, environment: string) => escapeMrkdwn(several ? `${app}/${environment}` : environment);

  /** A deploy or promotion that waits in its environment's queue: why, its place, and where to follow it. */
  const queuedAnswer = (pipeline: Pipeline, deployment: Deployment, channel: string) =>
    plain(`${queuedText(deployment, pipeline.queuePosition(deployment), where(deployment.app, deployment.environment))} Follow it in ${channelMention(channel)}.`);

  function answer(text: string, context: CommandContext): CommandAnswer {
    let command: DeployCommand;
    let app: string | undefined;
    try {
      command = parseDeployCommand(text);
      // `shop/main` is `main` of the app shop; the ref is checked once its app is taken off.
      if (command.kind === 'deploy') {
        const named = appOfRef(apps, command.ref);
        app = named.app;
        command = { ...command, ref: named.ref };
        checkRef(command.ref);
      }
    } catch (error) {
      if (error instanceof UsageError || error instanceof InvalidRefError) return { now: plain(`:warning: ${escapeMrkdwn(error.message)}\n${DEPLOY_USAGE}`) };
      return { now: refusalMessage(error) };
    }
    try {
      return dispatch(command, app, context);
    } catch (error) {
      return { now: refusalMessage(error) };
    }
  }

  function dispatch(command: DeployCommand, app: string | undefined, context: CommandContext): CommandAnswer {
    switch (command.kind) {
      case 'help':
        return { now: plain(several ? `${DEPLOY_USAGE}\n${appsUsage}` : DEPLOY_USAGE) };
      case 'status': {
        const scope = statusScope(command.environment);
        return later(async () => statusMessage(await Promise.all(scope.map(appStatus)), several));
      }
      case 'history': {
        if (command.environment === undefined) return { now: historyMessage(several ? pipelines.list({ limit: 10 }) : pipelines.of(undefined).list({ limit: 10 }), several, pipelines.rolledBackBy) };
        const { pipeline, environment } = pipelines.at(command.environment);
        return { now: historyMessage(pipeline.list({ environment, limit: 10 }), several, pipelines.rolledBackBy) };
      }
      case 'cancel': {
        const { pipeline, environment } = pipelines.at(command.environment);
        return later(async () => {
          const deployment = pipeline.activeIn(environment);
          await pipeline.cancel(deployment.id, context.actor);
          return plain(`:no_entry_sign: Cancelled deployment ${deployment.id} (\`${deployment.ref}\` to ${where(deployment.app, deployment.environment)}).`);
        });
      }
      case 'lock': {
        const { pipeline, environment } = pipelines.at(command.environment);
        const named = where(pipeline.config.app, environment);
        return later(async () => {
          await pipeline.lock(environment, context.actor, command.reason ?? null);
          return plain(`:lock: ${named} is locked${command.reason ? `: ${escapeMrkdwn(command.reason)}` : ''}. Deploys are refused until \`/deploy unlock ${named}\`.`);
        });
      }
      case 'unlock': {
        const { pipeline, environment } = pipelines.at(command.environment);
        return later(async () => {
          await pipeline.unlock(environment, context.actor);
          return plain(`:unlock: ${where(pipeline.config.app, environment)} is unlocked.`);
        });
      }
      case 'promote': {
        // `shop/staging` names the app; the target is an environment of that same app.
        const { pipeline, environment: from } = pipelines.at(command.from);
        return later(async () => {
          const deployment = await pipeline.requestPromotion({ from, environment: command.environment, actor: context.actor });
          const channel = environmentChannel(pipeline.config, deployment.environment);
          if (deployment.waiting) return queuedAnswer(pipeline, deployment, channel);
          return plain(
            `:arrow_double_up: Deployment ${deployment.id} promotes release ${codeMrkdwn(deployment.release!)} (${codeMrkdwn(deployment.ref)}, ${deployment.sha!.slice(0, 7)}) from ${where(deployment.app, from)} to ${where(deployment.app, deployment.environment)}: follow it in ${channelMention(channel)}.`,
          );
        });
      }
      case 'deploy': {
        const pipeline = pipelines.of(app);
        return later(async () => {
          const request = { ref: command.ref, environment: command.environment, actor: context.actor, ...(command.breakGlass !== undefined ? { breakGlass: command.breakGlass } : {}) };
          const deployment = await pipeline.request(request).catch((error: unknown) => {
            if (!(error instanceof RefusedError) || error.code !== 'not-found') throw error;
            const meant = appMeantBy(apps, command.ref);
            throw meant ? new RefusedError('not-found', phrase`${error.words}; or did you mean the app: ${code(`/deploy ${meant}`)}?`, { cause: error }) : error;
          });
          const channel = environmentChannel(pipeline.config, deployment.environment);
          if (deployment.waiting) return queuedAnswer(pipeline, deployment, channel);
          return plain(`:rocket: Deployment ${deployment.id} of ${codeMrkdwn(deployment.ref)} (${deployment.sha!.slice(0, 7)}) to ${where(deployment.app, deployment.environment)} started: follow it in ${channelMention(channel)}.`);
        });
      }
    }
  }

  return { answer };
}
