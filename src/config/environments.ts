import { RefusedError } from '../shared/refusal.js';
import { ownEntry } from '../shared/names.js';
import { nearest } from '../shared/nearest.js';
import type { Config, EnvironmentConfig } from './schema.js';

/**
 * The environment a command means: the one named, else `defaultEnvironment`, else the only one.
 * Throws a {@link RefusedError} listing the configured ones.
 */
export function environmentName(config: Config, requested: string | undefined): string {
  const names = Object.keys(config.environments);
  const name = requested ?? config.defaultEnvironment ?? (names.length === 1 ? names[0] : undefined);
  if (!name) throw new RefusedError('bad-input', `name an environment: ${names.join(', ')} (or set defaultEnvironment)`);
  if (!findEnvironment(config, name)) {
    const guess = nearest(name, names);
    throw new RefusedError('not-found', `there is no environment "${name}"${guess ? ` (did you mean ${guess}?)` : ''}; configured: ${names.join(', ')}`);
  }
  return name;
}

/** Where an environment's deployments and flag changes are told: its `channel`, else `channels.deploys`. */
export function environmentChannel(config: Config, environment: string): string {
  return findEnvironment(config, environment)?.channel ?? config.channels.deploys;
}

/** The settings of a configured environment, or undefined: never anything a plain object answers by itself. */
export function findEnvironment(config: Config, name: string): EnvironmentConfig | undefined {
  return ownEntry(config.environments, name);
}
