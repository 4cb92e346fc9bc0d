import { createHash } from 'node:crypto';
import { createNodeMiddleware, Webhooks, type EmitterWebhookEventName } from '@octokit/webhooks';
import { Router } from 'express';
import type { Logger } from 'pino';
import { BODY_LIMITS, concurrencyGate, readCappedBody } from '../../http/body.js';
import { HttpError } from '../../http/errors.js';
import type { Deliveries } from './deliveries.js';
import { deliveryProblem } from './payloads.js';
import type { WebhookContext, WebhookHandler, WebhookHandlers } from './types.js';

export interface GithubWebhookOptions {
  /** `GITHUB_WEBHOOK_SECRET`; without it every delivery is refused (503), never accepted unsigned. */
  secret: string | undefined;
  handlers: WebhookHandlers;
  context: WebhookContext;
  deliveries: Deliveries;
  log: Logger;
}

/**
 * `POST /api/github/webhooks`, built on `@octokit/webhooks`: mount the router at that path,
 * before the API token guard and any body parser (`ownAuth` of `createHttpApp`). The signature is
 * checked first with the library's `verify`, so a bad or missing one is a 401 that names
 * GITHUB_WEBHOOK_SECRET (the library alone would answer 400); then `createNodeMiddleware` parses
 * the event and runs the handlers of the table, once per `X-GitHub-Delivery`. Handlers only
 * queue work, so GitHub gets its answer at once.
 */
export function githubWebhookRoutes(options: GithubWebhookOptions): Router {
  const log = options.log.child({ component: 'github-webhooks' });
  const router = Router();
  if (!options.secret) {
    router.post('/', () => {
      log.warn('refused a GitHub webhook delivery: GITHUB_WEBHOOK_SECRET is not set');
      throw new HttpError(503, 'GitHub webhooks are not configured here: set GITHUB_WEBHOOK_SECRET to the secret of the webhook (igor never accepts unsigned deliveries)');
    });
    return router;
  }

  const libraryLog = {
    debug: (message: unknown) => log.debug(String(message)),
    info: (message: unknown) => log.debug(String(message)),
    warn: (message: unknown) => log.warn(String(message)),
    error: (error: unknown) => log.warn({ err: error }, 'a GitHub webhook delivery was not accepted'),
  };
  const webhooks = new Webhooks({ secret: options.secret, log: libraryLog });
  webhooks.onError((error) => {
    log.error({ err: error, delivery: error.event?.id, event: error.event?.name }, 'a GitHub webhook handler failed');
  });
  webhooks.onAny((event) => {
    if (!(event.name in options.handlers)) log.info({ delivery: event.id, event: event.name }, 'ignored a GitHub event igor does not act on');
  });

  /** The digest of each delivery's body while its handlers run, by delivery id. */
  const digests = new Map<string, string>();
  const register = <E extends EmitterWebhookEventName>(name: E, handlers: ReadonlyArray<WebhookHandler<E>>) => {
    webhooks.on(name, async (event) => {
      // X-GitHub-Delivery is not signed: the signed body's digest tells a replay under a new id.
      const delivery = { id: event.id, digest: digests.get(event.id) ?? '' };
      if (!options.deliveries.claim(delivery)) {
        log.info({ delivery: event.id, event: event.name }, 'ignored a delivery already acted on');
        return;
      }
      try {
        for (const handler of handlers) await handler(event, options.context);
      } catch (error) {
        options.deliveries.release(delivery);
        throw error;
      }
      await options.deliveries.remember(delivery);
    });
  };
  for (const [name, handlers] of Object.entries(options.handlers)) {
    // Object.entries forgets that each name goes with its own handlers' event type.
    register(name as EmitterWebhookEventName, handlers as unknown as ReadonlyArray<WebhookHandler<EmitterWebhookEventName>>);
  }
  // Mounted at its path, the router sees the request at `/`.
  const receive = createNodeMiddleware(webhooks, { path: '/', log: libraryLog });

  router.post('/', concurrencyGate(8, 'GitHub webhook deliveries'), async (request, response, next) => {
    const body = (await readCappedBody(request, BODY_LIMITS.github)).toString('utf8');
    const signature = request.get('x-hub-signature-256');
    const facts = { delivery: request.get('x-github-delivery'), event: request.get('x-github-event') };
    if (!signature) {
      log.warn(facts, 'refused an unsigned GitHub webhook delivery');
      throw new HttpError(401, 'the delivery has no X-Hub-Signature-256: give the webhook on GitHub a secret, the same as GITHUB_WEBHOOK_SECRET');
    }
    if (!(await webhooks.verify(body, signature).catch(() => false))) {
      log.warn(facts, 'refused a GitHub webhook delivery: bad signature');
      throw new HttpError(401, 'the signature (X-Hub-Signature-256) does not match: the webhook secret on GitHub must be GITHUB_WEBHOOK_SECRET');
    }
    // A body of another content type is the library's to refuse (415, naming application/json).
    const json = (request.get('content-type') ?? '').startsWith('application/json');
    const problem = json ? deliveryProblem(facts.event, facts.delivery, body) : null;
    if (problem) {
      log.warn({ ...facts, problem }, 'refused a signed GitHub webhook delivery igor cannot read');
      throw new HttpError(400, problem);
    }
    // The library takes a string body as the payload instead of reading the (already read) stream.
    (request as { body?: unknown }).body = body;
    const id = facts.delivery ?? '';
    digests.set(id, createHash('sha256').update(body).digest('hex'));
    try {
      await receive(request, response, next);
    } finally {
      digests.delete(id);
    }
  });
  return router;
}
