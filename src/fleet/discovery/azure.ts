import { ComputeManagementClient, type VirtualMachine } from '@azure/arm-compute';
import { NetworkManagementClient } from '@azure/arm-network';
import type { TokenCredential } from '@azure/core-auth';
import type { PipelineRetryOptions, TlsSettings } from '@azure/core-rest-pipeline';
import { DefaultAzureCredential } from '@azure/identity';
import pLimit from 'p-limit';
import type { AzureServersConfig, EnvironmentConfig } from '../../config/schema.js';
import type { Discovery, Server } from '../types.js';
import { DiscoveryError } from './errors.js';
import { isNetworkError, inChain } from './network-errors.js';
import { namedServers, sshServer } from './order.js';

export interface AzureDiscoveryOptions {
  environment: EnvironmentConfig;
  /** SSH user when `ssh.user` is not configured. */
  defaultUser: string;
  /**
   * Defaults to `DefaultAzureCredential` (AZURE_TENANT_ID/AZURE_CLIENT_ID/AZURE_CLIENT_SECRET,
   * workload or managed identity, `az login`), asking `servers.azure.authorityHost` for tokens.
   */
  credential?: TokenCredential;
  /** TLS settings for every request, the credential's included: the CA of a private endpoint. */
  tlsOptions?: TlsSettings;
  /** Retries of throttled (429, honouring Retry-After) and failed requests. Default the SDK's (3). */
  retryOptions?: PipelineRetryOptions;
  /** How long one request may take. Default 30 s. */
  requestTimeoutMs?: number;
  /** How long one discovery may take in all, tokens, retries and Retry-After waits included. Default 2 min. */
  deadlineMs?: number;
  /** Network interfaces and public IPs looked up at once. Default 8. */
  concurrency?: number;
}

const ARM = 'https://management.azure.com';

/**
 * The running VMs of `servers.azure.subscription` (or of its `resourceGroup`) that carry every
 * tag of `servers.azure.tags`, reached over SSH at the private or public address of their
 * primary network interface, sorted by name. A VM name found in two resource groups becomes
 * `name.resourceGroup`.
 *
 * @example
 * const discovery = createAzureDiscovery({ environment: config.environments.production, defaultUser: 'deploy' });
 * const servers = await discovery.servers(); // [{ name: 'web-1', address: '10.1.0.4', via: 'ssh', id: '<vmId>', … }]
 */
export function createAzureDiscovery(options: AzureDiscoveryOptions): Discovery {
  const { environment, defaultUser, requestTimeoutMs = 30_000, deadlineMs = 120_000, concurrency = 8 } = options;
  if (!environment.servers.azure) throw new TypeError('[fleet] [azure] the environment has no servers.azure');
  const azure = environment.servers.azure;
  const endpoint = (azure.endpoint ?? ARM).replace(/\/$/, '');
  const pipeline = {
    ...(options.tlsOptions ? { tlsOptions: options.tlsOptions } : {}),
    ...(options.retryOptions ? { retryOptions: options.retryOptions } : {}),
  };
  const credential =
    options.credential ??
    new DefaultAzureCredential({
      ...pipeline,
      // A host of one's own (Azure Stack, a test) is not in Entra ID's list of clouds: do not ask the public cloud about it.
      ...(azure.authorityHost ? { authorityHost: azure.authorityHost, disableInstanceDiscovery: true } : {}),
    });
  // Tokens are for the Resource Manager that is asked, in a sovereign cloud as in the public one.
  const scopes = [`${endpoint}/.default`];
  const compute = new ComputeManagementClient(credential, azure.subscription, { ...pipeline, endpoint, credentials: { scopes } });
  const network = new NetworkManagementClient(credential, azure.subscription, { ...pipeline, endpoint, $host: endpoint, credentialScopes: scopes });

  return {
    name: 'azure',
    async servers(): Promise<Server[]> {
      // The signal reaches the credential too: a token endpoint that never answers is given up on.
      const abortSignal = AbortSignal.timeout(deadlineMs);
      const call = () => ({ abortSignal, requestOptions: { timeout: requestTimeoutMs } });
      /** Runs one step (lookups run side by side), explaining its failure by its own name. */
      const step = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
        try {
          return await run();
        } catch (error) {
          if (error instanceof DiscoveryError) throw error;
          throw explain(error, azure, endpoint, name, abortSignal.aborted ? deadlineMs : requestTimeoutMs);
        }
      };

      const tagged: VirtualMachine[] = [];
      const listing = azure.resourceGroup ? `virtualMachines.list in resource group ${azure.resourceGroup}` : 'virtualMachines.listAll';
      await step(listing, async () => {
        const pages = azure.resourceGroup ? compute.virtualMachines.list(azure.resourceGroup, call()) : compute.virtualMachines.listAll(call());
        for await (const vm of pages) if (hasTags(vm, azure.tags)) tagged.push(vm);
      });

      const limit = pLimit(concurrency);
      const unaddressed: string[] = [];
      const found = (
        await Promise.all(
          tagged.map((vm) =>
            limit(async () => {
              const group = parseResourceId(vm.id ?? '').resourceGroup;
              const name = vm.name ?? vm.id ?? 'unknown VM';
              const view = await step(`virtualMachines.instanceView of ${name}`, () => compute.virtualMachines.instanceView(group, name, call()));
              if (!view.statuses?.some((status) => status.code === 'PowerState/running')) return undefined;
              const address = await addressOf(vm, azure.address, network, call, step);
              if (!address) {
                unaddressed.push(name);
                return undefined;
              }
              return { scope: group, server: sshServer(environment, defaultUser, { name, address, id: vm.vmId }) };
            }),
          ),
        )
      ).filter((item) => item !== undefined);
      if (found.length === 0) throw noServers(azure, unaddressed.sort());
      return namedServers(found);
    },
  };
}

