/**
 * A stand-in for GitHub's REST API at the HTTP level, recording commit statuses
 * (`POST /repos/{owner}/{repo}/statuses/{sha}`); point `GITHUB_API_URL` at `url`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedStatus {
  owner: string;
  repo: string;
  sha: string;
  state: string;
  context: string;
  description: string;
  authorization: string | undefined;
}

export interface FakeGithub {
  readonly url: string;
  readonly statuses: RecordedStatus[];
  /** Statuses of one commit, oldest first, as `state: description`. */
  statesOf(sha: string): string[];
  /** The next `times` requests are answered with `status`. */
  failNext(status: number, times?: number): void;
  close(): Promise<void>;
}

export async function startFakeGithub(): Promise<FakeGithub> {
  const statuses: RecordedStatus[] = [];
  let failures: number[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const send = (status: number, body: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      };
      const failure = failures.shift();
      if (failure) return send(failure, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
      const match = /^\/repos\/([^/]+)\/([^/]+)\/statuses\/([0-9a-f]+)$/.exec(request.url ?? '');
      if (request.method !== 'POST' || !match) return send(404, { message: 'Not Found' });
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, string>;
      const recorded: RecordedStatus = {
        owner: match[1]!,
        repo: match[2]!,
        sha: match[3]!,
        state: body.state!,
        context: body.context!,
        description: body.description!,
        authorization: request.headers.authorization,
      };
      statuses.push(recorded);
      send(201, { id: statuses.length, state: recorded.state, context: recorded.context, description: recorded.description });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    statuses,
    statesOf: (sha) => statuses.filter((status) => status.sha === sha).map((status) => `${status.state}: ${status.description}`),
    failNext: (status, times = 1) => void (failures = [...failures, ...Array<number>(times).fill(status)]),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
