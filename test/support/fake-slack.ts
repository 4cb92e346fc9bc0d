/**
 * A small stand-in for the Slack Web API (and for `response_url`s), so tests can point Bolt's
 * `clientOptions.slackApiUrl` (igor: env `SLACK_API_URL`) at it and assert on what users would see.
 *
 *   const slack = await startFakeSlack();
 *   // ... start igor with SLACK_API_URL=slack.url ...
 *   const root = await slack.waitFor(() => slack.messages('C0PROD')[0], { what: 'the root message' });
 *   expect(textOf(root)).toContain('succeeded');
 *   await slack.close();
 *
 * The @slack/web-api client posts to `<slackApiUrl><method>`, form-encoded, with `blocks` and
 * `attachments` as JSON strings and the token as `Authorization: Bearer`. JSON and multipart bodies
 * are understood too. Socket Mode (`apps.connections.open` and its WebSocket) is in `fake-slack-socket.ts`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type SlackObject = Record<string, unknown>;

/** One request received on `/api/<method>`. */
export interface FakeSlackCall {
  method: string;
  /** The request body (and query string), with `blocks`, `attachments`, `metadata`, `view` parsed back to objects. */
  body: Record<string, unknown>;
  /** The token, from `Authorization: Bearer` or the body's `token`. */
  token: string | undefined;
  /** HTTP status the fake answered with (not 200 only when a failure was injected). */
  status: number;
  /** The `error` of an `{ ok: false }` answer, if any. */
  error?: string;
  /** Milliseconds since the epoch. */
  at: number;
}

/** A message as it currently stands (after every `chat.update`). */
export interface FakeMessage {
  channel: string;
  ts: string;
  /** Set for replies in a thread; root messages have none. */
  thread_ts?: string;
  text: string;
  blocks: SlackObject[];
  attachments: SlackObject[];
  user: string;
  bot_id: string;
  /** Set once the message was updated. */
  edited?: { user: string; ts: string };
  /** Every body field of the original `chat.postMessage` (e.g. `reply_broadcast`, `metadata`, `unfurl_links`). */
  posted: Record<string, unknown>;
}

/** One `chat.update` of a message, with the content it set. */
export interface FakeUpdate {
  channel: string;
  ts: string;
  text: string;
  blocks: SlackObject[];
  attachments: SlackObject[];
  /** The raw body of the update call. */
  body: Record<string, unknown>;
  at: number;
}

export interface FakeEphemeral {
  channel: string;
  user: string;
  text: string;
  blocks: SlackObject[];
  attachments: SlackObject[];
  thread_ts?: string;
  message_ts: string;
  body: Record<string, unknown>;
}

/** One POST to a `response_url` (Bolt's `respond()` sends JSON). */
export interface FakeResponse {
  id: string;
  body: Record<string, unknown>;
  at: number;
}

export interface FailureOptions {
  /** HTTP status to answer with (e.g. 429 or 500). Without it the answer is 200 `{ ok: false, error }`. */
  status?: number;
  /** The `error` of the answer; default `ratelimited` for 429, `fatal_error` otherwise. */
  error?: string;
  /** How many calls of that method fail; default 1. */
  times?: number;
  /** `Retry-After` seconds sent with a 429; default 1. */
  retryAfter?: number;
}

export interface WaitForOptions {
  /** Default 10 000 ms. */
  timeoutMs?: number;
  /** What is awaited, for the timeout error. */
  what?: string;
  /** Polling interval, default 20 ms. */
  intervalMs?: number;
}

