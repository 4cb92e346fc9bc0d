import { access } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router, type Response } from 'express';
import { HttpError } from '../../http/errors.js';
import { deploymentView } from '../../http/routes/deployments.js';
import { RefusedError } from '../../pipeline/errors.js';
import { ACTIVE } from '../../pipeline/states.js';
import type { Deployment } from '../../pipeline/types.js';
import { DEPLOYMENT_ACTIONS, type ActionOutcome, type DeploymentAction } from '../actions.js';
import type { ChatMessage } from '../port.js';
import type { ConsoleOptions } from './index.js';
import { consoleGuard } from './auth.js';
import type { ConsoleChat } from './chat.js';
import { consoleChannels, consoleUsers } from './directory.js';
import type { EventStream } from './event-stream.js';
import { followLog } from './log-follow.js';
import { readHostTimeline } from './timeline.js';

const PUBLIC = join(dirname(fileURLToPath(import.meta.url)), 'public');
/** The page's files: plain HTML, CSS and ES modules, served as they are. */
const ASSETS: Record<string, string> = {
  'console.js': 'text/javascript',
  'deployment.js': 'text/javascript',
  'blocks.js': 'text/javascript',
  'session.js': 'text/javascript',
  'console.css': 'text/css',
};
/** Scripts and styles only from this server; no inline script can run even if escaping failed somewhere. */
const PAGE_HEADERS = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
};
const HOUR_MS = 3_600_000;
const STEP_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** A button of another feature (`igor.flag-undo`, `igor.ci-retry`): its value and who pressed it. */
export type ExtraAction = (value: string, user: string) => Promise<ActionOutcome>;

/** The console's options, plus what `createConsole` builds for the routes. */
export type ConsoleRouteOptions = ConsoleOptions & { chat: ConsoleChat; stream: EventStream };

/**
 * The console's HTTP side: the page and its files, the event stream, the state, commands and
 * buttons (the same handlers as Slack's), and each deployment's page with its logs and timeline.
 */
