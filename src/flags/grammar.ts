import { UsageError } from '../chat/commands/usage.js';
import { flagKeyProblem, parseFlagSetting, SETTING_RULE, type FlagSetting } from './model.js';

export type FlagsCommand =
  | { kind: 'list'; environment?: string }
  | { kind: 'set'; key: string; value: FlagSetting; environment?: string }
  | { kind: 'delete'; key: string; environment?: string }
  | { kind: 'help' };

const SET_USAGE = '`/flags set <key> on|off|<0-100>% [env]`';
const DELETE_USAGE = '`/flags delete <key> [env]`';

/**
 * Parses the text after `/flags`. The words `set`, `delete` and `help` are commands; one other
 * word names the environment to list.
 * @example parseFlagsCommand('set new-checkout 25% staging') // { kind: 'set', key: 'new-checkout', value: '25%', environment: 'staging' }
 * @example parseFlagsCommand('') // { kind: 'list' }
 */
export function parseFlagsCommand(text: string): FlagsCommand {
  const [first, ...rest] = text.trim().split(/\s+/).filter(Boolean);
  const environment = (word: string | undefined) => (word === undefined ? {} : { environment: word });
  switch (first) {
    case undefined:
      return { kind: 'list' };
    case 'help':
      if (rest.length) throw new UsageError('expected `/flags help`');
      return { kind: 'help' };
    case 'set': {
      const [key, value, env, ...extra] = rest;
      if (!key || !value) throw new UsageError(`expected ${SET_USAGE}`);
      if (env !== undefined && !parseFlagSetting(value) && parseFlagSetting(env)) {
        throw new UsageError(`expected ${SET_USAGE}: a flag key has no spaces (got \`${key} ${value}\`)`);
      }
      if (extra.length) throw new UsageError(`expected ${SET_USAGE}, got \`${text.trim().slice(0, 100)}\` (a flag key has no spaces)`);
      checkKey(key);
      const setting = parseFlagSetting(value);
      if (!setting) throw new UsageError(`expected ${SET_USAGE}: the value of \`${key}\` is ${SETTING_RULE}, not \`${value.slice(0, 100)}\``);
      return { kind: 'set', key, value: setting, ...environment(env) };
    }
    case 'delete': {
      const [key, env, ...extra] = rest;
      if (!key || extra.length) throw new UsageError(`expected ${DELETE_USAGE}`);
      checkKey(key);
      return { kind: 'delete', key, ...environment(env) };
    }
  }
  if (rest.length === 0) return { kind: 'list', environment: first };
  throw new UsageError(`expected \`/flags [env]\`, ${SET_USAGE} or ${DELETE_USAGE}, got \`${text.trim().slice(0, 100)}\``);
}

function checkKey(key: string): void {
  const problem = flagKeyProblem(key);
  if (problem) throw new UsageError(problem);
}
