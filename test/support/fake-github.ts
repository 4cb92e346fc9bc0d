/**
 * A stand-in for GitHub at the HTTP level: the REST API (at the root, and under `/api/v3` as
 * GitHub Enterprise Server serves it) recording commit statuses
 * (`POST /repos/{owner}/{repo}/statuses/{sha}`), deployments (`POST /repos/{owner}/{repo}/deployments`)
 * and deployment statuses (`POST …/deployments/{id}/statuses`), answered in GitHub's own shapes
 * (typed by @octokit/types) and checked as GitHub checks them; and git repositories over HTTP
 * (`git http-backend`, as GitHub serves `https://HOST/owner/name.git`), so an app's `repo` can be a
 * real repository on "this GitHub". Point `GITHUB_API_URL` at `url` or `apiUrl`.
 *
 *   const github = await startFakeGithub();
 *   github.serveRepository('acme/shop', join(repo, '.git'));   // repo: `${github.url}/acme/shop.git`
 *   github.down(500);   // every API call fails until github.up()
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Endpoints } from '@octokit/types';

/** A deployment as GitHub answers it. */
export type GithubDeployment = Endpoints['GET /repos/{owner}/{repo}/deployments/{deployment_id}']['response']['data'];
/** A deployment status as GitHub answers it. */
export type GithubDeploymentStatus = Endpoints['GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses/{status_id}']['response']['data'];
type CreateDeploymentBody = Omit<Endpoints['POST /repos/{owner}/{repo}/deployments']['parameters'], 'owner' | 'repo'>;
type CreateStatusBody = Omit<Endpoints['POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses']['parameters'], 'owner' | 'repo' | 'deployment_id'>;

export interface RecordedStatus {
  owner: string;
  repo: string;
  sha: string;
  state: string;
  context: string;
  description: string;
  authorization: string | undefined;
}

/** A deployment GitHub made: what was asked (`request`) and what GitHub answered (`deployment`). */
export interface RecordedDeployment {
  owner: string;
  repo: string;
  request: CreateDeploymentBody;
  deployment: GithubDeployment;
  authorization: string | undefined;
}

/** A deployment status GitHub set: what was asked, and what it answered. */
export interface RecordedDeploymentStatus {
  deploymentId: number;
  request: CreateStatusBody;
  status: GithubDeploymentStatus;
  /** Set by GitHub itself (`auto_inactive`), not by the caller. */
  automatic: boolean;
}

export interface FakeGithub {
  /** Root of the fake: the API (as on api.github.com) and the repositories (`${url}/owner/name.git`). */
  readonly url: string;
  /** The API as GitHub Enterprise Server serves it: `${url}/api/v3`. */
  readonly apiUrl: string;
  readonly statuses: RecordedStatus[];
  readonly deployments: RecordedDeployment[];
  readonly deploymentStatuses: RecordedDeploymentStatus[];
  /** Every API request, answered or failed, as `METHOD /path` (without `/api/v3`). */
  readonly requests: string[];
  /** Statuses of one commit, oldest first, as `state: description`. */
  statesOf(sha: string): string[];
  /** The states of one deployment's statuses, oldest first. */
  deploymentStates(deploymentId: number): string[];
  /** The next `times` API requests are answered with `status` (and `headers`, e.g. `retry-after`). */
  failNext(status: number, times?: number, headers?: Record<string, string>): void;
  /** The next `times` API requests are never answered (until `close`): the caller's timeout must end them. */
  hangNext(times?: number): void;
  /** Every API request is answered with `status` until {@link up}. */
  down(status?: number): void;
  up(): void;
  /** Serves the git directory `gitDir` as `${url}/<fullName>.git`; returns that URL. */
  serveRepository(fullName: string, gitDir: string): Promise<string>;
  close(): Promise<void>;
}

const STATES = new Set(['error', 'failure', 'inactive', 'in_progress', 'queued', 'pending', 'success']);