function hasTags(vm: VirtualMachine, wanted: Record<string, string>): boolean {
  const tags = vm.tags ?? {};
  return Object.entries(wanted).every(([key, value]) => Object.hasOwn(tags, key) && tags[key] === value);
}

/** The primary NIC's primary IP configuration; its public address lives on a public IP resource of its own. */
async function addressOf(
  vm: VirtualMachine,
  kind: AzureServersConfig['address'],
  network: NetworkManagementClient,
  call: () => { abortSignal: AbortSignal; requestOptions: { timeout: number } },
  step: <T>(name: string, run: () => Promise<T>) => Promise<T>,
): Promise<string | undefined> {
  const nics = vm.networkProfile?.networkInterfaces ?? [];
  const nicRef = nics.find((nic) => nic.primary) ?? nics[0];
  if (!nicRef?.id) return undefined;
  const nicId = parseResourceId(nicRef.id);
  const nic = await step(`networkInterfaces.get of ${nicId.name}`, () => network.networkInterfaces.get(nicId.resourceGroup, nicId.name, call()));
  const configs = nic.ipConfigurations ?? [];
  const ipConfig = configs.find((config) => config.primary) ?? configs[0];
  if (kind === 'private') return ipConfig?.privateIPAddress ?? undefined;
  if (!ipConfig?.publicIPAddress?.id) return undefined;
  const ipId = parseResourceId(ipConfig.publicIPAddress.id);
  const ip = await step(`publicIPAddresses.get of ${ipId.name}`, () => network.publicIPAddresses.get(ipId.resourceGroup, ipId.name, call()));
  return ip.ipAddress ?? undefined;
}

/** `/subscriptions/{s}/resourceGroups/{rg}/providers/{namespace}/{type}/{name}`; ARM spells the segment names in any case. */
function parseResourceId(id: string): { resourceGroup: string; name: string } {
  const parts = id.split('/');
  const group = parts.findIndex((part) => part.toLowerCase() === 'resourcegroups');
  return { resourceGroup: group >= 0 ? (parts[group + 1] ?? '') : '', name: parts.at(-1) ?? '' };
}

function where(azure: AzureServersConfig): string {
  const tags = Object.entries(azure.tags).map(([key, value]) => `${key}=${value}`).join(', ');
  return `${tags ? ` tagged ${tags}` : ''} in subscription ${azure.subscription}${azure.resourceGroup ? `, resource group ${azure.resourceGroup}` : ''}`;
}

function noServers(azure: AzureServersConfig, unaddressed: string[]): DiscoveryError {
  if (unaddressed.length === 0) return new DiscoveryError(`[fleet] [azure] no running VMs${where(azure)}`, { failure: 'none' });
  const other = azure.address === 'public' ? 'private' : 'public';
  return new DiscoveryError(
    `[fleet] [azure] none of the ${unaddressed.length} running VMs${where(azure)} has a ${azure.address} IP address ` +
      `(${unaddressed.join(', ')}): give them one, or set servers.azure.address to ${other}`,
    { failure: 'none' },
  );
}

