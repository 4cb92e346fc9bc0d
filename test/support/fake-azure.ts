// A fake Azure Resource Manager and Entra ID token endpoint on one free loopback port, over https
// with a certificate made by openssl for this run (the SDK sends bearer tokens over https only).
// It answers the REST shapes the real ones do: `{ value, nextLink }` pages of virtual machines,
// instance views, network interfaces and public IPs, `{ error: { code, message } }` errors, and
// the OpenID configuration and client-credentials token of an Entra ID tenant. No emulator exists.
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';

export interface FakeVm {
  name: string;
  resourceGroup: string;
  tags?: Record<string, string>;
  power?: 'running' | 'stopped' | 'deallocated';
  privateIp?: string;
  publicIp?: string;
}

export interface FakeAzure {
  /** `https://127.0.0.1:PORT`: both `servers.azure.endpoint` and `servers.azure.authorityHost`. */
  endpoint: string;
  /** The PEM of the certificate the fake serves: trust it with `tlsOptions: { ca }`. */
  ca: string;
  subscription: string;
  tenant: string;
  clientId: string;
  clientSecret: string;
  vms: FakeVm[];
  /** Every request's method and path (query included), in order. */
  requests: string[];
  /** The next `count` Resource Manager requests get no answer at all (until `stop`). */
  hang(count?: number): void;
  /**
   * The next `count` ARM answers (to paths containing `only`, when given) are this status (401,
   * 403, 429) instead; 429 carries `Retry-After: 1`.
   */
  fail(status: number, count?: number, only?: string): void;
  stop(): Promise<void>;
}

const ACCESS_TOKEN = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.eyJhdWQiOiJmYWtlIn0.';

