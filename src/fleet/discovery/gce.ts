import { InstancesClient, type protos } from '@google-cloud/compute';
import type { AuthClient } from 'google-auth-library';
import { Status, type CallOptions } from 'google-gax';
import type { EnvironmentConfig, GceServersConfig } from '../../config/schema.js';
import type { Discovery, Server } from '../types.js';
import { DiscoveryError } from './errors.js';
import { isNetworkError, inChain } from './network-errors.js';
import { namedServers, sshServer, type Found } from './order.js';

type Instance = protos.google.cloud.compute.v1.IInstance;

export interface GceDiscoveryOptions {
  environment: EnvironmentConfig;
  /** SSH user when `ssh.user` is not configured. */
  defaultUser: string;
  /** Defaults to Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS, gcloud's login, or the VM's service account). */
  authClient?: AuthClient;
  /** Instances per instances.list page (the API takes 1..500). Default 500. */
  pageSize?: number;
  /** How long one request may take. Default 30 s. */
  requestTimeoutMs?: number;
  /** Tries after a throttled (429) or unavailable (503) answer, with exponential backoff from `retryDelayMs`. Default 4 and 1 s. */
  retries?: number;
  retryDelayMs?: number;
}

/**
 * The RUNNING instances of `servers.gce.project` in each of `servers.gce.zones` that match
 * `servers.gce.filter`, reached over SSH at their internal or external address, sorted by name.
 * An instance name found in two zones becomes `name.zone`.
 *
 * @example
 * const discovery = createGceDiscovery({ environment: config.environments.production, defaultUser: 'deploy' });
 * const servers = await discovery.servers(); // [{ name: 'web-1', address: '10.132.0.2', via: 'ssh', id: '4567…', … }]
 */
export function createGceDiscovery(options: GceDiscoveryOptions): Discovery {
  const { environment, defaultUser, pageSize = 500, requestTimeoutMs = 30_000, retries = 4, retryDelayMs = 1_000 } = options;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 500) {
    throw new RangeError(`[fleet] [gce] pageSize must be an integer from 1 to 500, not ${pageSize}`);
  }
  if (!environment.servers.gce) throw new TypeError('[fleet] [gce] the environment has no servers.gce');
  const gce = environment.servers.gce;
  const endpoint = gce.endpoint ? new URL(gce.endpoint) : undefined;
  let client: InstancesClient | undefined;
  const callOptions: CallOptions = {
    timeout: requestTimeoutMs,
    retry: {
      // Over REST the auth client's error reaches gax with the HTTP status as its code.
      retryCodes: [Status.RESOURCE_EXHAUSTED, Status.UNAVAILABLE, 429, 503],
      backoffSettings: {
        initialRetryDelayMillis: retryDelayMs,
        retryDelayMultiplier: 2,
        maxRetryDelayMillis: 30_000,
        initialRpcTimeoutMillis: requestTimeoutMs,
        rpcTimeoutMultiplier: 1,
        maxRpcTimeoutMillis: requestTimeoutMs,
        // gax counts the first attempt too.
        maxRetries: retries + 1,
      },
    },
  };

  return {
    name: 'gce',
    async servers(): Promise<Server[]> {
      client ??= new InstancesClient({
        fallback: true,
        // Known, so Application Default Credentials never ask Resource Manager which project they are in.
        projectId: gce.project,
        // Over REST every request, the Compute API's and the token's, goes through the auth client's
        // transporter (gax's own timeout is not applied there): it carries the timeout. An auth
        // client passed in brings its own.
        ...(options.authClient ? { authClient: options.authClient } : { clientOptions: { transporterOptions: { timeout: requestTimeoutMs } } }),
        ...(endpoint
          ? { apiEndpoint: endpoint.hostname, protocol: endpoint.protocol.slice(0, -1), port: Number(endpoint.port) || (endpoint.protocol === 'http:' ? 80 : 443) }
          : {}),
      });
      const found: Found[] = [];
      const unaddressed: string[] = [];
      for (const zone of gce.zones) {
        const request = { project: gce.project, zone, maxResults: pageSize, ...(gce.filter ? { filter: gce.filter } : {}) };
        try {
          for await (const instance of client.listAsync(request, callOptions)) {
            // The filter is the user's; the state is checked here so it needs no rewriting.
            if (instance.status !== 'RUNNING') continue;
            const name = instance.name ?? String(instance.id ?? 'unknown instance');
            const address = addressOf(instance, gce.address);
            if (!address) {
              unaddressed.push(name);
              continue;
            }
            found.push({ scope: zone, server: sshServer(environment, defaultUser, { name, address, id: instance.id ? String(instance.id) : undefined }) });
          }
        } catch (error) {
          throw explain(error, gce, zone, retries, requestTimeoutMs);
        }
      }
      if (found.length === 0) throw noServers(gce, unaddressed);
      return namedServers(found);
    },
  };
}

