import { createHmac } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BODY_LIMITS } from '../../src/http/body.js';
import { SIGNING_SECRET, startHarness, type Harness } from '../support/igor-harness.js';
import { postSignedToSlackEndpoint, slashCommandBody } from '../support/slack-requests.js';

const SECRET = 'limits-webhook-secret';
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ github: { webhookSecret: SECRET } });
});
afterAll(async () => h?.close());

/** A POST whose body is `size` bytes, announced by Content-Length or sent chunked; resolves with the status, however much was sent. */
function bigPost(path: string, size: number, options: { chunked?: boolean; headers?: Record<string, string> } = {}): Promise<number> {
  const url = new URL(`${h.igor.url}${path}`);
  const chunk = Buffer.alloc(64 * 1024, 'a');
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, path, method: 'POST', agent: false, headers: { 'content-type': 'application/json', ...(options.chunked ? {} : { 'content-length': String(size) }), ...options.headers } },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => (['EPIPE', 'ECONNRESET'].includes(error.code ?? '') ? undefined : reject(error)));
    let sent = 0;
    const pump = () => {
      while (sent < size && !req.destroyed) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (!req.destroyed) req.end();
    };
    pump();
  });
}

describe('Slack requests', () => {
  const body = () => slashCommandBody({ text: 'help', responseUrl: h.slack.responseUrl() });

  it('refuses the same signed request a second time', async () => {
    const text = body();
    const timestamp = Math.floor(Date.now() / 1000);
    expect((await postSignedToSlackEndpoint(h.eventsUrl, SIGNING_SECRET, text, { timestamp })).status).toBe(200);
    const again = await postSignedToSlackEndpoint(h.eventsUrl, SIGNING_SECRET, text, { timestamp });
    expect(again.status).toBe(401);
    expect(again.json()).toEqual({ error: 'this exact request was received before' });
  });

  it('refuses a timestamp more than five minutes ahead, as one more than five minutes behind', async () => {
    for (const offset of [6 * 60, -6 * 60]) {
      const answer = await postSignedToSlackEndpoint(h.eventsUrl, SIGNING_SECRET, body(), { timestamp: Math.floor(Date.now() / 1000) + offset });
      expect(answer.status, `offset ${offset}`).toBe(401);
    }
  });

  it('refuses a signature of another version than v0, even one made with the secret', async () => {
    const text = body();
    const timestamp = Math.floor(Date.now() / 1000);
    const v1 = `v1=${createHmac('sha256', SIGNING_SECRET).update(`v1:${timestamp}:${text}`).digest('hex')}`;
    const answer = await postSignedToSlackEndpoint(h.eventsUrl, SIGNING_SECRET, text, { timestamp, signature: v1 });
    expect(answer.status).toBe(401);
    expect(answer.json()).toEqual({ error: 'the signature is not a v0 signature' });
  });

  it('refuses a body over the Slack limit before reading it, and a chunked one at the limit', async () => {
    expect(await bigPost('/slack/events', BODY_LIMITS.slack * 3)).toBe(413);
    expect(await bigPost('/slack/events', BODY_LIMITS.slack * 3, { chunked: true })).toBe(413);
  });
});

describe('GitHub deliveries before their signature is checked', () => {
  it('refuses 20 parallel 24 MB unsigned posts by their Content-Length, without reading them into memory', async () => {
    const before = process.memoryUsage().rss;
    const statuses = await Promise.all(Array.from({ length: 20 }, () => bigPost('/api/github/webhooks', 24 * 1024 * 1024, { headers: { 'x-github-event': 'push' } })));
    expect(new Set(statuses)).toEqual(new Set([413]));
    // Before the limit, each body was read whole: 20 × 24 MB.
    expect(process.memoryUsage().rss - before).toBeLessThan(150 * 1024 * 1024);
  });

  it('cuts a chunked body off at the limit', async () => {
    expect(await bigPost('/api/github/webhooks', BODY_LIMITS.github + 1024 * 1024, { chunked: true, headers: { 'x-github-event': 'push' } })).toBe(413);
  });

  it('still answers /healthz', async () => {
    expect((await fetch(`${h.igor.url}/healthz`)).status).toBe(200);
  });
});
