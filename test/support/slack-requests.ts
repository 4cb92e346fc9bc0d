/**
 * Send requests to igor's `/slack/events` exactly as Slack does: signed (`X-Slack-Signature`,
 * `X-Slack-Request-Timestamp`), form-encoded with a content type of exactly
 * `application/x-www-form-urlencoded` (Bolt compares it exactly: a `; charset` suffix makes it parse JSON).
 *
 * Requests use a fresh connection each (`Connection: close`), so stopping the server under test
 * never waits for an idle keep-alive socket.
 */
import { createHmac } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';

export interface SlackHttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The raw response body (Bolt acks with an empty body, a plain string, or JSON). */
  body: string;
  /** `JSON.parse(body)`; throws with the body in the message when it is not JSON. */
  json(): unknown;
}

export interface SignedHeaders {
  'X-Slack-Request-Timestamp': string;
  'X-Slack-Signature': string;
}

/** `v0=` + hex HMAC-SHA256 of `v0:<timestamp>:<body>` with the signing secret. */
export function signSlackRequest(
  signingSecret: string,
  body: string,
  timestamp: number = Math.floor(Date.now() / 1000),
): SignedHeaders {
  const signature = createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex');
  return { 'X-Slack-Request-Timestamp': String(timestamp), 'X-Slack-Signature': `v0=${signature}` };
}

export interface SignOptions {
  /** Seconds since the epoch; default now. Use an old one for stale-signature tests. */
  timestamp?: number;
  /** Replaces the computed `X-Slack-Signature` (for bad-signature tests). */
  signature?: string;
  /** Default `application/x-www-form-urlencoded`. */
  contentType?: string;
  /** Extra headers (e.g. `X-Slack-Retry-Num`). */
  headers?: Record<string, string>;
}

/** POST a raw body, signed as Slack signs it. */
export async function postSignedToSlackEndpoint(
  url: string,
  signingSecret: string,
  body: string,
  options: SignOptions = {},
): Promise<SlackHttpResponse> {
  const signed = signSlackRequest(signingSecret, body, options.timestamp);
  const headers: Record<string, string> = {
    'Content-Type': options.contentType ?? FORM_CONTENT_TYPE,
    'Content-Length': String(Buffer.byteLength(body)),
    'User-Agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
    Accept: 'application/json,*/*',
    Connection: 'close',
    ...signed,
    ...(options.signature !== undefined ? { 'X-Slack-Signature': options.signature } : {}),
    ...options.headers,
  };
  return rawPost(url, headers, body);
}

function rawPost(url: string, headers: Record<string, string>, body: string): Promise<SlackHttpResponse> {
  const target = new URL(url);
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(target, { method: 'POST', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: text,
          json: () => {
            try {
              return JSON.parse(text) as unknown;
            } catch {
              throw new Error(`Response from ${url} (HTTP ${res.statusCode}) is not JSON: ${JSON.stringify(text)}`);
            }
          },
        });
      });
    });
    req.on('error', reject);
    req.setTimeout(30_000, () => req.destroy(new Error(`POST ${url} timed out after 30 s`)));
    req.end(body);
  });
}

export interface SlashCommandOptions extends SignOptions {
  /** Default `/deploy`. */
  command?: string;
  text: string;
  /** Default `U0ALICE`. */
  userId?: string;
  /** Default: `userId` lower-cased without the `U0` prefix. */
  userName?: string;
  /** Default `C0DEPLOYS`. */
  channelId?: string;
  /** Default `deploys`. */
  channelName?: string;
  /** Where `respond()` posts: use `fakeSlack.responseUrl()`. */
  responseUrl: string;
  /** Default `T0TEAM`. */
  teamId?: string;
  teamDomain?: string;
  triggerId?: string;
  /** Default `A0IGOR`. */
  apiAppId?: string;
  /** The legacy verification token; default `legacy-verification-token`. */
  token?: string;
}

let triggerSeq = 0;
const nextTriggerId = (): string => `${Date.now()}.${++triggerSeq}.0123456789abcdef0123456789abcdef`;

const userNameOf = (userId: string): string => userId.replace(/^U0?/, '').toLowerCase() || 'someone';

