/**
 * Discovery could not list an environment's servers, or found none; the message says what to fix.
 *
 * @example
 * throw new DiscoveryError('[fleet] [ec2] no running instances match tag:app=shop in eu-west-1');
 */
export class DiscoveryError extends Error {
  override name = 'DiscoveryError';
}
