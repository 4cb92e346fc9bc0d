/**
 * What went wrong, for code that reacts differently: `credentials` (refused or missing),
 * `permission` (allowed to sign in, not to list), `throttled`, `unreachable`, `none` (the
 * listing worked and found no server), `failed` (anything else).
 */
export type DiscoveryFailure = 'credentials' | 'permission' | 'throttled' | 'unreachable' | 'none' | 'failed';

/**
 * Discovery could not list an environment's servers, or found none; the message says what to fix.
 *
 * @example
 * throw new DiscoveryError('[fleet] [ec2] no running instances match tag:app=shop in eu-west-1');
 * throw new DiscoveryError('[fleet] [gce] Google is throttling instances.list', { failure: 'throttled', cause });
 */
export class DiscoveryError extends Error {
  override name = 'DiscoveryError';
  readonly failure: DiscoveryFailure;

  constructor(message: string, options: { cause?: unknown; failure?: DiscoveryFailure } = {}) {
    super(message, 'cause' in options ? { cause: options.cause } : undefined);
    this.failure = options.failure ?? 'failed';
  }
}