/** The form body Slack sends for a slash command (exported for tests that want to tamper with it). */
export function slashCommandBody(options: SlashCommandOptions): string {
  const userId = options.userId ?? 'U0ALICE';
  const params = new URLSearchParams({
    token: options.token ?? 'legacy-verification-token',
    team_id: options.teamId ?? 'T0TEAM',
    team_domain: options.teamDomain ?? 'example',
    channel_id: options.channelId ?? 'C0DEPLOYS',
    channel_name: options.channelName ?? 'deploys',
    user_id: userId,
    user_name: options.userName ?? userNameOf(userId),
    command: options.command ?? '/deploy',
    text: options.text,
    api_app_id: options.apiAppId ?? 'A0IGOR',
    is_enterprise_install: 'false',
    response_url: options.responseUrl,
    trigger_id: options.triggerId ?? nextTriggerId(),
  });
  return params.toString();
}

/**
 * POST a slash command to `url` (the full URL of `/slack/events`), signed with `signingSecret`.
 * Resolves with Bolt's answer: the ack body is the immediate (ephemeral) reply.
 */
export function sendSlashCommand(
  url: string,
  signingSecret: string,
  options: SlashCommandOptions,
): Promise<SlackHttpResponse> {
  return postSignedToSlackEndpoint(url, signingSecret, slashCommandBody(options), options);
}

export interface PressButtonOptions extends SignOptions {
  /** e.g. `igor.approve` */
  actionId: string;
  /** e.g. the deployment id */
  value: string;
  userId: string;
  userName?: string;
  channelId: string;
  channelName?: string;
  /** The ts of the message holding the button. */
  messageTs: string;
  /** Set when the message is a reply in a thread. */
  threadTs?: string;
  responseUrl: string;
  /** The button's label; default derived from the action id (`igor.approve` → `Approve`). */
  text?: string;
  /** The message's text; default ''. */
  messageText?: string;
  /** The message's blocks, if the handler should see them. */
  messageBlocks?: unknown[];
  blockId?: string;
  teamId?: string;
  triggerId?: string;
  apiAppId?: string;
  token?: string;
}

const labelOf = (actionId: string): string => {
  const last = actionId.split('.').pop() ?? actionId;
  return last.charAt(0).toUpperCase() + last.slice(1);
};

/** The `block_actions` payload Slack sends when a button is pressed. */
export function blockActionsPayload(options: PressButtonOptions): Record<string, unknown> {
  const teamId = options.teamId ?? 'T0TEAM';
  const userName = options.userName ?? userNameOf(options.userId);
  const actionTs = `${(Date.now() / 1000).toFixed(6)}`;
  const message: Record<string, unknown> = {
    type: 'message',
    subtype: 'bot_message',
    user: 'U0IGOR',
    bot_id: 'B0IGOR',
    ts: options.messageTs,
    text: options.messageText ?? '',
    team: teamId,
  };
  if (options.threadTs) message.thread_ts = options.threadTs;
  if (options.messageBlocks) message.blocks = options.messageBlocks;
  const container: Record<string, unknown> = {
    type: 'message',
    message_ts: options.messageTs,
    channel_id: options.channelId,
    is_ephemeral: false,
  };
  if (options.threadTs) container.thread_ts = options.threadTs;
  return {
    type: 'block_actions',
    user: { id: options.userId, username: userName, name: userName, team_id: teamId },
    api_app_id: options.apiAppId ?? 'A0IGOR',
    token: options.token ?? 'legacy-verification-token',
    container,
    trigger_id: options.triggerId ?? nextTriggerId(),
    team: { id: teamId, domain: 'example' },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: options.channelId, name: options.channelName ?? 'deploys' },
    message,
    state: { values: {} },
    response_url: options.responseUrl,
    actions: [
      {
        action_id: options.actionId,
        block_id: options.blockId ?? 'actions',
        text: { type: 'plain_text', text: options.text ?? labelOf(options.actionId), emoji: true },
        value: options.value,
        type: 'button',
        action_ts: actionTs,
      },
    ],
  };
}

/** POST a button press (`payload=<JSON>`, form-encoded, signed) to `url` (the full URL of `/slack/events`). */
export function pressButton(
  url: string,
  signingSecret: string,
  options: PressButtonOptions,
): Promise<SlackHttpResponse> {
  const body = new URLSearchParams({ payload: JSON.stringify(blockActionsPayload(options)) }).toString();
  return postSignedToSlackEndpoint(url, signingSecret, body, options);
}