function addressOf(instance: Instance, kind: GceServersConfig['address']): string | undefined {
  const nic = instance.networkInterfaces?.[0];
  if (kind === 'internal') return nic?.networkIP ?? undefined;
  return nic?.accessConfigs?.find((config) => config.natIP)?.natIP ?? nic?.ipv6AccessConfigs?.find((config) => config.externalIpv6)?.externalIpv6 ?? undefined;
}

function where(gce: GceServersConfig): string {
  return `in project ${gce.project}, zone${gce.zones.length > 1 ? 's' : ''} ${gce.zones.join(', ')}`;
}

function noServers(gce: GceServersConfig, unaddressed: string[]): DiscoveryError {
  const matching = gce.filter ? ` match ${gce.filter}` : '';
  if (unaddressed.length === 0) return new DiscoveryError(`[fleet] [gce] no RUNNING instances${matching} ${where(gce)}`, { failure: 'none' });
  const other = gce.address === 'external' ? 'internal' : 'external';
  return new DiscoveryError(
    `[fleet] [gce] none of the ${unaddressed.length} RUNNING instances${gce.filter ? ` matching ${gce.filter}` : ''} ${where(gce)} ` +
      `has an ${gce.address} IP address (${unaddressed.join(', ')}): give them one, or set servers.gce.address to ${other}`,
    { failure: 'none' },
  );
}


/** gRPC codes the client may report, as the HTTP statuses the REST API answers with. */
const HTTP_OF_CODE = new Map<number, number>([
  [Status.INVALID_ARGUMENT, 400],
  [Status.UNAUTHENTICATED, 401],
  [Status.PERMISSION_DENIED, 403],
  [Status.NOT_FOUND, 404],
  [Status.RESOURCE_EXHAUSTED, 429],
  [Status.UNAVAILABLE, 503],
  [Status.DEADLINE_EXCEEDED, 504],
]);

interface Failure {
  /** The HTTP status of the answer that failed, when there was one. */
  status?: number;
  /** Whether the token endpoint answered it, rather than the Compute API. */
  fromTokenEndpoint: boolean;
  /** Whether the client gave up after its retries. */
  retriesExhausted: boolean;
  message: string;
}

/**
 * What the client threw, read the same whichever layer threw it: the REST transport passes on
 * the auth client's GaxiosError (with the HTTP response), gax's retry wraps the last one in a
 * GoogleError when it gives up, and a GoogleError may carry only a gRPC code.
 */
function readFailure(error: unknown): Failure {
  const err = (error ?? {}) as {
    message?: unknown;
    code?: unknown;
    response?: { status?: unknown; data?: unknown; config?: { url?: unknown } };
    config?: { url?: unknown };
  };
  const raw = typeof err.message === 'string' ? err.message : String(error);
  const retriesExhausted = /^Exceeded maximum number of retries/.test(raw);
  let status = typeof err.response?.status === 'number' ? err.response.status : undefined;
  if (status === undefined && typeof err.code === 'number') status = HTTP_OF_CODE.get(err.code);
  if (retriesExhausted) status = /"code":\s*429|RESOURCE_EXHAUSTED/.test(raw) ? 429 : /"code":\s*503|UNAVAILABLE/.test(raw) ? 503 : status;
  // gaxios keeps the URL as a string or a URL object.
  const url = err.response?.config?.url ?? err.config?.url;
  const href = typeof url === 'string' || url instanceof URL ? String(url) : undefined;
  const fromTokenEndpoint = href !== undefined && URL.canParse(href) && !new URL(href).pathname.startsWith('/compute/');
  const data = err.response?.data;
  const text = data && typeof data === 'object' && !retriesExhausted ? JSON.stringify(data) : raw;
  return { status, fromTokenEndpoint, retriesExhausted, message: apiMessage(text) };
}

