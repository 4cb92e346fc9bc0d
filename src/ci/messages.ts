import type { KnownBlock } from '@slack/types';
import { button, buttons } from '../chat/messages.js';
import { codeMrkdwn, escapeMrkdwn as esc, linkMrkdwn, mention, preformatted } from '../chat/mrkdwn.js';
import type { ChatMessage } from '../chat/port.js';
import type { CiRun } from './types.js';

const short = (sha: string) => sha.slice(0, 7);

/** `abc1234 “Fix the cart” by Ada`, with a link to the commit on GitHub when igor knows where it is. */
function commitLine(run: CiRun): string {
  const url = run.repository?.htmlUrl ? `${run.repository.htmlUrl}/commit/${run.sha}` : null;
  return `${linkMrkdwn(url, short(run.sha))}${run.subject ? ` “${esc(run.subject)}”` : ''}${run.author ? ` by ${esc(run.author)}` : ''}`;
}

function who(run: CiRun): string {
  return run.requestedBy.startsWith('github:') ? `pushed by ${esc(run.requestedBy.slice('github:'.length))}` : `retried by ${mention(run.requestedBy)}`;
}

/** A failed run: commit, author, failing step and why, the log tail, and `Retry`. */
export function ciFailedMessage(app: string, run: CiRun): ChatMessage {
  const headline = `:x: *${esc(app)}*: tests failed on ${codeMrkdwn(run.branch)} at ${commitLine(run)}`;
  const step = `${codeMrkdwn(run.failedStep ?? '?')} ${esc(run.reason ?? 'failed')}`;
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: `${headline}\n${step}` } }];
  if (run.logTail) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: preformatted(run.logTail.slice(-2500)) } });
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `test run ${run.id} · ${who(run)}${run.retryOf ? ` · retries run ${run.retryOf}` : ''}` }] });
  blocks.push(buttons(`ci-run-${run.id}`, [button('Retry', 'ci-retry', run.id, 'primary')]));
  return { text: esc(`${app}: tests failed on ${run.branch} at ${short(run.sha)}: ${run.failedStep ?? '?'} ${run.reason ?? 'failed'}`), blocks };
}

/** The first success after a failure on a branch. */
export function ciFixedMessage(app: string, run: CiRun, failed: CiRun): ChatMessage {
  const text = `:white_check_mark: *${esc(app)}*: ${codeMrkdwn(run.branch)} is fixed at ${commitLine(run)}: every test step passes again (${codeMrkdwn(failed.failedStep ?? '?')} had failed at \`${short(failed.sha)}\`)`;
  return {
    text: esc(`${app}: ${run.branch} is fixed at ${short(run.sha)}`),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `test run ${run.id} · ${who(run)}` }] },
    ],
  };
}
