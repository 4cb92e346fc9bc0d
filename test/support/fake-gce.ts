// A fake Compute Engine API and Google token endpoint on a free loopback port, answering the REST
// shapes the real ones do: `GET /compute/v1/projects/{p}/zones/{z}/instances` pages of `items`
// with `nextPageToken`, errors as `{ error: { code, message, status } }`, and an OAuth2 token
// endpoint for the refresh-token grant. No emulator exists for GCE.
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { UserRefreshClient } from 'google-auth-library';

export interface FakeInstance {
  name: string;
  zone: string;
  status?: 'RUNNING' | 'TERMINATED' | 'STOPPING' | 'PROVISIONING';
  labels?: Record<string, string>;
  internalIp?: string;
  externalIp?: string;
}

export interface FakeGce {
  /** `http://127.0.0.1:PORT`: give it to `servers.gce.endpoint`. */
  endpoint: string;
  project: string;
  instances: FakeInstance[];
  /** Every instances.list request, in order: `zone`, `pageToken` and `filter` as sent. */
  listRequests: { zone: string; pageToken: string | null; maxResults: string | null; filter: string | null }[];
  /** The next `count` instances.list answers are this status (401, 403, 429, 503) instead. */
  fail(status: number, count?: number): void;
  /** The next `count` instances.list requests get no answer at all (until `stop`). */
  hang(count?: number): void;
  /** The token endpoint refuses the refresh token from now on. */
  refuseTokens(): void;
  /** An auth client that gets its tokens from this fake (a refresh-token grant, as gcloud's ADC file does). */
  authClient(): UserRefreshClient;
  /**
   * Writes an Application Default Credentials file into `dir` for GOOGLE_APPLICATION_CREDENTIALS:
   * workload identity federation (`external_account`), the one ADC type whose token endpoint
   * (`token_url`) the file itself names, so it can be this fake.
   */
  writeAdcFile(dir: string): Promise<string>;
  stop(): Promise<void>;
}

const ACCESS_TOKEN = 'ya29.fake-access-token';
const SUBJECT_TOKEN = 'fake-oidc-token-from-the-workload';

