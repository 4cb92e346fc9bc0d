import { createHmac } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { tokensEqual } from '../../http/auth.js';
import { BODY_LIMITS, concurrencyGate, readCappedBody } from '../../http/body.js';
import { slackPayloadProblem } from './payload-check.js';

/** Slack's window for a request's timestamp, either way: older or newer is refused. */
const WINDOW_SECONDS = 5 * 60;
const SIGNATURE = /^v0=[0-9a-f]{64}$/;

export interface SlackGuardOptions {
  signingSecret: string;
  log: Logger;
  /** Seconds since the epoch; tests hold it still. */
  nowSeconds?: () => number;
}

/**
 * What `/slack/events` checks before Bolt sees a request: a body of at most
 * {@link BODY_LIMITS.slack}, read by a bounded number of requests at once; a `v0=` signature that
 * matches; a timestamp within five minutes either way; and a signature never seen before (a
 * replay cache as long as the window). The body is handed on as `rawBody`, which Bolt verifies
 * and parses again.
 */
export function slackRequestGuard(options: SlackGuardOptions): RequestHandler[] {
  const now = options.nowSeconds ?? (() => Math.floor(Date.now() / 1000));
  const seen = new Map<string, number>();
  const log = options.log.child({ component: 'slack-guard' });

  function remember(signature: string, at: number): boolean {
    for (const [old, until] of seen) {
      if (until > at) break;
      seen.delete(old);
    }
    if (seen.has(signature)) return false;
    seen.set(signature, at + WINDOW_SECONDS);
    return true;
  }

  const refuse = (request: Request, why: string): never => {
    log.warn({ why, retry: request.get('x-slack-retry-num') ?? null }, 'refused a request to /slack/events');
    throw new SlackRequestError(why);
  };

  const check: RequestHandler = async (request, response, next) => {
    try {
      const body = await readCappedBody(request, BODY_LIMITS.slack);
      const signature = request.get('x-slack-signature') ?? '';
      const stamp = request.get('x-slack-request-timestamp') ?? '';
      if (!SIGNATURE.test(signature)) refuse(request, 'the signature is not a v0 signature');
      if (!/^\d{1,12}$/.test(stamp)) refuse(request, 'the request has no timestamp');
      const at = now();
      if (Math.abs(at - Number(stamp)) > WINDOW_SECONDS) refuse(request, 'the timestamp is more than five minutes away from now');
      const expected = `v0=${createHmac('sha256', options.signingSecret).update(`v0:${stamp}:`).update(body).digest('hex')}`;
      if (!tokensEqual(signature, expected)) refuse(request, 'the signature does not match SLACK_SIGNING_SECRET');
      if (!remember(signature, at)) refuse(request, 'this exact request was received before');
      const problem = slackPayloadProblem(request.get('content-type'), body);
      if (problem) {
        log.warn({ problem }, 'refused a signed request to /slack/events igor cannot read');
        response.status(400).json({ error: problem });
        return;
      }
      (request as Request & { rawBody?: Buffer }).rawBody = body;
      next();
    } catch (error) {
      if (error instanceof SlackRequestError) {
        response.status(401).json({ error: error.message });
        return;
      }
      next(error);
    }
  };
  return [concurrencyGate(32, 'Slack requests'), check];
}

class SlackRequestError extends Error {
  override name = 'SlackRequestError';
}