export async function startFakeGithub(): Promise<FakeGithub> {
  const statuses: RecordedStatus[] = [];
  const deployments: RecordedDeployment[] = [];
  const deploymentStatuses: RecordedDeploymentStatus[] = [];
  const requests: string[] = [];
  let failures: Array<{ status: number; headers: Record<string, string> }> = [];
  let hangs = 0;
  let outage: number | null = null;
  const gitRoot = await mkdtemp(join(tmpdir(), 'igor-fake-github-'));
  let base = '';

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const path = new URL(request.url ?? '/', 'http://github.invalid').pathname;
      if (/^\/[^/]+\/[^/]+\.git\//.test(path)) return serveGit(request, response, body, gitRoot);
      const send = (status: number, answer: unknown, headers: Record<string, string> = {}) => {
        response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(answer));
      };
      const route = path.replace(/^\/api\/v3(?=\/)/, '');
      requests.push(`${request.method} ${route}`);
      if (hangs > 0) return void hangs--;
      const failure = failures.shift() ?? (outage === null ? undefined : { status: outage, headers: {} });
      if (failure) return send(failure.status, { message: failureMessage(failure.status), documentation_url: 'https://docs.github.com/rest' }, failure.headers);
      if (request.method !== 'POST') return send(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
      let json: Record<string, unknown>;
      try {
        json = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
      } catch {
        return send(400, { message: 'Problems parsing JSON' });
      }
      const authorization = request.headers.authorization;
      const statusRoute = /^\/repos\/([^/]+)\/([^/]+)\/statuses\/([0-9a-f]+)$/.exec(route);
      if (statusRoute) {
        const recorded: RecordedStatus = { owner: statusRoute[1]!, repo: statusRoute[2]!, sha: statusRoute[3]!, state: json.state as string, context: json.context as string, description: json.description as string, authorization };
        statuses.push(recorded);
        return send(201, { id: statuses.length, state: recorded.state, context: recorded.context, description: recorded.description });
      }
      const createRoute = /^\/repos\/([^/]+)\/([^/]+)\/deployments$/.exec(route);
      if (createRoute) {
        const asked = json as unknown as CreateDeploymentBody;
        if (typeof asked.ref !== 'string' || !asked.ref) return send(422, { message: 'Invalid request.\n\n"ref" wasn\'t supplied.', documentation_url: 'https://docs.github.com/rest/deployments/deployments#create-a-deployment' });
        const deployment = newDeployment(`${base}/api/v3`, createRoute[1]!, createRoute[2]!, deployments.length + 1, asked);
        deployments.push({ owner: createRoute[1]!, repo: createRoute[2]!, request: asked, deployment, authorization });
        return send(201, deployment);
      }
      const deploymentStatusRoute = /^\/repos\/([^/]+)\/([^/]+)\/deployments\/(\d+)\/statuses$/.exec(route);
      if (deploymentStatusRoute) {
        const asked = json as unknown as CreateStatusBody;
        const target = deployments.find((entry) => entry.deployment.id === Number(deploymentStatusRoute[3]) && entry.owner === deploymentStatusRoute[1] && entry.repo === deploymentStatusRoute[2]);
        if (!target) return send(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest/deployments/statuses#create-a-deployment-status' });
        if (!STATES.has(asked.state)) return send(422, validationFailed('state', `state is not included in the list`));
        if ((asked.description ?? '').length > 140) return send(422, validationFailed('description', 'description is too long (maximum is 140 characters)'));
        const status = addStatus(target, asked, false);
        // GitHub's own marking: earlier successful non-production deployments of the environment go inactive.
        if (asked.state === 'success' && asked.auto_inactive !== false && !target.deployment.production_environment) {
          for (const earlier of deployments.filter((entry) => entry !== target && entry.deployment.environment === target.deployment.environment && latestState(entry) === 'success')) {
            addStatus(earlier, { state: 'inactive' }, true);
          }
        }
        return send(201, status);
      }
      return send(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
    });
  });

  function latestState(entry: RecordedDeployment): string | undefined {
    return deploymentStatuses.findLast((status) => status.deploymentId === entry.deployment.id)?.status.state;
  }

  function addStatus(target: RecordedDeployment, asked: CreateStatusBody, automatic: boolean): GithubDeploymentStatus {
    const id = deploymentStatuses.length + 1;
    const deploymentUrl = target.deployment.url;
    const now = new Date().toISOString();
    const status: GithubDeploymentStatus = {
      url: `${deploymentUrl}/statuses/${id}`,
      id,
      node_id: Buffer.from(`DeploymentStatus${id}`).toString('base64'),
      state: asked.state,
      creator: CREATOR,
      description: asked.description ?? '',
      environment: asked.environment ?? target.deployment.environment,
      target_url: asked.log_url ?? asked.target_url ?? '',
      created_at: now,
      updated_at: now,
      deployment_url: deploymentUrl,
      repository_url: target.deployment.repository_url,
      environment_url: asked.environment_url ?? '',
      log_url: asked.log_url ?? asked.target_url ?? '',
      performed_via_github_app: null,
    };
    deploymentStatuses.push({ deploymentId: Number(target.deployment.id), request: asked, status, automatic });
    return status;
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  base = `http://127.0.0.1:${port}`;
  return {
    url: base,
    apiUrl: `${base}/api/v3`,
    statuses,
    deployments,
    deploymentStatuses,
    requests,
    statesOf: (sha) => statuses.filter((status) => status.sha === sha).map((status) => `${status.state}: ${status.description}`),
    deploymentStates: (deploymentId) => deploymentStatuses.filter((status) => status.deploymentId === deploymentId).map((status) => status.status.state),
    failNext: (status, times = 1, headers = {}) => void (failures = [...failures, ...Array.from({ length: times }, () => ({ status, headers }))]),
    hangNext: (times = 1) => void (hangs += times),
    down: (status = 500) => void (outage = status),
    up: () => void (outage = null),
    async serveRepository(fullName, gitDir) {
      const link = join(gitRoot, `${fullName}.git`);
      await mkdir(dirname(link), { recursive: true });
      await symlink(gitDir, link);
      return `${base}/${fullName}.git`;
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await rm(gitRoot, { recursive: true, force: true });
    },
  };
}

