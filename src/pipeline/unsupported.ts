import type { EnvironmentConfig } from '../config/schema.js';

/**
 * Settings the schema accepts but this version of igor cannot act on yet, each with how to tell
 * that an environment uses it. None at the moment (ssh.knownHosts was the last); a setting the
 * schema learns before igor can act on it goes here.
 */
const UNSUPPORTED: readonly { key: string; usedBy: (environment: EnvironmentConfig) => boolean }[] = [];

/**
 * The unsupported settings an environment uses. A deployment that needs one fails before touching
 * anything, naming the key, rather than silently doing something else.
 */
export function unsupportedSettings(name: string, environment: EnvironmentConfig): string[] {
  return UNSUPPORTED.filter((setting) => setting.usedBy(environment)).map((setting) => `environments.${name}.${setting.key}`);
}