export interface FakeSlack {
  /** Base URL of the Web API, ending in `/api/` (use as `slackApiUrl` / `SLACK_API_URL`). */
  readonly url: string;
  /** `http://127.0.0.1:PORT` */
  readonly origin: string;
  readonly port: number;
  /** Every Web API call, in order (including ones answered with an injected failure). */
  readonly calls: FakeSlackCall[];
  /** Every POST to a response URL, in order. */
  readonly responses: FakeResponse[];
  /** Root messages (no `thread_ts`), current content, in posting order; all channels without argument. */
  messages(channel?: string): FakeMessage[];
  /** Replies in one thread, current content, in posting order. */
  replies(channel: string, threadTs: string): FakeMessage[];
  /** Every message, roots and replies, in posting order. */
  allMessages(channel?: string): FakeMessage[];
  /** One message by channel and ts, current content. */
  message(channel: string, ts: string): FakeMessage | undefined;
  /** Ephemeral messages, optionally only those to one user. */
  ephemerals(user?: string): FakeEphemeral[];
  /** The history of `chat.update`s of one message, oldest first. */
  updates(channel: string, ts: string): FakeUpdate[];
  /** Calls of one method (all calls without argument). */
  callsOf(method?: string): FakeSlackCall[];
  /** `http://127.0.0.1:PORT/response/<id>`; POSTs there land in `responses`. */
  responseUrl(id?: string): string;
  /** Responses posted to one response URL id. */
  responsesTo(id: string): FakeResponse[];
  /**
   * Make the next N calls of `method` fail. `method` is a Web API method (`chat.postMessage`), or
   * `response` for any response URL, or `response/<id>` for one.
   */
  failNext(method: string, options?: FailureOptions): void;
  /** Slack answers again: every queued failure is dropped. */
  clearFailures(): void;
  /**
   * Slack is down: every `chat.*` call fails as `failure` says (e.g. `{ status: 500 }`, or
   * `{ status: 429, retryAfter: 1 }`) until {@link endOutage}. Other methods still answer.
   */
  outage(failure: FailureOptions): void;
  endOutage(): void;
  /**
   * Answers `method` with `handler` from now on, instead of the built-in answer (`{ ok: true }` for
   * methods the fake does not know). Injected failures still come first; `reset()` keeps handlers.
   */
  answer(method: string, handler: (call: FakeSlackCall) => FakeAnswer): void;
  /** Polls until `predicate` returns a truthy value (a throw counts as "not yet") and returns it. */
  waitFor<T>(predicate: () => T | undefined | null | false, options?: WaitForOptions): Promise<T>;
  /** Adds (or replaces) a person `users.info` knows. */
  setUser(user: FakeUser): void;
  /** Adds (or replaces) a user group `usergroups.list` and `usergroups.users.list` know. */
  setUserGroup(group: FakeUserGroup): void;
  /** Every `views.publish` of a Home tab, oldest first; only `user`'s with it. */
  homeViews(user?: string): FakeHomeView[];
  /** A readable dump of every call so far: method, channel, ts, text. */
  dump(): string;
  /** Forget every call, message and response (the server keeps running, ts keep increasing). */
  reset(): void;
  close(): Promise<void>;
}

/** A person of the workspace, as `users.info` describes them (the fields igor and tests use). */
export interface FakeUser {
  id: string;
  /** The username (`alice`). */
  name: string;
  real_name?: string;
  /** What Slack shows first; may be empty, then the real name is shown. */
  display_name?: string;
  deleted?: boolean;
}

/** A user group, as `usergroups.list` describes it; `users` are its members (`usergroups.users.list`). */
export interface FakeUserGroup {
  id: string;
  handle: string;
  name: string;
  users: string[];
}

/** One `views.publish`: the Home tab of `user_id` as it was set. */
export interface FakeHomeView {
  user: string;
  view: SlackObject;
  at: number;
}

/** What a Web API method answers: `{ ok: true, … }` or `{ ok: false, error }`. */
export type FakeAnswer = { ok: boolean; error?: string } & Record<string, unknown>;

export const FAKE_BOT_USER_ID = 'U0IGOR';
export const FAKE_BOT_ID = 'B0IGOR';
export const FAKE_TEAM_ID = 'T0TEAM';

const JSON_FIELDS = new Set(['blocks', 'attachments', 'metadata', 'view', 'user_auth_blocks']);

