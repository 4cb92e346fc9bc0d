import { App, ExpressReceiver, SocketModeReceiver } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import type { Express } from 'express';
import type { Logger } from 'pino';
import { ConfigError } from '../../config/load.js';
import { BODY_LIMITS } from '../../http/body.js';
import { boltLogger } from './logger.js';
import { slackRequestGuard } from './request-guard.js';

export interface SlackSettings {
  botToken: string;
  signingSecret?: string | undefined;
  /** With it, Socket Mode; without it, HTTP on `/slack/events` of `http`. */
  appToken?: string | undefined;
  /** `SLACK_API_URL`. */
  apiUrl?: string | undefined;
}

/**
 * The Bolt app, in HTTP mode (its routes on igor's own express app) or in Socket Mode. Not started:
 * Socket Mode connects at `app.start()`; `socketMode` is there to wait for its socket to close.
 */
export function createBolt(slack: SlackSettings, http: Express, log: Logger): { app: App; socketMode: SocketModeReceiver | null } {
  const slackApiUrl = slack.apiUrl ? { slackApiUrl: slack.apiUrl } : {};
  // For the listeners' own calls (ephemeral answers, views.open): a few quick retries, each within
  // 10 s, then the call fails; a trigger_id is only good for 3 s anyway.
  const clientOptions = { ...slackApiUrl, timeout: 10_000, retryConfig: { retries: 2, factor: 2, minTimeout: 200, maxTimeout: 2_000 } };
  const logger = boltLogger(log);
  if (slack.appToken) {
    // Slack answers another kind of token with an error the socket client retries for ever: refuse it here.
    if (!slack.appToken.startsWith('xapp-')) throw new ConfigError('SLACK_APP_TOKEN must be an app-level token (xapp-…, with the connections:write scope); unset it for HTTP mode');
    // installerOptions.clientOptions reaches the socket client's own Web API calls (apps.connections.open).
    // Only the URL: its own retries are made for reconnecting, and with our quick ones a reconnect
    // during a short Slack outage gave up in a rejection nothing catches, which ends the process.
    const socketMode = new SocketModeReceiver({ appToken: slack.appToken, installerOptions: { clientOptions: slackApiUrl }, logger });
    return { app: new App({ token: slack.botToken, receiver: socketMode, clientOptions, logger, deferInitialization: true }), socketMode };
  }
  if (!slack.signingSecret) throw new ConfigError('SLACK_SIGNING_SECRET is required with SLACK_BOT_TOKEN (or set SLACK_APP_TOKEN for Socket Mode)');
  // Registered before the receiver's own router, so every request passes the guard first.
  http.use('/slack/events', ...slackRequestGuard({ signingSecret: slack.signingSecret, log }));
  const receiver = new ExpressReceiver({ signingSecret: slack.signingSecret, app: http, logger, bodyLimit: BODY_LIMITS.slack });
  return { app: new App({ token: slack.botToken, receiver, clientOptions, logger, deferInitialization: true }), socketMode: null };
}

/**
 * The client the outbox sends through: no retries of its own and a 429 rejected at once with its
 * Retry-After, so the outbox decides when to try again (the default client would wait, pausing its
 * whole queue, and retry for half an hour); a timeout, so a Slack that hangs cannot hold a lane.
 */
export function createDeliveryClient(slack: SlackSettings, log: Logger): WebClient {
  return new WebClient(slack.botToken, {
    ...(slack.apiUrl ? { slackApiUrl: slack.apiUrl } : {}),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: 10_000,
    logger: boltLogger(log),
  });
}

/**
 * The client for lookups (names, user groups): a short timeout and one quick retry, so a Slack that
 * hangs delays a refusal or a name by seconds, never a press for long.
 */
export function createLookupClient(slack: SlackSettings, log: Logger): WebClient {
  return new WebClient(slack.botToken, {
    ...(slack.apiUrl ? { slackApiUrl: slack.apiUrl } : {}),
    retryConfig: { retries: 1, factor: 1, minTimeout: 200, maxTimeout: 500 },
    rejectRateLimitedCalls: true,
    timeout: 5_000,
    logger: boltLogger(log),
  });
}