export async function startFakeAzure(pageSize = 2): Promise<FakeAzure> {
  const { key, cert, cleanup } = await selfSignedCertificate();
  const failures: { status: number; only: string | undefined }[] = [];
  let hangs = 0;
  let base = '';
  const fake = {
    ca: cert,
    subscription: '00000000-0000-4000-8000-000000000001',
    tenant: '00000000-0000-4000-8000-0000000000aa',
    clientId: '00000000-0000-4000-8000-0000000000bb',
    clientSecret: 'fake-client-secret',
    vms: [] as FakeVm[],
    requests: [] as string[],
    fail(status: number, count = 1, only?: string) {
      for (let i = 0; i < count; i++) failures.push({ status, only });
    },
    hang(count = 1) {
      hangs += count;
    },
  };

  const server: Server = createServer({ key, cert }, (req, res) => {
    handle(req, res).catch((error: unknown) => send(res, 500, { error: { code: 'InternalServerError', message: String(error) } }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', base);
    fake.requests.push(`${req.method} ${url.pathname}${url.search}`);
    const segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);

    // Entra ID: /{tenant}/v2.0/.well-known/openid-configuration and /{tenant}/oauth2/v2.0/token
    if (segments[0] === fake.tenant) {
      const tenantUrl = `${base}/${fake.tenant}`;
      if (url.pathname.endsWith('/v2.0/.well-known/openid-configuration')) {
        return send(res, 200, {
          token_endpoint: `${tenantUrl}/oauth2/v2.0/token`,
          authorization_endpoint: `${tenantUrl}/oauth2/v2.0/authorize`,
          end_session_endpoint: `${tenantUrl}/oauth2/v2.0/logout`,
          jwks_uri: `${tenantUrl}/discovery/v2.0/keys`,
          issuer: `${tenantUrl}/v2.0`,
          token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
          response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
          scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
        });
      }
      if (req.method === 'POST' && url.pathname.endsWith('/oauth2/v2.0/token')) {
        const form = new URLSearchParams(await body(req));
        if (form.get('grant_type') !== 'client_credentials' || form.get('client_id') !== fake.clientId || form.get('client_secret') !== fake.clientSecret) {
          return send(res, 401, {
            error: 'invalid_client',
            error_description: `AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${form.get('client_id') ?? ''}'.`,
            error_codes: [7000215],
            timestamp: new Date().toISOString(),
            trace_id: 'fake',
            correlation_id: 'fake',
          });
        }
        return send(res, 200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: ACCESS_TOKEN });
      }
      return send(res, 404, { error: 'not_found' });
    }

    // Resource Manager
    if (hangs > 0) {
      hangs--;
      return;
    }
    if (req.headers.authorization !== `Bearer ${ACCESS_TOKEN}`) {
      return send(res, 401, { error: { code: 'AuthenticationFailed', message: "Authentication failed. The 'Authorization' header is missing." } });
    }
    if (!url.searchParams.get('api-version')) {
      return send(res, 400, { error: { code: 'MissingApiVersionParameter', message: "The api-version query parameter (?api-version=) is required for all requests." } });
    }
    const index = failures.findIndex((f) => f.only === undefined || url.pathname.includes(f.only));
    const failure = index >= 0 ? failures.splice(index, 1)[0]!.status : undefined;
    if (failure === 401) return send(res, 401, { error: { code: 'InvalidAuthenticationToken', message: 'The access token is invalid.' } });
    if (failure === 403) {
      return send(res, 403, {
        error: {
          code: 'AuthorizationFailed',
          message: `The client '${fake.clientId}' with object id '${fake.clientId}' does not have authorization to perform action 'Microsoft.Compute/virtualMachines/read' over scope '/subscriptions/${fake.subscription}' or the scope is invalid.`,
        },
      });
    }
    if (failure === 429) {
      res.setHeader('Retry-After', '1');
      return send(res, 429, { error: { code: 'TooManyRequests', message: 'The request is being throttled as the limit has been reached for operation type - Read_ObservationWindow_00:05:00.' } });
    }
    if (failure !== undefined) return send(res, failure, { error: { code: 'ServerError', message: 'failure asked for by the test' } });

    if (segments[0] !== 'subscriptions' || segments[1] !== fake.subscription) {
      return send(res, 404, { error: { code: 'SubscriptionNotFound', message: `The subscription '${segments[1] ?? ''}' could not be found.` } });
    }
    const rest = segments.slice(2);
    const lower = rest.map((s) => s.toLowerCase());
    // /providers/Microsoft.Compute/virtualMachines
    if (lower.join('/') === 'providers/microsoft.compute/virtualmachines') return page(res, url, fake.vms);
    if (lower[0] !== 'resourcegroups' || !rest[1]) return send(res, 404, { error: { code: 'NotFound', message: url.pathname } });
    const group = rest[1];
    const inGroup = (name: string) => (vm: FakeVm) => vm.resourceGroup.toLowerCase() === group.toLowerCase() && vm.name === name;
    const kind = lower.slice(2, 5).join('/');
    if (kind === 'providers/microsoft.compute/virtualmachines' && rest.length === 5) {
      return page(res, url, fake.vms.filter((vm) => vm.resourceGroup.toLowerCase() === group.toLowerCase()));
    }
    const vm = fake.vms.find(inGroup(decodeURIComponent(rest[5] ?? '').replace(/-nic$|-ip$/, '')));
    if (kind === 'providers/microsoft.compute/virtualmachines' && lower[6] === 'instanceview' && vm) {
      const power = vm.power ?? 'running';
      return send(res, 200, {
        computerName: vm.name,
        statuses: [
          { code: 'ProvisioningState/succeeded', level: 'Info', displayStatus: 'Provisioning succeeded' },
          { code: `PowerState/${power}`, level: 'Info', displayStatus: `VM ${power}` },
        ],
      });
    }
    if (kind === 'providers/microsoft.network/networkinterfaces' && vm) return send(res, 200, nicResource(fake.subscription, vm));
    if (kind === 'providers/microsoft.network/publicipaddresses' && vm?.publicIp) return send(res, 200, ipResource(fake.subscription, vm));
    return send(res, 404, { error: { code: 'ResourceNotFound', message: `The Resource '${rest.slice(2).join('/')}' under resource group '${group}' was not found.` } });
  }

  /** `{ value, nextLink }`, `pageSize` VMs a page, the next page named by `$skiptoken` as ARM does. */
  function page(res: ServerResponse, url: URL, vms: FakeVm[]): void {
    const start = Number(url.searchParams.get('$skiptoken') ?? 0);
    const next = new URL(url);
    next.searchParams.set('$skiptoken', String(start + pageSize));
    send(res, 200, {
      value: vms.slice(start, start + pageSize).map((vm) => vmResource(fake.subscription, vm)),
      ...(start + pageSize < vms.length ? { nextLink: next.href } : {}),
    });
  }

  try {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
  } catch (error) {
    await cleanup();
    throw error;
  }
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(fake, {
    endpoint: base,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await cleanup();
    },
  });
}