export async function startFakeGce(project = 'acme-shop'): Promise<FakeGce> {
  const state = { failures: [] as number[], refuse: false, hangs: 0 };
  const fake: Omit<FakeGce, 'endpoint' | 'stop' | 'authClient' | 'writeAdcFile'> & { fail: FakeGce['fail']; refuseTokens: FakeGce['refuseTokens'] } = {
    project,
    instances: [],
    listRequests: [],
    fail(status, count = 1) {
      for (let i = 0; i < count; i++) state.failures.push(status);
    },
    refuseTokens() {
      state.refuse = true;
    },
    hang(count = 1) {
      state.hangs += count;
    },
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => send(res, 500, { error: { code: 500, message: String(error), status: 'INTERNAL' } }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    if (req.method === 'POST' && url.pathname === '/token') {
      const form = new URLSearchParams(await body(req));
      if (state.refuse || form.get('grant_type') !== 'refresh_token') {
        send(res, 400, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
        return;
      }
      send(res, 200, { access_token: ACCESS_TOKEN, expires_in: 3599, token_type: 'Bearer', scope: 'https://www.googleapis.com/auth/compute' });
      return;
    }
    // Security Token Service: what an external_account (workload identity federation) ADC file names as token_url.
    if (req.method === 'POST' && url.pathname === '/v1/token') {
      const form = new URLSearchParams(await body(req));
      if (state.refuse || form.get('subject_token') !== SUBJECT_TOKEN) {
        send(res, 400, { error: 'invalid_grant', error_description: 'The incoming token has expired.' });
        return;
      }
      send(res, 200, { access_token: ACCESS_TOKEN, issued_token_type: 'urn:ietf:params:oauth:token-type:access_token', token_type: 'Bearer', expires_in: 3600 });
      return;
    }
    const match = /^\/compute\/v1\/projects\/([^/]+)\/zones\/([^/]+)\/instances$/.exec(url.pathname);
    if (req.method !== 'GET' || !match) {
      send(res, 404, { error: { code: 404, message: `The requested URL ${url.pathname} was not found on this server.`, status: 'NOT_FOUND' } });
      return;
    }
    const [, projectId, zone] = match as unknown as [string, string, string];
    fake.listRequests.push({ zone, pageToken: url.searchParams.get('pageToken'), maxResults: url.searchParams.get('maxResults'), filter: url.searchParams.get('filter') });
    if (state.hangs > 0) {
      state.hangs--;
      return;
    }
    if (req.headers.authorization !== `Bearer ${ACCESS_TOKEN}`) {
      send(res, 401, googleError(401, 'Request had invalid authentication credentials. Expected OAuth 2 access token.', 'UNAUTHENTICATED'));
      return;
    }
    const failure = state.failures.shift();
    if (failure === 401) return send(res, 401, googleError(401, 'Request had invalid authentication credentials.', 'UNAUTHENTICATED'));
    if (failure === 403) return send(res, 403, googleError(403, `Required 'compute.instances.list' permission for 'projects/${projectId}'`, 'PERMISSION_DENIED'));
    if (failure === 429) {
      res.setHeader('Retry-After', '1');
      return send(res, 429, googleError(429, "Quota exceeded for quota metric 'Read requests' of service 'compute.googleapis.com'", 'RESOURCE_EXHAUSTED'));
    }
    if (failure !== undefined) return send(res, failure, googleError(failure, 'The service is currently unavailable.', 'UNAVAILABLE'));
    if (projectId !== project) return send(res, 404, googleError(404, `The resource 'projects/${projectId}' was not found`, 'NOT_FOUND'));

    const filter = url.searchParams.get('filter');
    const matching = fake.instances.filter((instance) => instance.zone === zone && matches(instance, filter));
    const size = Number(url.searchParams.get('maxResults') ?? 500);
    const start = Number(url.searchParams.get('pageToken') ?? 0);
    const page = matching.slice(start, start + size);
    const next = start + size < matching.length ? String(start + size) : undefined;
    send(res, 200, {
      kind: 'compute#instanceList',
      id: `projects/${projectId}/zones/${zone}/instances`,
      items: page.map((instance) => resource(projectId, instance)),
      ...(next ? { nextPageToken: next } : {}),
      selfLink: `https://www.googleapis.com/compute/v1/projects/${projectId}/zones/${zone}/instances`,
    });
  }

  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(fake, {
    endpoint,
    authClient: () =>
      new UserRefreshClient({
        clientId: 'fake-client.apps.googleusercontent.com',
        clientSecret: 'fake-secret',
        refreshToken: 'fake-refresh-token',
        endpoints: { oauth2TokenUrl: `${endpoint}/token` },
      }),
    async writeAdcFile(dir: string) {
      const subjectTokenFile = path.join(dir, 'subject-token');
      const adcFile = path.join(dir, 'application_default_credentials.json');
      await writeFile(subjectTokenFile, SUBJECT_TOKEN);
      await writeFile(
        adcFile,
        JSON.stringify({
          type: 'external_account',
          audience: '//iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/igor/providers/fake',
          subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
          token_url: `${endpoint}/v1/token`,
          credential_source: { file: subjectTokenFile },
          // Were a project number ever looked up, it is looked up here, not on the internet.
          cloud_resource_manager_url: `${endpoint}/v1/projects/`,
        }),
      );
      return adcFile;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}

/** The Compute API's filter language as far as tests use it: `key=value` (or `key = value`) terms joined by AND. */
function matches(instance: FakeInstance, filter: string | null): boolean {
  if (!filter) return true;
  return filter.split(/\s+AND\s+/).every((term) => {
    const [key = '', value = ''] = term.replace(/^\(|\)$/g, '').split(/\s*=\s*/);
    if (key.startsWith('labels.')) {
      const labels = new Map(Object.entries(instance.labels ?? {}));
      return labels.get(key.slice('labels.'.length)) === value;
    }
    if (key === 'name') return instance.name === value;
    if (key === 'status') return (instance.status ?? 'RUNNING') === value;
    throw new Error(`the fake does not know the filter key ${key}`);
  });
}

let nextId = 4_000_000_000_000_000_000n;

function resource(project: string, instance: FakeInstance): Record<string, unknown> {
  const zoneUrl = `https://www.googleapis.com/compute/v1/projects/${project}/zones/${instance.zone}`;
  return {
    kind: 'compute#instance',
    id: String(nextId++),
    name: instance.name,
    zone: zoneUrl,
    status: instance.status ?? 'RUNNING',
    machineType: `${zoneUrl}/machineTypes/e2-small`,
    labels: instance.labels ?? {},
    networkInterfaces: [
      {
        kind: 'compute#networkInterface',
        name: 'nic0',
        network: `https://www.googleapis.com/compute/v1/projects/${project}/global/networks/default`,
        ...(instance.internalIp ? { networkIP: instance.internalIp } : {}),
        accessConfigs: instance.externalIp ? [{ kind: 'compute#accessConfig', type: 'ONE_TO_ONE_NAT', name: 'External NAT', natIP: instance.externalIp }] : [],
      },
    ],
    selfLink: `${zoneUrl}/instances/${instance.name}`,
  };
}

function googleError(code: number, message: string, status: string) {
  return { error: { code, message, errors: [{ message, domain: 'global', reason: status === 'RESOURCE_EXHAUSTED' ? 'rateLimitExceeded' : 'forbidden' }], status } };
}

function send(res: ServerResponse, status: number, json: unknown): void {
  const text = JSON.stringify(json);
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
