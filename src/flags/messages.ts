import type { KnownBlock } from '@slack/types';
import { button, buttons, plain } from '../chat/messages.js';
import { codeMrkdwn, dateMrkdwn, escapeMrkdwn as esc, mention } from '../chat/mrkdwn.js';
import type { ChatMessage } from '../chat/port.js';
import type { FlagChange, FlagRecord, FlagSetting, PushReport } from './model.js';

/** The `<action>` of the Undo button: `action_id` `igor.flag-undo`, `value` the change id. */
export const FLAG_UNDO_ACTION = 'flag-undo';

/** The usage, as mrkdwn. */
export const FLAGS_USAGE = esc([
  '`/flags [env]`: list the flags of an environment',
  '`/flags set <key> on|off|<0-100>% [env]`: create or change one (a key is letters, digits, `-`, `_`, `.`)',
  '`/flags delete <key> [env]` · `/flags help`',
].join('\n'));

const shown = (value: FlagSetting | null) => value ?? '_not set_';
/** How many failed hosts an announcement names; the audit log keeps them all. */
const SHOWN_FAILURES = 8;
/** Slack's limit for a section's text is 3000 characters. */
const SECTION_LIMIT = 2_900;

/** `<@U1> set `new-checkout` in *staging*: off → 25%`: what happened, with the old and new value. */
function headline(change: FlagChange, named: boolean): string {
  const what = `${codeMrkdwn(change.key)} in *${esc(named ? `${change.app}/${change.environment}` : change.environment)}*: ${shown(change.from)} → ${shown(change.to)}`;
  switch (change.action) {
    case 'set':
      return `${mention(change.user)} set ${what}`;
    case 'delete':
      return `${mention(change.user)} deleted ${what}`;
    case 'undo':
      return `${mention(change.user)} undid change ${esc(change.undoOf ?? '?')}: ${what}`;
  }
}

/** What became of `flags.json` on the hosts; every failed host is named with its error. */
export function pushSummary(push: PushReport): string {
  if (push.error) return `:warning: flags.json was not pushed: ${esc(push.error)}`;
  if (push.hosts.length === 0) return 'flags.json: no hosts to push to';
  const failed = push.hosts.filter((host) => !host.ok);
  const done = `flags.json pushed to ${push.hosts.length - failed.length}/${push.hosts.length} hosts`;
  if (failed.length === 0) return done;
  // Slack refuses a context element over 3000 characters: the first few hosts with their errors, then a count.
  const named = failed.slice(0, SHOWN_FAILURES).map((host) => esc(`${host.host} (${(host.error ?? 'unknown error').split('\n')[0]!.slice(0, 200)})`));
  const more = failed.length > SHOWN_FAILURES ? ` and ${failed.length - SHOWN_FAILURES} more (see \`GET /api/flags/&lt;env&gt;/&lt;key&gt;/history\`)` : '';
  return `:warning: ${done}; failed: ${named.join('; ')}${more}`;
}

/**
 * The announcement of a change in the environment's channel, with an `Undo` button until it is
 * undone; afterwards the same message says who undid it. With `named`, the environment is
 * named with its app (an igor of several apps).
 */
export function flagChangeMessage(change: FlagChange, named = false): ChatMessage {
  const title = `:triangular_flag_on_post: ${headline(change, named)}`;
  const context = [`change ${change.id}`, change.push ? pushSummary(change.push) : null, change.undoneBy ? `undone by ${mention(change.undoneBy.user)} (change ${esc(change.undoneBy.change)})` : null]
    .filter(Boolean)
    .join(' · ');
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: title } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: context }] },
  ];
  if (!change.undoneBy) blocks.push(buttons(`flag-change-${change.id}`, [button('Undo', FLAG_UNDO_ACTION, change.id)]));
  const text = `${headline(change, named).replace(/\*/g, '')}${change.push?.error || change.push?.hosts.some((host) => !host.ok) ? ` (${pushSummary(change.push)})` : ''}`;
  return { text, blocks };
}

/** `/flags [env]`: every flag with its value, who set it and when, and where apps read them; `environment` as people name it (`shop/staging` with several apps, which is also its path under `/flags`). */
export function flagListMessage(environment: string, flags: Record<string, FlagRecord>, publicUrl: string): ChatMessage {
  const keys = Object.keys(flags).sort();
  const where = `Apps read them with OpenFeature's OFREP provider at ${codeMrkdwn(`${publicUrl}/flags/${environment}`)}, or flagd at ${codeMrkdwn(`${publicUrl}/flags/${environment}/flagd.json`)}.`;
  if (keys.length === 0) return plain(`No flags in *${esc(environment)}* yet: ${codeMrkdwn(`/flags set <key> on|off|<0-100>% ${environment}`)} creates one.\n${where}`);
  const lines = keys.map((key) => {
    const flag = flags[key]!;
    return `• ${codeMrkdwn(key)}: *${flag.value}* · ${mention(flag.updatedBy)} · ${dateMrkdwn(flag.updatedAt)}`;
  });
  const text = `*Flags in ${esc(environment)}* (${keys.length})\n${lines.join('\n')}\n${where}`;
  return { text, blocks: sections([`*Flags in ${esc(environment)}* (${keys.length})`, ...lines, where]) };
}

/** Lines packed into as few sections as Slack's per-section limit allows. */
function sections(lines: string[]): KnownBlock[] {
  const chunks: string[] = [];
  for (const line of lines) {
    const last = chunks.at(-1);
    if (last !== undefined && last.length + 1 + line.length <= SECTION_LIMIT) chunks[chunks.length - 1] = `${last}\n${line}`;
    else chunks.push(line.slice(0, SECTION_LIMIT));
  }
  return chunks.map((chunk) => ({ type: 'section', text: { type: 'mrkdwn', text: chunk } }));
}
