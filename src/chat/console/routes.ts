import express, { Router, type Response } from 'express';
import { callerOf } from '../../http/api-tokens.js';
import { HttpError } from '../../http/errors.js';
import { consoleUser } from '../../shared/actor.js';
import { ownEntry } from '../../shared/names.js';
import { toldToPresser } from '../actions.js';
import { press } from '../interactions.js';
import { codeMrkdwn, escapeMrkdwn } from '../mrkdwn.js';
import type { ChatMessage } from '../port.js';
import type { ConsoleOptions } from './options.js';
import { consoleGuard } from './auth.js';
import type { ConsoleChat } from './chat.js';
import { sendPage } from './deployment-pages.js';
import { consoleChannels, consoleUsers } from './directory.js';
import type { EventStream } from './event-stream.js';

/** The console's options, plus what `createConsole` builds for the routes. */
export type ConsoleRouteOptions = ConsoleOptions & { chat: ConsoleChat; stream: EventStream };

/**
 * The console's HTTP side: the page, the event stream, the state, and the commands and buttons
 * (the same handlers as Slack's). The deployment pages and the files are in deployment-pages.ts.
 */
export function consoleRoutes(options: ConsoleRouteOptions): Router {
  const { apps, chat, stream, log } = options;
  const router = Router();
  const guard = consoleGuard({ tokens: options.apiTokens, localMode: options.localMode });
  const channels = consoleChannels(apps);
  const users = consoleUsers(apps, options.directory);
  const defaultConfig = apps.apps.get(apps.defaultApp ?? [...apps.apps.keys()][0]!)!;
  const state = () => ({
    app: [...apps.apps.keys()].join(', '),
    apps: [...apps.apps.keys()],
    auth: options.apiTokens.length ? 'token' : 'loopback',
    channels,
    users,
    commands: Object.keys(options.commands),
    messages: chat.messages,
  });

  router.get('/', (_request, response) => sendPage(response, 'index.html'));
  router.get('/console', (_request, response) => response.redirect('/'));

  router.get('/console/state', guard, (_request, response) => {
    response.json(state());
  });

  router.get('/console/events', guard, (_request, response) => {
    stream.open(response, { event: 'state', data: state() });
  });

  router.post('/console/command', guard, express.json({ limit: '64kb' }), async (request, response) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const user = actingUser(body, response);
    const channel = channelOf(body);
    if (typeof body.command !== 'string' || !body.command.startsWith('/')) throw new HttpError(400, 'command must be a slash command such as /deploy');
    if (body.text !== undefined && typeof body.text !== 'string') throw new HttpError(400, 'text must be a string');
    const { command } = body;
    const text = (body.text ?? '').trim();
    chat.echo(channel, user, `${command}${text ? ` ${text}` : ''}`);
    const handler = ownEntry(options.commands, command);
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
      return tell({ text: `:x: igor could not answer ${codeMrkdwn(command)}: ${escapeMrkdwn((error as Error).message)}` });
    };
    try {
      const answer = handler(text, { actor: consoleUser(user), channel });
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
    const user = actingUser(body, response);
    const channel = channelOf(body);
    if (typeof body.action !== 'string' || typeof body.value !== 'string') throw new HttpError(400, 'action (igor.<action>) and value (a deployment or alarm id) are required');
    // The thread the button was pressed in, where a refusal is answered; none: beside the message, in the channel.
    if (body.thread !== undefined && body.thread !== null && (typeof body.thread !== 'string' || !/^\d+\.\d+$/.test(body.thread))) throw new HttpError(400, 'thread must be the ts of a thread\'s root message (like 1700000000.000001)');
    const thread = typeof body.thread === 'string' ? body.thread : null;
    const name = body.action.replace(/^igor\./, '');
    if (!options.interactions.has(name)) throw new HttpError(400, `igor has no button igor.${name}`);
    const value = body.value;
    // A button that needs a reason (Deploy anyway) is sent with the one the console prompted for.
    if (body.reason !== undefined && typeof body.reason !== 'string') throw new HttpError(400, 'reason must be a string');
    const outcome = await press(options.interactions, name, value, consoleUser(user), (error) => log.error({ err: error, action: name, value, user }, 'a console button failed'), { reason: body.reason });
    log.info({ action: name, value: body.value, user, ok: outcome.ok }, 'console button pressed');
    if (toldToPresser(outcome)) await chat.ephemeral(channel, user, { text: outcome.ok ? outcome.text : `:no_entry: ${outcome.text}` }, thread);
    response.json(outcome);
  });

  function channelOf(body: Record<string, unknown>): string {
    return typeof body.channel === 'string' && body.channel !== '' ? body.channel : defaultConfig.channels.deploys;
  }

  return router;
}

/** Who the console acts as: anyone in local mode or with a token that acts as anyone; with a token bound to a user, only that user. */
function actingUser(body: Record<string, unknown>, response: Response): string {
  if (typeof body.user !== 'string' || body.user === '') throw new HttpError(400, 'user is required: the user id the console acts as');
  const caller = callerOf(response);
  if (caller.user && caller.user !== body.user) throw new HttpError(403, `this API token (${caller.token}) acts only as ${caller.user}`);
  return body.user;
}

