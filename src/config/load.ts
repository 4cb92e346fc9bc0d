import { readFile } from 'node:fs/promises';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { nearest } from '../shared/nearest.js';
import { fromAppsForm, fromSingleApp, type AppsConfig } from './apps.js';
import { keysAt } from './known-keys.js';
import { appsSchema, configSchema, SINGLE_APP_KEYS, type Config } from './schema.js';

/**
 * A config that cannot be used. `problems` are the lines start-up prints, one per problem (a config
 * with three mistakes shows all three at once); `message` is them joined by newlines.
 */
export class ConfigError extends Error {
  override name = 'ConfigError';
  readonly problems: readonly string[];

  constructor(problems: string | readonly string[], options?: ErrorOptions) {
    const lines = typeof problems === 'string' ? [problems] : [...problems];
    super(lines.join('\n'), options);
    this.problems = lines;
  }
}

/** Reads and validates `igor.yml` (either form); throws {@link ConfigError} naming the key and the problem. */
export async function loadConfig(path: string): Promise<AppsConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`, { cause: error });
  }
  return parseAppsConfig(text, path);
}

/** Validates config text of either form; `source` names it in errors. */
export function parseAppsConfig(text: string, source = 'igor.yml'): AppsConfig {
  const raw = readYaml(text, source);
  if (isRecord(raw) && Object.hasOwn(raw, 'apps')) {
    const mixed = SINGLE_APP_KEYS.find((key) => Object.hasOwn(raw, key));
    if (mixed) throw new ConfigError(`${mixed}: belongs under apps.<name> when igor.yml has apps (it takes the single-app form or apps, not both)`);
    return fromAppsForm(validate(appsSchema, raw));
  }
  return fromSingleApp(validate(configSchema, raw));
}

/** Validates config text of one app: the single-app form, or `apps:` with one app in it (several are a config error naming them). */
export function parseConfig(text: string, source = 'igor.yml'): Config {
  const { apps } = parseAppsConfig(text, source);
  if (apps.size > 1) throw new ConfigError(`apps: expected the config of one app here, got ${apps.size} (${[...apps.keys()].join(', ')})`);
  return [...apps.values()][0]!;
}

function readYaml(text: string, source: string): unknown {
  try {
    return parseYaml(text) ?? {};
  } catch (error) {
    if (error instanceof YAMLParseError) {
      const line = error.linePos?.[0];
      throw new ConfigError(`${source}${line ? `:${line.line}:${line.col}` : ''}: not valid YAML (${error.code})`, { cause: error });
    }
    throw error;
  }
}

function validate<Schema extends z.ZodType>(schema: Schema, raw: unknown): z.output<Schema> {
  // reportInput: the issue keeps the offending value, so a wrong type is not mistaken for a missing key.
  const result = schema.safeParse(raw, { reportInput: true });
  if (!result.success) throw new ConfigError(result.error.issues.flatMap((issue) => configProblems(issue, schema)));
  return result.data;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The lines of one config issue: one per unknown key, with the nearest key that place allows
 * (`environments.production.aproval: unknown key (did you mean approval?)`); else as formatIssue.
 */
function configProblems(issue: z.core.$ZodIssue, schema: z.ZodType): string[] {
  if (issue.code !== 'unrecognized_keys') return [formatIssue(issue)];
  const known = keysAt(schema, issue.path);
  return issue.keys.map((key) => {
    const guess = nearest(key, known);
    return `${[...issue.path.map(String), key].join('.')}: unknown key${guess ? ` (did you mean ${guess}?)` : ''}`;
  });
}

/** One issue as `environments.production.health.url: must be a URL`. */
export function formatIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    return `${[...path, issue.keys[0]].join('.')}: unknown key`;
  }
  const key = path.length ? path.join('.') : '(top level)';
  return `${key}: ${describe(issue)}`;
}

function describe(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') {
    if (issue.input === undefined) return 'is required';
    if (!issue.message.startsWith('Invalid input')) return issue.message;
    return `must be ${article(issue.expected)}`;
  }
  if (issue.code === 'invalid_value') return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  if (issue.code === 'too_small' && issue.origin === 'array') return `must have at least ${String(issue.minimum)} item(s)`;
  if (issue.code === 'too_small' && issue.origin === 'number' && !issue.message.startsWith('Too small')) return issue.message;
  if (issue.code === 'too_small' && issue.origin === 'number') return `must be at least ${String(issue.minimum)}`;
  if (issue.code === 'too_big' && issue.origin === 'number') return `must be at most ${String(issue.maximum)}`;
  if (issue.code === 'invalid_union') return 'is not one of the accepted forms';
  // A record's key that breaks its rule: the rule's own words (`environment names are …`).
  if (issue.code === 'invalid_key') return issue.issues[0]?.message ?? issue.message;
  return issue.message;
}

function article(expected: string): string {
  if (expected === 'object') return 'a mapping';
  if (expected === 'array') return 'a list';
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}
