import express, { Router, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { isLoopback, requireBearer } from '../http/auth.js';
import { HttpError } from '../http/errors.js';
import { BODY_LIMITS } from '../http/body.js';
import { jsonErrors } from '../http/errors.js';
import type { Evaluator } from './evaluate.js';
import { etagOf, flagdJson, matchesIfNoneMatch } from './flagd.js';
import { failureBody, readEvaluationRequest, statusOf } from './ofrep.js';
import type { FlagsService } from './service.js';

/** Who may read the flags; see `FlagsOptions.flagsAccess`. */
export type FlagsAccess = 'token' | 'open' | 'loopback';

/**
 * What apps read, mounted at `/flags`: `/:environment/flagd.json` for flagd and its providers, and
 * OFREP under `/:environment/ofrep/v1/…`, so `@openfeature/ofrep-provider` with `baseUrl`
 * `http://igor:3000/flags/production` works unchanged. Behind `IGOR_FLAGS_TOKEN` when one is set.
 */
export function flagPublicRoutes(options: { flags: FlagsService; evaluator: Evaluator; token: string | undefined; access: FlagsAccess; log: Logger }): Router {
  const { flags, evaluator } = options;
  const router = Router();
  if (options.access === 'token' && options.token) router.use(requireBearer({ token: options.token, allowLoopbackWithoutToken: false, what: 'the flag endpoints (IGOR_FLAGS_TOKEN)' }));
  if (options.access === 'loopback') {
    router.use((request, _response, next) => {
      if (isLoopback(request.socket.remoteAddress)) return next();
      next(new HttpError(401, 'the flag endpoints need IGOR_FLAGS_TOKEN when called from another machine (or IGOR_FLAGS_PUBLIC=true to serve them to anyone)'));
    });
  }
  // OFREP bodies are read as text so that bad JSON gets OFREP's PARSE_ERROR, not a generic 400.
  const body = express.text({ type: () => true, limit: BODY_LIMITS.flags });

  router.get('/:environment/flagd.json', (request, response) => {
    const environment = flags.environmentName(request.params.environment);
    sendTagged(request, response, flagdJson(flags.flagsOf(environment)));
  });

  router.post('/:environment/ofrep/v1/evaluate/flags', body, (request, response) => {
    const environment = flags.environmentName(request.params.environment);
    const parsed = readEvaluationRequest(request.body);
    if ('errorCode' in parsed) {
      response.status(400).json(failureBody(parsed));
      return;
    }
    const results = evaluator.evaluateAll(environment, flags.flagsOf(environment), parsed.context);
    sendTagged(request, response, JSON.stringify({ flags: results.map((result) => ('errorCode' in result ? failureBody(result) : result)) }));
  });

  router.post('/:environment/ofrep/v1/evaluate/flags/:key', body, (request, response) => {
    const environment = flags.environmentName(request.params.environment);
    const { key } = request.params;
    const parsed = readEvaluationRequest(request.body);
    if ('errorCode' in parsed) {
      response.status(400).json(failureBody({ key, ...parsed }));
      return;
    }
    const result = evaluator.evaluate(environment, flags.flagsOf(environment), key, parsed.context);
    response.status(statusOf(result)).json('errorCode' in result ? failureBody(result) : result);
  });

  router.use(jsonErrors(options.log));
  return router;
}

/** A JSON body with a strong ETag; `304` with no body when the caller's `If-None-Match` has it already. */
function sendTagged(request: Request, response: Response, text: string): void {
  const etag = etagOf(text);
  response.set({ ETag: etag, 'Cache-Control': 'no-cache' });
  if (matchesIfNoneMatch(request.get('if-none-match'), etag)) {
    response.status(304).end();
    return;
  }
  response.type('application/json').send(text);
}
