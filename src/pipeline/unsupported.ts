import type { EnvironmentConfig } from '../config/schema.js';

/**
 * Settings the schema accepts but this version of igor cannot act on yet. A deployment that needs
 * one fails before touching anything, naming the key, rather than silently doing something else.
 */
export function unsupportedSettings(name: string, environment: EnvironmentConfig): string[] {
  const at = (key: string) => `environments.${name}.${key}`;
  const found: string[] = [];
  if (environment.ssh.knownHosts) found.push(at('ssh.knownHosts'));
  return found;
}