/** The deployment GitHub answers `POST …/deployments` with. */
function newDeployment(apiBase: string, owner: string, repo: string, id: number, asked: CreateDeploymentBody): GithubDeployment {
  const now = new Date().toISOString();
  const repositoryUrl = `${apiBase}/repos/${owner}/${repo}`;
  const environment = asked.environment ?? 'production';
  return {
    url: `${repositoryUrl}/deployments/${id}`,
    id,
    node_id: Buffer.from(`Deployment${id}`).toString('base64'),
    // The fake takes a sha as its own commit; a branch name would be resolved by GitHub.
    sha: asked.ref,
    ref: asked.ref,
    task: asked.task ?? 'deploy',
    payload: asked.payload ?? {},
    original_environment: environment,
    environment,
    description: asked.description ?? '',
    creator: CREATOR,
    created_at: now,
    updated_at: now,
    statuses_url: `${repositoryUrl}/deployments/${id}/statuses`,
    repository_url: repositoryUrl,
    transient_environment: asked.transient_environment ?? false,
    production_environment: asked.production_environment ?? environment === 'production',
    performed_via_github_app: null,
  };
}

/** What GitHub says with each status it fails a request with. */
function failureMessage(status: number): string {
  if (status === 401) return 'Bad credentials';
  if (status === 403) return 'Resource not accessible by personal access token';
  if (status === 404) return 'Not Found';
  if (status === 429) return 'API rate limit exceeded';
  return status >= 500 ? 'Server Error' : 'Request failed';
}

function validationFailed(field: string, message: string) {
  return { message: 'Validation Failed', errors: [{ resource: 'DeploymentStatus', code: 'custom', field, message }], documentation_url: 'https://docs.github.com/rest/deployments/statuses#create-a-deployment-status' };
}

/** The user behind the token, as GitHub shows it on what the token made. */
const CREATOR: GithubDeployment['creator'] = {
  login: 'igor-bot',
  id: 4242,
  node_id: 'MDQ6VXNlcjQyNDI=',
  avatar_url: 'https://avatars.githubusercontent.com/u/4242?v=4',
  gravatar_id: '',
  url: 'https://api.github.com/users/igor-bot',
  html_url: 'https://github.com/igor-bot',
  followers_url: 'https://api.github.com/users/igor-bot/followers',
  following_url: 'https://api.github.com/users/igor-bot/following{/other_user}',
  gists_url: 'https://api.github.com/users/igor-bot/gists{/gist_id}',
  starred_url: 'https://api.github.com/users/igor-bot/starred{/owner}{/repo}',
  subscriptions_url: 'https://api.github.com/users/igor-bot/subscriptions',
  organizations_url: 'https://api.github.com/users/igor-bot/orgs',
  repos_url: 'https://api.github.com/users/igor-bot/repos',
  events_url: 'https://api.github.com/users/igor-bot/events{/privacy}',
  received_events_url: 'https://api.github.com/users/igor-bot/received_events',
  type: 'User',
  site_admin: false,
};

/**
 * A git request answered by `git http-backend` as CGI (git's smart HTTP protocol, what GitHub
 * speaks), from the repositories under `root`.
 */
function serveGit(request: IncomingMessage, response: ServerResponse, body: Buffer, root: string): void {
  const url = new URL(request.url ?? '/', 'http://github.invalid');
  const child = spawn('git', ['http-backend'], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: root,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_PROJECT_ROOT: root,
      GIT_HTTP_EXPORT_ALL: '1',
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.slice(1),
      REQUEST_METHOD: request.method ?? 'GET',
      CONTENT_TYPE: request.headers['content-type'] ?? '',
      CONTENT_LENGTH: String(body.length),
      HTTP_CONTENT_ENCODING: request.headers['content-encoding'] ?? '',
      HTTP_GIT_PROTOCOL: String(request.headers['git-protocol'] ?? ''),
      REMOTE_ADDR: '127.0.0.1',
    },
  });
  const output: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
  child.stdin.on('error', () => undefined);
  child.stdin.end(body);
  child.on('error', (error) => response.writeHead(500).end(error.message));
  child.on('close', () => {
    const all = Buffer.concat(output);
    const split = all.indexOf('\r\n\r\n');
    const head = split < 0 ? '' : all.subarray(0, split).toString('latin1');
    let status = 200;
    const headers: Record<string, string> = {};
    for (const line of head.split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon < 0) continue;
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 500;
      else headers[name] = value;
    }
    response.writeHead(split < 0 ? 500 : status, headers).end(split < 0 ? all : all.subarray(split + 4));
  });
}
