import type { IncomingMessage } from 'node:http';
import { createNodeMiddleware, Webhooks, type EmitterWebhookEventName } from '@octokit/webhooks';
import { Router } from 'express';
import type { Logger } from 'pino';
import { HttpError } from '../../http/errors.js';
import type { Deliveries } from './deliveries.js';
import type { WebhookContext, WebhookHandler, WebhookHandlers } from './types.js';

export interface GithubWebhookOptions {
  /** `GITHUB_WEBHOOK_SECRET`; without it every delivery is refused (503), never accepted unsigned. */
  secret: string | undefined;
  handlers: WebhookHandlers;
  context: WebhookContext;
  deliveries: Deliveries;
  log: Logger;
}

/** GitHub sends at most 25 MB. */
const MAX_BODY_BYTES = 25 * 1024 * 1024;

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

  const register = <E extends EmitterWebhookEventName>(name: E, handlers: ReadonlyArray<WebhookHandler<E>>) => {
    webhooks.on(name, async (event) => {
      if (!options.deliveries.claim(event.id)) {
        log.info({ delivery: event.id, event: event.name }, 'ignored a delivery already acted on');
        return;
      }
      try {
        for (const handler of handlers) await handler(event, options.context);
      } catch (error) {
        options.deliveries.release(event.id);
        throw error;
      }
      await options.deliveries.remember(event.id);
    });
  };
  for (const [name, handlers] of Object.entries(options.handlers)) {
    // Object.entries forgets that each name goes with its own handlers' event type.
    register(name as EmitterWebhookEventName, handlers as unknown as ReadonlyArray<WebhookHandler<EmitterWebhookEventName>>);
  }
  // Mounted at its path, the router sees the request at `/`.
  const receive = createNodeMiddleware(webhooks, { path: '/', log: libraryLog });

  router.post('/', async (request, response, next) => {
    const body = await readBody(request);
    if (body === null) throw new HttpError(413, 'the delivery is larger than the 25 MB GitHub sends at most');
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
    // The library takes a string body as the payload instead of reading the (already read) stream.
    (request as { body?: unknown }).body = body;
    await receive(request, response, next);
  });
  return router;
}

/** The raw body as text (the signature is over its exact bytes), or null past the size limit. */
async function readBody(request: IncomingMessage & { body?: unknown }): Promise<string | null> {
  if (typeof request.body === 'string') return request.body;
  if (Buffer.isBuffer(request.body)) return request.body.toString('utf8');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk as Buffer);
  }
  return size > MAX_BODY_BYTES ? null : Buffer.concat(chunks).toString('utf8');
}