function groupId(subscription: string, vm: FakeVm): string {
  return `/subscriptions/${subscription}/resourceGroups/${vm.resourceGroup}`;
}

let vmCount = 0;

function vmResource(subscription: string, vm: FakeVm): Record<string, unknown> {
  vmCount++;
  return {
    name: vm.name,
    id: `${groupId(subscription, vm)}/providers/Microsoft.Compute/virtualMachines/${vm.name}`,
    type: 'Microsoft.Compute/virtualMachines',
    location: 'westeurope',
    tags: vm.tags ?? {},
    properties: {
      vmId: `0f0e0d0c-0000-4000-8000-${String(vmCount).padStart(12, '0')}`,
      hardwareProfile: { vmSize: 'Standard_B1s' },
      provisioningState: 'Succeeded',
      networkProfile: {
        networkInterfaces: [{ id: `${groupId(subscription, vm)}/providers/Microsoft.Network/networkInterfaces/${vm.name}-nic`, properties: { primary: true } }],
      },
    },
  };
}

function nicResource(subscription: string, vm: FakeVm): Record<string, unknown> {
  const id = `${groupId(subscription, vm)}/providers/Microsoft.Network/networkInterfaces/${vm.name}-nic`;
  return {
    name: `${vm.name}-nic`,
    id,
    type: 'Microsoft.Network/networkInterfaces',
    location: 'westeurope',
    properties: {
      provisioningState: 'Succeeded',
      ipConfigurations: [
        {
          name: 'ipconfig1',
          id: `${id}/ipConfigurations/ipconfig1`,
          properties: {
            primary: true,
            privateIPAllocationMethod: 'Dynamic',
            ...(vm.privateIp ? { privateIPAddress: vm.privateIp } : {}),
            ...(vm.publicIp ? { publicIPAddress: { id: `${groupId(subscription, vm)}/providers/Microsoft.Network/publicIPAddresses/${vm.name}-ip` } } : {}),
          },
        },
      ],
      virtualMachine: { id: `${groupId(subscription, vm)}/providers/Microsoft.Compute/virtualMachines/${vm.name}` },
    },
  };
}

function ipResource(subscription: string, vm: FakeVm): Record<string, unknown> {
  return {
    name: `${vm.name}-ip`,
    id: `${groupId(subscription, vm)}/providers/Microsoft.Network/publicIPAddresses/${vm.name}-ip`,
    type: 'Microsoft.Network/publicIPAddresses',
    location: 'westeurope',
    properties: { provisioningState: 'Succeeded', ipAddress: vm.publicIp, publicIPAllocationMethod: 'Static', publicIPAddressVersion: 'IPv4' },
  };
}

/** A key and certificate for 127.0.0.1, made by openssl in a temporary folder (removed by `cleanup`). */
async function selfSignedCertificate(): Promise<{ key: string; cert: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'igor-fake-azure-'));
  try {
    await execa('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1',
      '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
    ]);
    const [key, cert] = await Promise.all([readFile(path.join(dir, 'key.pem'), 'utf8'), readFile(path.join(dir, 'cert.pem'), 'utf8')]);
    return { key, cert, cleanup: () => rm(dir, { recursive: true, force: true }) };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

function send(res: ServerResponse, status: number, json: unknown): void {
  const text = JSON.stringify(json);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'x-ms-request-id': 'fake' });
  res.end(text);
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
