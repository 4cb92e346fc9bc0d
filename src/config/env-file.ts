import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { ConfigError } from './load.js';

/** The file igor reads at start, in its working directory. */
export const ENV_FILE = '.env';

/** `.env` exists but cannot be read (a folder, no permission). A missing file is not an error. */
export class EnvFileError extends ConfigError {
  override name = 'EnvFileError';
}

/**
 * Reads `file` (dotenv syntax, Node's own `util.parseEnv`) into `env`: a variable already set in
 * the real environment wins over the file, and an empty value means unset, on either side, so a
 * `.env` copied from `.env.example` with its blanks changes nothing. `env` is written to (rather
 * than copied) because libraries read some variables themselves (the AWS SDK's `AWS_*`).
 * Returns the names taken from the file (never the values: they may be secrets).
 *
 * @example
 * loadEnvFile('.env', process.env); // ['SLACK_BOT_TOKEN', 'IGOR_CONFIG'] when only those came from the file
 */
export function loadEnvFile(file: string, env: NodeJS.ProcessEnv): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new EnvFileError(`cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
  const taken: string[] = [];
  for (const [name, value] of Object.entries(parseEnv(text))) {
    if (!value || env[name]) continue;
    env[name] = value;
    taken.push(name);
  }
  return taken;
}

/**
 * The settings igor reads: `env` without its empty values, so `IGOR_HOST=` means "the default"
 * rather than "listen on ''".
 */
export function settingsOf(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => Boolean(entry[1])));
}