function parseJsonFields(body: Record<string, unknown>): Record<string, unknown> {
  for (const key of Object.keys(body)) {
    const value = body[key];
    if (JSON_FIELDS.has(key) && typeof value === 'string' && value !== '') {
      try {
        body[key] = JSON.parse(value);
      } catch {
        // keep the string: a test may want to see it was malformed
      }
    }
  }
  return body;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function parseRequest(req: IncomingMessage, raw: Buffer): Promise<Record<string, unknown>> {
  const contentType = String(req.headers['content-type'] ?? '').toLowerCase();
  const body: Record<string, unknown> = {};
  const query = new URL(req.url ?? '/', 'http://x').searchParams;
  for (const [k, v] of query) body[k] = v;
  const text = raw.toString('utf8');
  if (contentType.startsWith('application/json')) {
    if (text.trim() !== '') Object.assign(body, JSON.parse(text) as Record<string, unknown>);
  } else if (contentType.startsWith('multipart/form-data')) {
    const form = await new Response(new Uint8Array(raw), { headers: { 'content-type': contentType } }).formData();
    for (const [k, v] of form) body[k] = typeof v === 'string' ? v : `<file ${v.size} bytes>`;
  } else if (text !== '') {
    // form-encoded (the web client's default), or anything else we try as form then JSON
    const trimmed = text.trim();
    if (!contentType && (trimmed.startsWith('{') || trimmed.startsWith('['))) {
      Object.assign(body, JSON.parse(trimmed) as Record<string, unknown>);
    } else {
      for (const [k, v] of new URLSearchParams(text)) body[k] = v;
    }
  }
  return parseJsonFields(body);
}

function asString(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  return typeof v === 'string' ? v : String(v);
}

function asObjects(v: unknown): SlackObject[] {
  return Array.isArray(v) ? (v.filter((x) => x && typeof x === 'object') as SlackObject[]) : [];
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function clip(s: string, n = 160): string {
  const one = s.replace(/\s+/g, ' ');
  return one.length > n ? `${one.slice(0, n)}…` : one;
}

export async function startFakeSlack(): Promise<FakeSlack> {
  const calls: FakeSlackCall[] = [];
  const responses: FakeResponse[] = [];
  let stored: FakeMessage[] = [];
  let updateLog: FakeUpdate[] = [];
  let ephemeralLog: FakeEphemeral[] = [];
  const users = new Map<string, FakeUser>();
  const userGroups = new Map<string, FakeUserGroup>();
  let homeLog: FakeHomeView[] = [];
  const failures = new Map<string, Array<Required<Pick<FailureOptions, 'times'>> & FailureOptions>>();
  let seq = 0;
  let outage: FailureOptions | null = null;

  /** Unique, increasing Slack-style timestamps: 1700000000.000100, 1700000000.000200, … */
  const nextTs = (): string => {
    seq += 1;
    const micros = seq * 100;
    const sec = 1_700_000_000 + Math.floor(micros / 1_000_000);
    return `${sec}.${String(micros % 1_000_000).padStart(6, '0')}`;
  };

  const takeFailure = (key: string): FailureOptions | undefined => {
    const queue = failures.get(key);
    const head = queue?.[0];
    if (!queue || !head) return undefined;
    head.times -= 1;
    if (head.times <= 0) queue.shift();
    return head;
  };

  const send = (res: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}): void => {
    const text = JSON.stringify(payload);
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
      ...headers,
    });
    res.end(text);
  };

  const sendFailure = (res: ServerResponse, failure: FailureOptions): { status: number; error: string } => {
    const status = failure.status ?? 200;
    const error = failure.error ?? (status === 429 ? 'ratelimited' : 'fatal_error');
    const headers: Record<string, string> = {};
    if (status === 429) headers['retry-after'] = String(failure.retryAfter ?? 1);
    else if (failure.retryAfter !== undefined) headers['retry-after'] = String(failure.retryAfter);
    send(res, status, { ok: false, error }, headers);
    return { status, error };
  };

  const findMessage = (channel: string, ts: string): FakeMessage | undefined =>
    stored.find((m) => m.channel === channel && m.ts === ts);

  const handlers = new Map<string, (call: FakeSlackCall) => FakeAnswer>();

  const handleMethod = (method: string, body: Record<string, unknown>): FakeAnswer => {
    if (method === 'chat.postMessage' || method === 'chat.update' || method === 'chat.postEphemeral') {
      const refused = beyondSlackLimits(asString(body.text) ?? '', asObjects(body.blocks));
      if (refused) return { ok: false, error: refused };
    }
    switch (method) {
      case 'api.test':
        return { ok: true, args: body };
      case 'auth.test':
        return {
          ok: true,
          url: 'https://example.slack.com/',
          team: 'Example',
          user: 'igor',
          team_id: FAKE_TEAM_ID,
          user_id: FAKE_BOT_USER_ID,
          bot_id: FAKE_BOT_ID,
          is_enterprise_install: false,
        };
      case 'chat.postMessage': {
        const channel = asString(body.channel);
        if (!channel) return { ok: false, error: 'channel_not_found' };
        const text = asString(body.text) ?? '';
        const blocks = asObjects(body.blocks);
        const attachments = asObjects(body.attachments);
        if (text === '' && blocks.length === 0 && attachments.length === 0) return { ok: false, error: 'no_text' };
        const threadTs = asString(body.thread_ts);
        if (threadTs && !findMessage(channel, threadTs)) return { ok: false, error: 'thread_not_found' };
        const message: FakeMessage = {
          channel,
          ts: nextTs(),
          text,
          blocks,
          attachments,
          user: FAKE_BOT_USER_ID,
          bot_id: FAKE_BOT_ID,
          posted: body,
        };
        if (threadTs) message.thread_ts = threadTs;
        stored.push(message);
        return { ok: true, channel, ts: message.ts, message: wireMessage(message) };
      }
      case 'chat.update': {
        const channel = asString(body.channel);
        const ts = asString(body.ts);
        const message = channel && ts ? findMessage(channel, ts) : undefined;
        if (!channel || !ts || !message) return { ok: false, error: 'message_not_found' };
        // As Slack: a field left out keeps its previous value; `blocks: []` removes the blocks.
        if (body.text !== undefined) message.text = asString(body.text) ?? '';
        if (body.blocks !== undefined) message.blocks = asObjects(body.blocks);
        if (body.attachments !== undefined) message.attachments = asObjects(body.attachments);
        message.edited = { user: FAKE_BOT_USER_ID, ts: nextTs() };
        updateLog.push({
          channel,
          ts,
          text: message.text,
          blocks: message.blocks,
          attachments: message.attachments,
          body,
          at: Date.now(),
        });
        return { ok: true, channel, ts, text: message.text, message: wireMessage(message) };
      }
      case 'chat.postEphemeral': {
        const channel = asString(body.channel);
        const user = asString(body.user);
        if (!channel) return { ok: false, error: 'channel_not_found' };
        if (!user) return { ok: false, error: 'user_not_in_channel' };
        const messageTs = nextTs();
        const ephemeral: FakeEphemeral = {
          channel,
          user,
          text: asString(body.text) ?? '',
          blocks: asObjects(body.blocks),
          attachments: asObjects(body.attachments),
          message_ts: messageTs,
          body,
        };
        const threadTs = asString(body.thread_ts);
        if (threadTs) ephemeral.thread_ts = threadTs;
        ephemeralLog.push(ephemeral);
        return { ok: true, message_ts: messageTs };
      }
      case 'users.info': {
        // As Slack's users.info: the user object, its names under `profile` too.
        const user = users.get(asString(body.user) ?? '');
        if (!user) return { ok: false, error: 'user_not_found' };
        const realName = user.real_name ?? user.name;
        return {
          ok: true,
          user: {
            id: user.id,
            team_id: FAKE_TEAM_ID,
            name: user.name,
            deleted: user.deleted ?? false,
            real_name: realName,
            tz: 'Europe/Amsterdam',
            tz_label: 'Central European Time',
            tz_offset: 3600,
            profile: {
              real_name: realName,
              real_name_normalized: realName,
              display_name: user.display_name ?? '',
              display_name_normalized: user.display_name ?? '',
              team: FAKE_TEAM_ID,
            },
            is_admin: false,
            is_owner: false,
            is_bot: false,
            is_app_user: false,
            updated: 1_700_000_000,
          },
        };
      }
      case 'usergroups.list':
        // Without include_users, as Slack: the groups, each with its handle and user_count.
        return {
          ok: true,
          usergroups: [...userGroups.values()].map((group) => ({
            id: group.id,
            team_id: FAKE_TEAM_ID,
            is_usergroup: true,
            name: group.name,
            description: '',
            handle: group.handle,
            is_external: false,
            date_create: 1_700_000_000,
            date_update: 1_700_000_000,
            date_delete: 0,
            auto_type: null,
            created_by: 'U0ADMIN',
            updated_by: 'U0ADMIN',
            deleted_by: null,
            prefs: { channels: [], groups: [] },
            user_count: group.users.length,
            ...(body.include_users === 'true' || body.include_users === true ? { users: group.users } : {}),
          })),
        };
      case 'usergroups.users.list': {
        const group = [...userGroups.values()].find((candidate) => candidate.id === asString(body.usergroup));
        return group ? { ok: true, users: [...group.users] } : { ok: false, error: 'no_such_subteam' };
      }
      case 'views.publish': {
        const user = asString(body.user_id);
        const view = body.view && typeof body.view === 'object' ? (body.view as SlackObject) : null;
        if (!user) return { ok: false, error: 'invalid_arguments' };
        if (!view || view.type !== 'home' || asObjects(view.blocks).length > 100) return { ok: false, error: 'invalid_arguments' };
        homeLog.push({ user, view, at: Date.now() });
        return { ok: true, view: { id: `V${String(homeLog.length).padStart(8, '0')}`, team_id: FAKE_TEAM_ID, type: 'home', blocks: view.blocks, private_metadata: '', callback_id: '', state: { values: {} }, hash: `${Date.now()}.hash`, app_id: 'A0IGOR', bot_id: FAKE_BOT_ID } };
      }
      case 'chat.delete': {
        const channel = asString(body.channel);
        const ts = asString(body.ts);
        const message = channel && ts ? findMessage(channel, ts) : undefined;
        if (!message) return { ok: false, error: 'message_not_found' };
        stored = stored.filter((m) => m !== message);
        return { ok: true, channel, ts };
      }
      default:
        return { ok: true };
    }
  };

  const wireMessage = (m: FakeMessage): SlackObject => ({
    type: 'message',
    user: m.user,
    bot_id: m.bot_id,
    text: m.text,
    blocks: m.blocks,
    attachments: m.attachments,
    ts: m.ts,
    ...(m.thread_ts ? { thread_ts: m.thread_ts } : {}),
    ...(m.edited ? { edited: m.edited } : {}),
  });

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const raw = await readBody(req);
      let body: Record<string, unknown>;
      try {
        body = await parseRequest(req, raw);
      } catch (error) {
        send(res, 400, { ok: false, error: 'invalid_form_data', detail: String(error) });
        return;
      }

      const api = /^\/api\/([^/]+)$/.exec(url.pathname);
      if (api) {
        const method = decodeURIComponent(api[1] ?? '');
        const auth = /^Bearer\s+(.+)$/i.exec(String(req.headers.authorization ?? ''));
        const token = auth?.[1] ?? asString(body.token);
        const call: FakeSlackCall = { method, body, token, status: 200, at: Date.now() };
        calls.push(call);
        const failure = (outage && method.startsWith('chat.') ? outage : undefined) ?? takeFailure(method);
        if (failure) {
          const { status, error } = sendFailure(res, failure);
          call.status = status;
          call.error = error;
          return;
        }
        const answer = handlers.get(method)?.(call) ?? handleMethod(method, body);
        if (!answer.ok) call.error = answer.error;
        send(res, 200, answer);
        return;
      }

      const response = /^\/response(?:\/(.*))?$/.exec(url.pathname);
      if (response && req.method === 'POST') {
        const id = decodeURIComponent(response[1] ?? '');
        const failure = takeFailure(`response/${id}`) ?? takeFailure('response');
        if (failure) {
          sendFailure(res, failure);
          return;
        }
        responses.push({ id, body, at: Date.now() });
        // Slack answers a response_url with a plain "ok"; a JSON ok is equally fine for respond().
        send(res, 200, { ok: true });
        return;
      }

      send(res, 404, { ok: false, error: 'unknown_path', path: url.pathname });
    })().catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, { ok: false, error: 'fake_slack_crashed', detail: String(error) });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 1_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  let responseSeq = 0;

  const dump = (): string => {
    if (calls.length === 0 && responses.length === 0) return '  (no calls recorded)';
    const lines = calls.map((c, i) => {
      const channel = asString(c.body.channel) ?? '';
      const ts = asString(c.body.ts) ?? asString(c.body.thread_ts) ?? '';
      const user = asString(c.body.user);
      const text = textOf({ text: asString(c.body.text), blocks: c.body.blocks, attachments: c.body.attachments });
      const status = c.status !== 200 ? ` [HTTP ${c.status}]` : '';
      const error = c.error ? ` [${c.error}]` : '';
      return `  ${i + 1}. ${c.method}${status}${error} ${channel}${ts ? ` ts=${ts}` : ''}${user ? ` user=${user}` : ''} ${JSON.stringify(clip(text))}`;
    });
    for (const r of responses) {
      const text = textOf({ text: asString(r.body.text), blocks: r.body.blocks, attachments: r.body.attachments });
      lines.push(`  response/${r.id} ${JSON.stringify(clip(text))}`);
    }
    return lines.join('\n');
  };

  const fake: FakeSlack = {
    url: `${origin}/api/`,
    origin,
    port,
    calls,
    responses,
    messages: (channel) => stored.filter((m) => !m.thread_ts && (channel === undefined || m.channel === channel)),
    replies: (channel, threadTs) => stored.filter((m) => m.channel === channel && m.thread_ts === threadTs),
    allMessages: (channel) => stored.filter((m) => channel === undefined || m.channel === channel),
    message: (channel, ts) => findMessage(channel, ts),
    ephemerals: (user) => ephemeralLog.filter((e) => user === undefined || e.user === user),
    updates: (channel, ts) => updateLog.filter((u) => u.channel === channel && u.ts === ts),
    callsOf: (method) => calls.filter((c) => method === undefined || c.method === method),
    responseUrl: (id) => `${origin}/response/${encodeURIComponent(id ?? `r${++responseSeq}`)}`,
    responsesTo: (id) => responses.filter((r) => r.id === id),
    clearFailures: () => failures.clear(),
    outage: (failure) => void (outage = failure),
    endOutage: () => void (outage = null),
    answer: (method, handler) => void handlers.set(method, handler),
    setUser: (user) => void users.set(user.id, user),
    setUserGroup: (group) => void userGroups.set(group.id, group),
    homeViews: (user) => homeLog.filter((entry) => user === undefined || entry.user === user),
    failNext: (method, options = {}) => {
      const queue = failures.get(method) ?? [];
      queue.push({ ...options, times: options.times ?? 1 });
      failures.set(method, queue);
    },
    waitFor: async <T>(predicate: () => T | undefined | null | false, options: WaitForOptions = {}): Promise<T> => {
      const timeoutMs = options.timeoutMs ?? 10_000;
      const intervalMs = options.intervalMs ?? 20;
      const deadline = Date.now() + timeoutMs;
      let lastError: unknown;
      for (;;) {
        try {
          const value = predicate();
          if (value) return value;
          lastError = undefined;
        } catch (error) {
          lastError = error;
        }
        if (Date.now() >= deadline) break;
        await sleep(intervalMs);
      }
      const why = lastError instanceof Error ? `\nLast error from the predicate: ${lastError.message}` : '';
      throw new Error(
        `Timed out after ${timeoutMs} ms waiting for ${options.what ?? 'a condition on the fake Slack'}.${why}\n` +
          `Calls recorded by the fake Slack:\n${dump()}`,
      );
    },
    dump,
    reset: () => {
      calls.length = 0;
      responses.length = 0;
      stored = [];
      updateLog = [];
      ephemeralLog = [];
      homeLog = [];
      failures.clear();
    },
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  return fake;
}