export function consoleRoutes(options: ConsoleRouteOptions): Router {
  const { config, pipeline, chat, stream, log } = options;
  const router = Router();
  const guard = consoleGuard({ token: options.apiToken, localMode: options.localMode });
  const channels = consoleChannels(config);
  const users = consoleUsers(config);
  const state = () => ({
    app: config.app,
    auth: options.apiToken ? 'token' : 'loopback',
    channels,
    users,
    commands: Object.keys(options.commands),
    messages: chat.messages,
  });

  const page = (file: string) => (_request: unknown, response: Response) => {
    response.set(PAGE_HEADERS).sendFile(join(PUBLIC, file));
  };
  router.get('/', page('index.html'));
  router.get('/console', (_request, response) => response.redirect('/'));
  router.get('/console/deployments/:id', page('deployment.html'));
  router.get('/console/assets/:file', (request, response) => {
    const type = ASSETS[request.params.file];
    if (!type) throw new HttpError(404, `the console has no file ${request.params.file}`);
    response.set({ 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' }).sendFile(join(PUBLIC, request.params.file));
  });

  router.get('/console/state', guard, (_request, response) => {
    response.json(state());
  });

  // `?messages=none` (the deployment page): deployment changes only, after a `hello`.
  router.get('/console/events', guard, (request, response) => {
    if (request.query.messages === 'none') stream.open(response, { event: 'hello', data: { app: config.app } }, { messages: false });
    else stream.open(response, { event: 'state', data: state() });
  });

  router.post('/console/command', guard, express.json({ limit: '64kb' }), async (request, response) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const user = actingUser(body);
    const channel = channelOf(body);
    if (typeof body.command !== 'string' || !body.command.startsWith('/')) throw new HttpError(400, 'command must be a slash command such as /deploy');
    if (body.text !== undefined && typeof body.text !== 'string') throw new HttpError(400, 'text must be a string');
    const { command } = body;
    const text = (body.text ?? '').trim();
    chat.echo(channel, user, `${command}${text ? ` ${text}` : ''}`);
    const handler = options.commands[command];
    if (!handler) {
      const known = Object.keys(options.commands).map((name) => `\`${name}\``).join(', ');
      const message = `:warning: igor does not know \`${command}\`; it knows ${known}.`;
      await chat.ephemeral(channel, user, { text: message });
      response.json({ ok: false, text: message });
      return;
    }
    const tell = (message: ChatMessage) => chat.ephemeral(channel, user, message);
    const failed = (error: unknown) => {
      log.error({ err: error, command, user }, 'a console command failed');
      return tell({ text: `:x: igor could not answer \`${command}\`: ${(error as Error).message}` });
    };
    try {
      const answer = handler(text, { user, channel });
      if (answer.now) await tell(answer.now);
      // As in Slack, the later answer comes on its own; the request is answered at once.
      if (answer.later) void answer.later().then(tell, failed).catch((error: unknown) => log.error({ err: error }, 'could not show a command answer'));
    } catch (error) {
      await failed(error);
    }
    response.status(202).json({ ok: true });
  });

  router.post('/console/action', guard, express.json({ limit: '64kb' }), async (request, response) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const user = actingUser(body);
    const channel = channelOf(body);
    if (typeof body.action !== 'string' || typeof body.value !== 'string') throw new HttpError(400, 'action (igor.<action>) and value (a deployment or alarm id) are required');
    const name = body.action.replace(/^igor\./, '');
    const outcome = await press(name, body.value, user);
    log.info({ action: name, value: body.value, user, ok: outcome.ok }, 'console button pressed');
    if (!outcome.ok) await chat.ephemeral(channel, user, { text: `:no_entry: ${outcome.text}` });
    response.json(outcome);
  });

  async function press(name: string, value: string, user: string): Promise<ActionOutcome> {
    if ((DEPLOYMENT_ACTIONS as readonly string[]).includes(name)) return options.actions.press(name as DeploymentAction, value, user);
    const alarmAction = name === 'acknowledge' ? () => options.alarms.acknowledge(value, user) : name === 'silence' ? () => options.alarms.silence(value, user, HOUR_MS) : null;
    if (alarmAction) {
      try {
        await alarmAction();
        return { ok: true, text: name === 'acknowledge' ? `Acknowledged alarm ${value}.` : `Silenced alarm ${value} for an hour.` };
      } catch (error) {
        if (error instanceof RefusedError) return { ok: false, text: error.message };
        throw error;
      }
    }
    const extra = options.extraActions?.[name];
    if (extra) return extra(value, user);
    throw new HttpError(400, `igor has no button igor.${name}`);
  }

  router.get('/console/deployments/:id/data', guard, async (request, response) => {
    const deployment = found(String(request.params.id));
    const logs = await Promise.all(deployment.steps.map(async (step) => ((await exists(pipeline.logPath(deployment.id, step.name))) ? step.name : null)));
    response.json({
      deployment: deploymentView(deployment),
      timeline: await readHostTimeline(pipeline.logPath(deployment.id, deployment.kind === 'rollback' ? 'rollback' : 'deploy')),
      logs: logs.filter(Boolean),
      active: ACTIVE.has(deployment.state),
    });
  });

  router.get('/console/deployments/:id/logs/:step', guard, async (request, response) => {
    const deployment = found(String(request.params.id));
    const step = String(request.params.step);
    if (!STEP_NAME.test(step) || !deployment.steps.some((entry) => entry.name === step)) throw new HttpError(404, `deployment ${deployment.id} has no step ${step}`);
    const path = pipeline.logPath(deployment.id, step);
    const stillWriting = () => {
      const record = deployment.steps.find((entry) => entry.name === step);
      return ACTIVE.has(deployment.state) && (record?.state === 'running' || record?.state === 'pending');
    };
    if (!stillWriting() && !(await exists(path))) throw new HttpError(404, `the ${step} step of deployment ${deployment.id} has no log`);
    await followLog(path, stillWriting, response);
  });

  function found(id: string): Deployment {
    const deployment = pipeline.get(id);
    if (!deployment) throw new HttpError(404, `there is no deployment ${id}`);
    return deployment;
  }

  function channelOf(body: Record<string, unknown>): string {
    return typeof body.channel === 'string' && body.channel !== '' ? body.channel : config.channels.deploys;
  }

  return router;
}

function actingUser(body: Record<string, unknown>): string {
  if (typeof body.user !== 'string' || body.user === '') throw new HttpError(400, 'user is required: the user id the console acts as');
  return body.user;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
