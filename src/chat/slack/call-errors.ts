import { ChatCallError } from '../port.js';

/**
 * Errors of chat.* that no retry can fix: the channel, the thread or the message is not there (or
 * not ours), or Slack refuses the message itself. Anything else (5xx, network, `internal_error`,
 * `fatal_error`, an unknown code, a revoked token someone will fix) is worth trying again.
 */
const PERMANENT = new Set([
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'channel_is_archived',
  'thread_not_found',
  'message_not_found',
  'cant_update_message',
  'edit_window_closed',
  'invalid_blocks',
  'invalid_blocks_format',
  'msg_too_long',
  'msg_blocks_too_long',
  'no_text',
  'too_many_attachments',
  'invalid_attachments',
  'invalid_arguments',
  'restricted_action',
  'restricted_action_read_only_channel',
  'restricted_action_thread_only_channel',
  'restricted_action_non_threadable_channel',
]);

/**
 * What a @slack/web-api error means for a retry, as a {@link ChatCallError}: a rate limit carries
 * its `Retry-After`, a refusal above is permanent, the rest passes.
 */
export function slackCallError(error: unknown, method: string): ChatCallError {
  const err = error as { code?: string; retryAfter?: number; data?: { error?: string }; statusCode?: number; message?: string };
  if (err.code === 'slack_webapi_rate_limited_error') {
    return new ChatCallError(`[slack] ${method}: rate limited, retry after ${err.retryAfter ?? 1}s`, { permanent: false, retryAfterMs: (err.retryAfter ?? 1) * 1_000 }, { cause: error });
  }
  if (err.code === 'slack_webapi_platform_error') {
    const code = err.data?.error ?? 'unknown_error';
    return new ChatCallError(`[slack] ${method}: ${code}`, { permanent: PERMANENT.has(code) }, { cause: error });
  }
  if (err.code === 'slack_webapi_http_error') return new ChatCallError(`[slack] ${method}: HTTP ${err.statusCode}`, { permanent: false }, { cause: error });
  return new ChatCallError(`[slack] ${method}: ${err.message ?? String(error)}`, { permanent: false }, { cause: error });
}