/** What `textOf` and `buttonsOf` accept: a message, an update, an ephemeral, a response body, a call body. */
export interface HasContent {
  text?: unknown;
  blocks?: unknown;
  attachments?: unknown;
}

function collectBlockText(node: unknown, out: string[]): void {
  if (Array.isArray(node)) {
    for (const item of node) collectBlockText(item, out);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const obj = node as SlackObject;
  // Text objects (plain_text, mrkdwn) and rich_text "text" elements carry a string `text`;
  // sections nest a text object under `text`, buttons under `text`, fields are arrays of text objects.
  if (typeof obj.text === 'string') out.push(obj.text);
  else if (obj.type === 'link' && typeof obj.url === 'string') out.push(obj.url); // rich_text link without text
  for (const value of Object.values(obj)) {
    if (value && typeof value === 'object') collectBlockText(value, out);
  }
}

/**
 * The message's `text` plus all text found in its blocks (section text and fields, context elements,
 * headers, button labels, rich text) and attachments, joined by newlines.
 */
export function textOf(message: HasContent | undefined | null): string {
  if (!message) return '';
  const out: string[] = [];
  if (typeof message.text === 'string' && message.text !== '') out.push(message.text);
  collectBlockText(message.blocks, out);
  for (const attachment of asObjects(message.attachments)) {
    for (const key of ['pretext', 'title', 'text', 'footer'] as const) {
      const value = attachment[key];
      if (typeof value === 'string' && value !== '') out.push(value);
    }
    for (const field of asObjects(attachment.fields)) {
      if (typeof field.title === 'string') out.push(field.title);
      if (typeof field.value === 'string') out.push(field.value);
    }
    collectBlockText(attachment.blocks, out);
  }
  return out.join('\n');
}

export interface FakeButton {
  /** The visible label. */
  text: string;
  action_id: string | undefined;
  value: string | undefined;
  style: string | undefined;
  block_id: string | undefined;
  url: string | undefined;
}

/** Every button in a message's blocks (and attachments' blocks), in order. */
export function buttonsOf(message: HasContent | undefined | null): FakeButton[] {
  const out: FakeButton[] = [];
  const walk = (node: unknown, blockId: string | undefined): void => {
    if (Array.isArray(node)) {
      for (const item of node) walk(item, blockId);
      return;
    }
    if (!node || typeof node !== 'object') return;
    const obj = node as SlackObject;
    const id = typeof obj.block_id === 'string' ? obj.block_id : blockId;
    if (obj.type === 'button') {
      const label = obj.text && typeof obj.text === 'object' ? (obj.text as SlackObject).text : obj.text;
      out.push({
        text: typeof label === 'string' ? label : '',
        action_id: asString(obj.action_id),
        value: asString(obj.value),
        style: asString(obj.style),
        block_id: id,
        url: asString(obj.url),
      });
      return;
    }
    for (const value of Object.values(obj)) if (value && typeof value === 'object') walk(value, id);
  };
  if (!message) return out;
  walk(message.blocks, undefined);
  for (const attachment of asObjects(message.attachments)) walk(attachment.blocks, undefined);
  return out;
}

/**
 * What Slack answers to a message beyond its limits (Block Kit reference, chat.postMessage):
 * `msg_too_long` for text over 40,000 characters, `invalid_blocks` for more than 50 blocks, a
 * section text over 3,000, more than 10 fields or one over 2,000, more than 10 context elements,
 * a header over 150 or a button label over 75 characters.
 */
export function beyondSlackLimits(text: string, blocks: SlackObject[]): string | null {
  if (text.length > 40_000) return 'msg_too_long';
  if (blocks.length > 50) return 'invalid_blocks';
  const long = (value: unknown, limit: number) => typeof (value as { text?: unknown } | undefined)?.text === 'string' && ((value as { text: string }).text.length > limit);
  for (const block of blocks) {
    if (block.type === 'section' && (long(block.text, 3_000) || (Array.isArray(block.fields) && (block.fields.length > 10 || block.fields.some((field) => long(field, 2_000)))))) return 'invalid_blocks';
    if (block.type === 'context' && Array.isArray(block.elements) && (block.elements.length > 10 || block.elements.some((element) => long(element, 3_000)))) return 'invalid_blocks';
    if (block.type === 'header' && long(block.text, 150)) return 'invalid_blocks';
    if (block.type === 'actions' && Array.isArray(block.elements) && block.elements.some((element) => long((element as SlackObject).text, 75))) return 'invalid_blocks';
  }
  return null;
}
