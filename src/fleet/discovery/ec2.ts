import { EC2Client, paginateDescribeInstances, type Filter, type Instance } from '@aws-sdk/client-ec2';
import type { EnvironmentConfig } from '../../config/schema.js';
import type { Discovery, Server } from '../types.js';
import { DiscoveryError } from './errors.js';
import { isNetworkError as isSocketError } from './network-errors.js';
import { namedServers, sshServer, type Found } from './order.js';

export interface Ec2DiscoveryOptions {
  environment: EnvironmentConfig;
  /** Defaults to a client built from the SDK's own credential chain and environment (`AWS_REGION`, `AWS_ENDPOINT_URL_EC2`, …). */
  client?: EC2Client;
  /** SSH user when `ssh.user` is not configured. */
  defaultUser: string;
  /** Instances per DescribeInstances page (moto counts reservations); the API takes 5..1000. Default 100. */
  pageSize?: number;
}

/**
 * The running instances that match `servers.ec2.filters`, reached over SSH at their private or
 * public address, sorted by name (the `Name` tag, else the instance id).
 *
 * @example
 * const discovery = createEc2Discovery({ environment: config.environments.production, defaultUser: 'deploy' });
 * const servers = await discovery.servers(); // [{ name: 'web-1', address: '10.0.1.12', via: 'ssh', … }]
 */
export function createEc2Discovery(options: Ec2DiscoveryOptions): Discovery {
  const { environment, defaultUser, pageSize = 100 } = options;
  if (!Number.isInteger(pageSize) || pageSize < 5 || pageSize > 1000) {
    throw new RangeError(`[fleet] [ec2] pageSize must be an integer from 5 to 1000, not ${pageSize}`);
  }
  const ec2 = environment.servers.ec2 ?? { filters: {}, address: 'private' as const };
  const client = options.client ?? new EC2Client(ec2.region ? { region: ec2.region } : {});
  const filters: Filter[] = [
    ...Object.entries(ec2.filters).map(([Name, Values]) => ({ Name, Values })),
    { Name: 'instance-state-name', Values: ['running'] },
  ];

  return {
    name: 'ec2',
    async servers(): Promise<Server[]> {
      const instances: Instance[] = [];
      try {
        for await (const page of paginateDescribeInstances({ client, pageSize }, { Filters: filters })) {
          for (const reservation of page.Reservations ?? []) instances.push(...(reservation.Instances ?? []));
        }
      } catch (error) {
        throw await explain(error, client);
      }

      const found: Found[] = [];
      const unaddressed: string[] = [];
      for (const instance of instances) {
        const address = ec2.address === 'public' ? instance.PublicIpAddress : instance.PrivateIpAddress;
        const name = nameOf(instance);
        if (!address) {
          unaddressed.push(name);
          continue;
        }
        // Instances of one Auto Scaling group share their Name tag: the instance id tells them apart.
        found.push({ scope: instance.InstanceId ?? address, server: sshServer(environment, defaultUser, { name, address, id: instance.InstanceId }) });
      }
      if (found.length === 0) throw await noServers(ec2, unaddressed, client);
      return namedServers(found);
    },
  };
}

function nameOf(instance: Instance): string {
  const tag = instance.Tags?.find((t) => t.Key === 'Name' && t.Value);
  return tag?.Value ?? instance.InstanceId ?? 'unknown instance';
}

async function noServers(
  ec2: { filters: Record<string, string[]>; address: 'private' | 'public' },
  unaddressed: string[],
  client: EC2Client,
): Promise<DiscoveryError> {
  const region = await regionOf(client);
  const matching = Object.entries(ec2.filters).map(([name, values]) => `${name}=${values.join('|')}`).join(', ');
  if (unaddressed.length === 0) {
    return new DiscoveryError(`[fleet] [ec2] no running instances${matching ? ` match ${matching}` : ''} in ${region}`);
  }
  const other = ec2.address === 'public' ? 'private' : 'public';
  return new DiscoveryError(
    `[fleet] [ec2] none of the ${unaddressed.length} running instances${matching ? ` matching ${matching}` : ''} in ${region} ` +
      `has a ${ec2.address} IP address (${unaddressed.join(', ')}): give them one, or set servers.ec2.address to ${other}`,
  );
}

const CREDENTIAL_ERRORS = new Set(['AuthFailure', 'UnrecognizedClientException', 'InvalidClientTokenId', 'SignatureDoesNotMatch', 'ExpiredToken', 'RequestExpired']);
const THROTTLING_ERRORS = new Set(['RequestLimitExceeded', 'Throttling', 'ThrottlingException']);

/** Turns what the SDK threw into a sentence that says what to fix. */
async function explain(error: unknown, client: EC2Client): Promise<DiscoveryError> {
  const name = error instanceof Error ? error.name : '';
  const message = error instanceof Error ? error.message : String(error);
  const cause = { cause: error };
  if (name === 'CredentialsProviderError') {
    return new DiscoveryError(
      `[fleet] [ec2] found no AWS credentials (${message}): set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or give the machine an instance role`,
      cause,
    );
  }
  if (CREDENTIAL_ERRORS.has(name)) {
    return new DiscoveryError(
      `[fleet] [ec2] AWS refused the credentials (${name}: ${message}): check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or the instance role`,
      cause,
    );
  }
  if (name === 'UnauthorizedOperation') {
    return new DiscoveryError(`[fleet] [ec2] the AWS credentials may not call ec2:DescribeInstances (${message}): allow it in their IAM policy`, cause);
  }
  if (THROTTLING_ERRORS.has(name)) {
    return new DiscoveryError('[fleet] [ec2] AWS is throttling DescribeInstances; try again in a minute', cause);
  }
  if (message === 'Region is missing') {
    return new DiscoveryError('[fleet] [ec2] no AWS region: set servers.ec2.region in the config or AWS_REGION', cause);
  }
  if (isNetworkError(error)) {
    return new DiscoveryError(`[fleet] [ec2] cannot reach the EC2 API at ${await endpointOf(client)} (${describeNetworkError(error)})`, cause);
  }
  return new DiscoveryError(`[fleet] [ec2] DescribeInstances failed: ${message}`, cause);
}

/** Socket errors, and the SDK's socket timeouts. */
function isNetworkError(error: unknown): boolean {
  return (error instanceof Error && error.name === 'TimeoutError') || isSocketError(error);
}

function describeNetworkError(error: unknown): string {
  const err = error as NodeJS.ErrnoException;
  if (err.message) return err.message;
  const first = error instanceof AggregateError ? (error.errors[0] as Error | undefined) : undefined;
  return first?.message ?? err.code ?? 'network error';
}

async function regionOf(client: EC2Client): Promise<string> {
  try {
    return await client.config.region();
  } catch {
    return 'no region';
  }
}

/** The URL the client sends to: an explicit `endpoint`, else `AWS_ENDPOINT_URL_EC2` as the SDK reads it, else the regional default. */
async function endpointOf(client: EC2Client): Promise<string> {
  const config = client.config;
  try {
    if (config.isCustomEndpoint && config.endpoint) {
      const { protocol, hostname, port, path } = await config.endpoint();
      return `${protocol}//${hostname}${port ? `:${port}` : ''}${path === '/' ? '' : path}`;
    }
    const configured = await config.serviceConfiguredEndpoint?.();
    if (configured) return configured;
    const resolved = config.endpointProvider({
      Region: await config.region(),
      UseFIPS: await config.useFipsEndpoint(),
      UseDualStack: await config.useDualstackEndpoint(),
    });
    return resolved.url.href.replace(/\/$/, '');
  } catch {
    return 'its configured endpoint';
  }
}
