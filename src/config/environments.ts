import { RefusedError } from '../pipeline/errors.js';
import type { Config } from './schema.js';

/**
 * The environment a command means: the one named, else `defaultEnvironment`, else the only one.
 * Throws a {@link RefusedError} listing the configured ones.
 */
export function environmentName(config: Config, requested: string | undefined): string {
  const names = Object.keys(config.environments);
  const name = requested ?? config.defaultEnvironment ?? (names.length === 1 ? names[0] : undefined);
  if (!name) throw new RefusedError('bad-input', `name an environment: ${names.join(', ')} (or set defaultEnvironment)`);
  if (!config.environments[name]) throw new RefusedError('not-found', `there is no environment "${name}"; configured: ${names.join(', ')}`);
  return name;
}

/** Where an environment's deployments and flag changes are told: its `channel`, else `channels.deploys`. */
export function environmentChannel(config: Config, environment: string): string {
  return config.environments[environment]?.channel ?? config.channels.deploys;
}