/** The API's own sentence from a JSON error body (`{ error: { message } }` or OAuth's `error_description`), else the text. */
function apiMessage(text: string): string {
  const json = /\{.*\}/s.exec(text)?.[0];
  if (!json) return text;
  try {
    const body = JSON.parse(json) as { error?: { message?: unknown } | string; error_description?: unknown };
    if (typeof body.error === 'object' && typeof body.error.message === 'string') return body.error.message;
    if (typeof body.error === 'string') return typeof body.error_description === 'string' ? `${body.error}: ${body.error_description}` : body.error;
  } catch {
    // not JSON after all
  }
  return text;
}

/** Turns what the client threw into a sentence that says what to fix. */
function explain(error: unknown, gce: GceServersConfig, zone: string, retries: number, timeoutMs: number): DiscoveryError {
  const { status, fromTokenEndpoint, retriesExhausted, message } = readFailure(error);
  const cause = error;
  const api = gce.endpoint ?? 'https://compute.googleapis.com';
  const scope = `instances.list in project ${gce.project}, zone ${zone}`;
  if (/could not load the default credentials/i.test(message)) {
    return new DiscoveryError(
      `[fleet] [gce] found no Google credentials (${message}): set GOOGLE_APPLICATION_CREDENTIALS to a service account key, run gcloud auth application-default login, or give the VM a service account`,
      { failure: 'credentials', cause },
    );
  }
  if (fromTokenEndpoint && status !== undefined && status >= 400 && status < 500) {
    return new DiscoveryError(
      `[fleet] [gce] Google refused the credentials (${message}): check the key in GOOGLE_APPLICATION_CREDENTIALS or run gcloud auth application-default login again`,
      { failure: 'credentials', cause },
    );
  }
  if (status === 401) {
    return new DiscoveryError(
      `[fleet] [gce] the Compute API refused the credentials for ${scope} (${message}): check GOOGLE_APPLICATION_CREDENTIALS, gcloud auth application-default login, or the VM's service account`,
      { failure: 'credentials', cause },
    );
  }
  if (status === 403) {
    return new DiscoveryError(
      `[fleet] [gce] the credentials may not call ${scope} (${message}): grant compute.instances.list (roles/compute.viewer) on project ${gce.project}, and check the project id`,
      { failure: 'permission', cause },
    );
  }
  if (status === 429) {
    return new DiscoveryError(
      `[fleet] [gce] Google is still throttling ${scope} after ${retries} retries; try again in a minute (or raise the project's Compute API read quota)`,
      { failure: 'throttled', cause },
    );
  }
  if (status === 503 && retriesExhausted) {
    return new DiscoveryError(`[fleet] [gce] the Compute API at ${api} is still unavailable for ${scope} after ${retries} retries; try again later`, { failure: 'unreachable', cause });
  }
  if (status === 404) {
    return new DiscoveryError(`[fleet] [gce] ${scope} found no such project or zone (${message}): check servers.gce.project and servers.gce.zones`, { cause });
  }
  if (status === 400 && gce.filter) {
    return new DiscoveryError(`[fleet] [gce] the Compute API refused servers.gce.filter "${gce.filter}" (${message})`, { cause });
  }
  // Nothing here aborts a request but the transporter's timeout.
  if (inChain(error, (e) => e.name === 'AbortError' || e.name === 'TimeoutError')) {
    return new DiscoveryError(`[fleet] [gce] the Compute API at ${api} did not answer ${scope} within ${timeoutMs / 1000} s`, { failure: 'unreachable', cause });
  }
  if (isNetworkError(error)) {
    return new DiscoveryError(`[fleet] [gce] cannot reach the Compute API at ${api} (${message})`, { failure: 'unreachable', cause });
  }
  if (status === 504 || (error as { code?: unknown }).code === Status.DEADLINE_EXCEEDED) {
    return new DiscoveryError(`[fleet] [gce] the Compute API at ${api} did not answer ${scope} in time (${message})`, { failure: 'unreachable', cause });
  }
  return new DiscoveryError(`[fleet] [gce] ${scope} failed: ${message}`, { cause });
}
