import express, { type Express, type Router } from 'express';
import type { Logger } from 'pino';
import { apiGuard, type ApiToken } from './api-tokens.js';
import { HttpError, jsonErrors } from './errors.js';

export interface HttpOptions {
  apiTokens: readonly ApiToken[];
  localMode: boolean;
  log: Logger;
  /** Routers under `/api`, guarded by the API token. */
  api: Record<string, Router>;
  /** Routers with an authentication of their own (webhooks), mounted before the API token guard. */
  ownAuth?: Record<string, Router>;
}

/**
 * The one HTTP app: `/healthz`, the control API under `/api`, and whatever the composition root
 * mounts before calling {@link finishHttpApp} (Slack's `/slack/events`).
 */
export function createHttpApp(options: HttpOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_request, response) => {
    response.json({ status: 'ok' });
  });
  for (const [path, router] of Object.entries(options.ownAuth ?? {})) app.use(path, router);
  const api = express.Router();
  api.use(apiGuard({ tokens: options.apiTokens, allowLoopbackWithoutToken: options.localMode }));
  api.use(express.json({ limit: '1mb' }));
  for (const [path, router] of Object.entries(options.api)) api.use(path, router);
  app.use('/api', api);
  return app;
}

/** 404s and errors as JSON; call after every route is mounted. */
export function finishHttpApp(app: Express, log: Logger): void {
  app.use((request, _response, next) => next(new HttpError(404, `nothing at ${request.method} ${request.path}`)));
  app.use(jsonErrors(log));
}
