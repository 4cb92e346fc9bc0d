import { escapeMrkdwn } from '../mrkdwn.js';
import { UsageError } from './usage.js';

export type DeployCommand =
  | { kind: 'deploy'; ref: string; environment?: string; breakGlass?: string }
  | { kind: 'promote'; from: string; environment: string }
  | { kind: 'status'; environment?: string }
  | { kind: 'history'; environment?: string }
  | { kind: 'cancel'; environment?: string }
  | { kind: 'lock'; environment: string; reason?: string }
  | { kind: 'unlock'; environment: string }
  | { kind: 'help' };

/** The usage, as mrkdwn. */
export const DEPLOY_USAGE = escapeMrkdwn([
  '`/deploy <ref> [to <env>]`: test, approve and deploy a branch, tag or commit',
  '`/deploy <ref> [to <env>] --break-glass "reason"`: deploy during a freeze (approvers)',
  '`/deploy promote <from> to <env>`: ship the release live on <from> to <env>, the same bytes, without testing it again',
  '`/deploy status [env]` · `/deploy history [env]` · `/deploy cancel [env]`',
  '`/deploy lock <env> [reason]` · `/deploy unlock <env>` · `/deploy help`',
].join('\n'));

/**
 * Parses the text after `/deploy`. The words status, history, cancel, lock, unlock, promote and help are
 * commands, not refs (deploy such a branch as `refs/heads/status`).
 * @example parseDeployCommand('main to staging') // { kind: 'deploy', ref: 'main', environment: 'staging' }
 */
export function parseDeployCommand(text: string): DeployCommand {
  const flag = /(?:^|\s)--break-glass(?:\s+|$)/.exec(text);
  if (flag) {
    const reason = unquote(text.slice(flag.index + flag[0].length));
    const command = parseDeployCommand(text.slice(0, flag.index));
    if (command.kind !== 'deploy') throw new UsageError('`--break-glass` goes with a deploy: `/deploy <ref> [to <env>] --break-glass "reason"`');
    if (!reason) throw new UsageError('`--break-glass` needs a reason: `/deploy <ref> [to <env>] --break-glass "why it cannot wait"`');
    return { ...command, breakGlass: reason };
  }
  const words = text.trim().split(/\s+/).filter(Boolean);
  const [first, ...rest] = words;
  const optionalEnvironment = (usage: string): { environment?: string } => {
    if (rest.length > 1) throw new UsageError(`expected ${usage}`);
    return rest[0] ? { environment: rest[0] } : {};
  };
  switch (first) {
    case undefined:
    case 'help':
      if (rest.length) throw new UsageError('expected `/deploy help`');
      return { kind: 'help' };
    case 'status':
      return { kind: 'status', ...optionalEnvironment('`/deploy status [env]`') };
    case 'history':
      return { kind: 'history', ...optionalEnvironment('`/deploy history [env]`') };
    case 'cancel':
      return { kind: 'cancel', ...optionalEnvironment('`/deploy cancel [env]`') };
    case 'lock': {
      const [environment, ...reason] = rest;
      if (!environment) throw new UsageError('expected `/deploy lock <env> [reason]`');
      return reason.length ? { kind: 'lock', environment, reason: reason.join(' ') } : { kind: 'lock', environment };
    }
    case 'promote':
      if (rest.length !== 3 || rest[1] !== 'to') throw new UsageError('expected `/deploy promote <from> to <env>`');
      return { kind: 'promote', from: rest[0]!, environment: rest[2]! };
    case 'unlock':
      if (rest.length !== 1) throw new UsageError('expected `/deploy unlock <env>`');
      return { kind: 'unlock', environment: rest[0]! };
  }
  if (rest.length === 0) return { kind: 'deploy', ref: first };
  if (rest.length === 2 && rest[0] === 'to') return { kind: 'deploy', ref: first, environment: rest[1]! };
  throw new UsageError(`expected \`/deploy <ref> [to <env>]\`, got \`${text.trim().slice(0, 100)}\` (a ref has no spaces)`);
}

/** A reason as typed: straight or curly quotes around it (Slack curls them) taken off. */
function unquote(text: string): string {
  const trimmed = text.trim();
  const quoted = /^(["'\u201c\u2018])([\s\S]*)(["'\u201d\u2019])$/.exec(trimmed);
  return (quoted ? quoted[2]! : trimmed).trim();
}