export interface SubmitViewOptions extends SignOptions {
  userId: string;
  callbackId: string;
  privateMetadata: string;
  /** `state.values` as Slack sends them: block id → action id → `{ type, value }`. */
  values: Record<string, Record<string, { type: string; value: string | null }>>;
  teamId?: string;
}

/** POST a modal's `view_submission` (`payload=<JSON>`, form-encoded, signed), as Slack sends it when Submit is pressed. */
export function submitView(url: string, signingSecret: string, options: SubmitViewOptions): Promise<SlackHttpResponse> {
  const teamId = options.teamId ?? 'T0TEAM';
  const payload = {
    type: 'view_submission',
    team: { id: teamId, domain: 'example' },
    user: { id: options.userId, username: userNameOf(options.userId), name: userNameOf(options.userId), team_id: teamId },
    api_app_id: 'A0IGOR',
    token: 'legacy-verification-token',
    trigger_id: nextTriggerId(),
    view: {
      id: 'V0MODAL',
      team_id: teamId,
      type: 'modal',
      callback_id: options.callbackId,
      private_metadata: options.privateMetadata,
      state: { values: options.values },
      hash: '1700000000.abcdef',
      app_id: 'A0IGOR',
      bot_id: 'B0IGOR',
    },
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  return postSignedToSlackEndpoint(url, signingSecret, body, options);
}

/** The Events API envelope Slack sends when `user` opens a tab of the app (`app_home_opened`). */
export function appHomeOpenedEvent(user: string, tab: 'home' | 'messages' = 'home', teamId = 'T0TEAM'): Record<string, unknown> {
  const now = Date.now() / 1000;
  return {
    token: 'legacy-verification-token',
    team_id: teamId,
    api_app_id: 'A0IGOR',
    event: { type: 'app_home_opened', user, channel: `D0${user.slice(1)}`, tab, event_ts: now.toFixed(6) },
    type: 'event_callback',
    event_id: `Ev${Math.floor(now * 1000)}${Math.floor(Math.random() * 1000)}`,
    event_time: Math.floor(now),
    authorizations: [{ enterprise_id: null, team_id: teamId, user_id: 'U0IGOR', is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
  };
}

/** POST an Events API envelope (JSON, signed) to `url`, as Slack delivers events in HTTP mode. */
export function sendEvent(url: string, signingSecret: string, envelope: Record<string, unknown>, options: SignOptions = {}): Promise<SlackHttpResponse> {
  return postSignedToSlackEndpoint(url, signingSecret, JSON.stringify(envelope), { contentType: 'application/json', ...options });
}

/** The `block_actions` payload of a button pressed on the app's Home tab: a view container, no channel, no message. */
export function homeButtonPayload(options: { actionId: string; value: string; userId: string; viewId?: string; blockId?: string }): Record<string, unknown> {
  const viewId = options.viewId ?? 'V00000001';
  return {
    type: 'block_actions',
    user: { id: options.userId, username: userNameOf(options.userId), name: userNameOf(options.userId), team_id: 'T0TEAM' },
    api_app_id: 'A0IGOR',
    token: 'legacy-verification-token',
    container: { type: 'view', view_id: viewId },
    trigger_id: nextTriggerId(),
    team: { id: 'T0TEAM', domain: 'example' },
    enterprise: null,
    is_enterprise_install: false,
    view: { id: viewId, team_id: 'T0TEAM', type: 'home', blocks: [], private_metadata: '', callback_id: '', state: { values: {} }, hash: '1700000000.hash', app_id: 'A0IGOR', bot_id: 'B0IGOR' },
    actions: [
      {
        action_id: options.actionId,
        block_id: options.blockId ?? 'home',
        text: { type: 'plain_text', text: labelOf(options.actionId), emoji: true },
        value: options.value,
        type: 'button',
        action_ts: (Date.now() / 1000).toFixed(6),
      },
    ],
  };
}

/** POST a press of a Home tab's button, signed. */
export function pressHomeButton(url: string, signingSecret: string, options: Parameters<typeof homeButtonPayload>[0]): Promise<SlackHttpResponse> {
  const body = new URLSearchParams({ payload: JSON.stringify(homeButtonPayload(options)) }).toString();
  return postSignedToSlackEndpoint(url, signingSecret, body);
}