const CREDENTIAL_HELP = 'check AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or the managed identity, or az login)';

/** Turns what the SDK threw (a RestError from ARM, an identity error from Entra ID) into what to fix. */
function explain(error: unknown, azure: AzureServersConfig, endpoint: string, step: string, timeoutMs: number): DiscoveryError {
  const err = (error ?? {}) as { name?: unknown; message?: unknown; statusCode?: unknown; code?: unknown };
  const name = typeof err.name === 'string' ? err.name : '';
  const message = typeof err.message === 'string' ? firstLine(err.message) : String(error);
  const status = typeof err.statusCode === 'number' ? err.statusCode : undefined;
  const code = typeof err.code === 'string' ? err.code : '';
  const cause = error;
  if (name === 'CredentialUnavailableError' || name === 'AggregateAuthenticationError') {
    return new DiscoveryError(`[fleet] [azure] found no Azure credentials (${message}): set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET, give the machine a managed identity, or run az login`, {
      failure: 'credentials',
      cause,
    });
  }
  if (name === 'AuthenticationError') {
    return new DiscoveryError(`[fleet] [azure] Entra ID refused the credentials (${entraReason(error) ?? message}): ${CREDENTIAL_HELP}${azure.authorityHost ? ` and servers.azure.authorityHost` : ''}`, {
      failure: 'credentials',
      cause,
    });
  }
  if (status === 401) {
    return new DiscoveryError(`[fleet] [azure] Resource Manager at ${endpoint} refused the token for ${step} (${code}: ${message}): ${CREDENTIAL_HELP}, and that the token is for this cloud`, {
      failure: 'credentials',
      cause,
    });
  }
  if (status === 403) {
    return new DiscoveryError(
      `[fleet] [azure] the credentials may not call ${step} in subscription ${azure.subscription} (${code}: ${message}): ` +
        'give them the Reader role (Microsoft.Compute/virtualMachines/read, Microsoft.Network/networkInterfaces/read, Microsoft.Network/publicIPAddresses/read)',
      { failure: 'permission', cause },
    );
  }
  if (status === 429) {
    return new DiscoveryError(`[fleet] [azure] Resource Manager is still throttling ${step} after its retries; try again in a minute`, { failure: 'throttled', cause });
  }
  if (status === 404 && /Subscription/i.test(code)) {
    return new DiscoveryError(`[fleet] [azure] subscription ${azure.subscription} was not found (${message}): check servers.azure.subscription`, { cause });
  }
  if (status === 404 && /ResourceGroup/i.test(code)) {
    return new DiscoveryError(`[fleet] [azure] resource group ${azure.resourceGroup ?? ''} was not found (${message}): check servers.azure.resourceGroup`, { cause });
  }
  // Nothing here aborts a request but the request timeout and the deadline.
  if (inChain(error, (e) => e.name === 'AbortError' || e.name === 'TimeoutError')) {
    return new DiscoveryError(`[fleet] [azure] ${step} got no answer from ${endpoint} (or Entra ID) within ${timeoutMs / 1000} s`, { failure: 'unreachable', cause });
  }
  if (isNetworkError(error)) {
    return new DiscoveryError(`[fleet] [azure] cannot reach Resource Manager at ${endpoint} (${message})`, { failure: 'unreachable', cause });
  }
  return new DiscoveryError(`[fleet] [azure] ${step} failed: ${status ? `${status} ` : ''}${code ? `${code}: ` : ''}${message}`, { cause });
}

/** Entra ID's own reason (`AADSTS7000215: Invalid client secret provided. …`) from an identity AuthenticationError. */
function entraReason(error: unknown): string | undefined {
  const description = (error as { errorResponse?: { errorDescription?: unknown } }).errorResponse?.errorDescription;
  if (typeof description !== 'string' || !description) return undefined;
  return /AADSTS\d+:.*?(?= - (?:Trace|Correlation) ID|$)/s.exec(description)?.[0].trim() ?? firstLine(description);
}

/** Identity's messages run to troubleshooting links over several lines: the first says what happened. */
function firstLine(text: string): string {
  return text.split('\n')[0]!.trim();
}
