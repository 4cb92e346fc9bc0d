/**
 * GitHub webhook deliveries as GitHub sends them: real example payloads from
 * `@octokit/webhooks-examples`, re-pointed at a local repository, signed with HMAC-SHA256 of the
 * exact body (`X-Hub-Signature-256: sha256=…`) and posted over HTTP with GitHub's headers.
 *
 *   const payload = pushPayload({ repo, branch: 'main', after: sha });
 *   const response = await deliver(url, SECRET, 'push', payload);
 */
import { createHmac, randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import type { EmitterWebhookEvent } from '@octokit/webhooks';
import examples from '@octokit/webhooks-examples/api.github.com/index.json' with { type: 'json' };

export type PushPayload = EmitterWebhookEvent<'push'>['payload'];
export type PingPayload = EmitterWebhookEvent<'ping'>['payload'];

const ZERO = '0000000000000000000000000000000000000000';

/** A copy of the `index`-th example payload of `event`. */
export function examplePayload<T = Record<string, unknown>>(event: string, index = 0): T {
  const definition = (examples as Array<{ name: string; examples: unknown[] }>).find((entry) => entry.name === event);
  const example = definition?.examples[index];
  if (!example) throw new Error(`@octokit/webhooks-examples has no example ${index} of ${event}`);
  return structuredClone(example) as T;
}

/** The example's repository, re-pointed at `repo` (a local path) the way igor.yml names it. */
function repoint<T extends { repository?: unknown }>(payload: T, repo: string | undefined): T {
  if (repo && payload.repository) Object.assign(payload.repository as object, { clone_url: repo, ssh_url: repo, git_url: `file://${repo}` });
  return payload;
}

export interface PushOptions {
  /** The local repository igor.yml names; leave out to keep GitHub's Codertocat/Hello-World. */
  repo?: string;
  branch: string;
  /** The new head; for a deletion, leave out. */
  after?: string;
  before?: string;
  subject?: string;
  author?: string;
  pusher?: string;
  forced?: boolean;
  deleted?: boolean;
  /** Push to a tag instead of a branch. */
  tag?: boolean;
}

/**
 * A real push payload: the branch push example (or the ref deletion example for `deleted`), with
 * its ref, commits and pusher set as asked.
 */
export function pushPayload(options: PushOptions): PushPayload {
  const all = (examples as Array<{ name: string; examples: Array<{ ref: string; deleted: boolean }> }>).find((entry) => entry.name === 'push')!.examples;
  const index = all.findIndex((example) => (options.deleted ? example.deleted : example.ref.startsWith('refs/heads/') && !example.deleted));
  const payload = repoint(examplePayload<PushPayload>('push', index), options.repo);
  payload.ref = options.tag ? `refs/tags/${options.branch}` : `refs/heads/${options.branch}`;
  payload.before = options.before ?? (options.deleted ? payload.before : ZERO);
  payload.forced = options.forced ?? false;
  if (options.pusher) {
    payload.pusher.name = options.pusher;
    if (payload.sender) payload.sender.login = options.pusher;
  }
  if (options.deleted) return payload;
  payload.after = options.after!;
  payload.created = options.before === undefined;
  const head = payload.head_commit!;
  head.id = options.after!;
  if (options.subject) head.message = options.subject;
  if (options.author) head.author = { ...head.author, name: options.author, username: options.author };
  payload.commits = [head];
  return payload;
}

export function pingPayload(repo?: string): PingPayload {
  return repoint(examplePayload<PingPayload>('ping', 0), repo);
}

/** `sha256=` + hex HMAC-SHA256 of the body with the webhook's secret, as GitHub signs. */
export function signGithubBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export interface DeliveryOptions {
  /** `X-GitHub-Delivery`; a fresh UUID by default. */
  delivery?: string;
  /** Replaces the computed signature; `null` sends none. */
  signature?: string | null;
  contentType?: string;
}

export interface DeliveryResponse {
  status: number;
  body: string;
  delivery: string;
  json(): Record<string, unknown>;
}

/** POSTs `payload` as GitHub delivers `event`: JSON body, signature, event and delivery headers. */
export function deliver(url: string, secret: string, event: string, payload: unknown, options: DeliveryOptions = {}): Promise<DeliveryResponse> {
  const body = JSON.stringify(payload);
  const delivery = options.delivery ?? randomUUID();
  const signature = options.signature === undefined ? signGithubBody(secret, body) : options.signature;
  const headers: Record<string, string> = {
    'content-type': options.contentType ?? 'application/json',
    'content-length': String(Buffer.byteLength(body)),
    'user-agent': 'GitHub-Hookshot/test',
    'x-github-event': event,
    'x-github-delivery': delivery,
    'x-github-hook-id': '109948940',
    connection: 'close',
    ...(signature === null ? {} : { 'x-hub-signature-256': signature }),
  };
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: 'POST', headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: response.statusCode ?? 0, body: text, delivery, json: () => JSON.parse(text) as Record<string, unknown> });
      });
    });
    request.on('error', reject);
    request.end(body);
  });
}
