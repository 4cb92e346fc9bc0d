import { request as httpRequest } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ConsoleMessage } from '../../../src/chat/console/index.js';
import { openEventStream, shopConsoleConfig, startConsoleApp, type ConsoleApp, type EventStreamReader } from '../../support/console-app.js';
import { until } from '../../support/until.js';

type State = { app: string; auth: string; channels: Array<{ id: string; name: string }>; users: Array<{ id: string; name: string; roles: string[] }>; commands: string[]; messages: ConsoleMessage[] };

let dir: string;
let igor: ConsoleApp;
const streams: EventStreamReader[] = [];

async function events(path = '/console/events', init: RequestInit = {}): Promise<EventStreamReader> {
  const stream = await openEventStream(`${igor.url}${path}`, init);
  streams.push(stream);
  return stream;
}

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${igor.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const textOf = (message: ConsoleMessage) => message.text;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'igor-console-'));
  igor = await startConsoleApp({ configYaml: await shopConsoleConfig(dir), dataDir: join(dir, 'data') });
});

afterEach(async () => {
  await Promise.all(streams.splice(0).map((stream) => stream.close()));
});

afterAll(async () => {
  await igor?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the console routes', () => {
  it('serves the page and its files with a content security policy, and no build step', async () => {
    const page = await fetch(`${igor.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await page.text();
    expect(html).toContain('<script type="module" src="/console/assets/console.js"></script>');
    for (const file of ['console.js', 'blocks.js', 'emoji.js', 'session.js', 'deployment.js', 'deployments.js', 'console.css', 'favicon.svg']) {
      const asset = await fetch(`${igor.url}/console/assets/${file}`);
      expect(asset.status, file).toBe(200);
    }
    expect((await fetch(`${igor.url}/console/assets/..%2Froutes.ts`)).status).toBe(404);
    expect((await fetch(`${igor.url}/console/assets/blocks.d.ts`)).status).toBe(404);
    const bare = await fetch(`${igor.url}/console`, { redirect: 'manual' });
    expect([bare.status, bare.headers.get('location')]).toEqual([302, '/']);
  });

  it('tells the state: channels, the people to act as (deployers, approvers, a guest) by the names the config gives them, commands and messages', async () => {
    const state = (await (await fetch(`${igor.url}/console/state`)).json()) as State;
    expect(state.app).toBe('shop');
    expect(state.auth).toBe('loopback');
    expect(state.channels).toEqual([
      { id: 'C0DEPLOYS', name: 'deploys' },
      { id: 'C0PROD', name: 'production' },
      { id: 'C0ALERTS', name: 'alerts' },
    ]);
    expect(state.users).toEqual([
      { id: 'U0ALICE', name: 'Alice', roles: ['deploys production', 'approves production'] },
      { id: 'U0CAROL', name: 'U0CAROL', roles: ['deploys production'] },
      { id: 'U0BOB', name: 'Bob', roles: ['approves production'] },
      { id: 'U0GUEST', name: 'U0GUEST', roles: ['deploys staging (open to anyone)'] },
    ]);
    expect(state.commands).toEqual(expect.arrayContaining(['/deploy', '/rollback']));
    expect(Array.isArray(state.messages)).toBe(true);
  });

  it('streams a snapshot first, then an alarm posted and then updated in place when acknowledged', async () => {
    const stream = await events();
    expect((await stream.next(({ event }) => event === 'state')).data).toMatchObject({ app: 'shop' });
    const alarm = await igor.alarms.raise({ key: 'test:disk', source: 'igor', severity: 'warning', environment: 'staging', summary: 'disk almost full on web-1' });
    const posted = await stream.next<ConsoleMessage>(({ event, data }) => event === 'message' && data.text.includes('disk almost full') && data.editedAt === null);
    expect(posted.data).toMatchObject({ channel: 'C0ALERTS', threadTs: null, user: null, from: 'igor' });
    expect(JSON.stringify(posted.data.blocks)).toContain('igor.acknowledge');

    const pressed = await post('/console/action', { action: 'igor.acknowledge', value: alarm.id, user: 'U0BOB', channel: 'C0ALERTS' });
    expect(pressed).toEqual({ status: 200, body: { ok: true, text: `Acknowledged alarm ${alarm.id}.` } });
    const updated = await stream.next<ConsoleMessage>(({ event, data }) => event === 'message' && data.ts === posted.data.ts && data.editedAt !== null);
    expect(JSON.stringify(updated.data.blocks)).toContain('<@U0BOB> since');
    const reply = await stream.next<ConsoleMessage>(({ event, data }) => event === 'message' && data.threadTs === posted.data.ts);
    expect(reply.data.text).toContain('<@U0BOB> has it');
  });

  it('answers a command at once as an ephemeral to who typed it, after echoing the command to them', async () => {
    const stream = await events();
    const answer = await post('/console/command', { command: '/deploy', text: 'help', user: 'U0CAROL', channel: 'C0PROD' });
    expect(answer).toEqual({ status: 202, body: { ok: true } });
    const echo = await stream.next<ConsoleMessage>(({ event, data }) => event === 'message' && data.from === 'U0CAROL');
    expect(echo.data).toMatchObject({ text: '/deploy help', user: 'U0CAROL', channel: 'C0PROD' });
    const help = await stream.next<ConsoleMessage>(({ event, data }) => event === 'message' && data.from === 'igor' && data.user === 'U0CAROL' && data.text.includes('/deploy &lt;ref&gt;'));
    expect(help.data.channel).toBe('C0PROD');
  });

  it('runs /deploy like Slack: the later answer as an ephemeral, the root message posted and updated to succeeded, replies in its thread', async () => {
    const stream = await events();
    await post('/console/command', { command: '/deploy', text: 'main to staging', user: 'U0GUEST' });
    const later = await stream.next<ConsoleMessage>(({ event, data }) => event === 'message' && data.user === 'U0GUEST' && data.text.includes('started'));
    const id = /Deployment (\d+)/.exec(later.data.text)![1]!;
    const root = await stream.next<ConsoleMessage>(({ event, data }) => event === 'message' && data.threadTs === null && data.user === null && data.text.includes('deploy main to staging'));
    expect(root.data.channel).toBe('C0DEPLOYS');
    const succeeded = await stream.next<ConsoleMessage>(({ event, data }) => event === 'message' && data.ts === root.data.ts && data.text.endsWith('succeeded'));
    expect(succeeded.data.editedAt).not.toBeNull();
    const replies = await stream.next<ConsoleMessage>(({ event, data }) => event === 'message' && data.threadTs === root.data.ts && data.text.includes('is live on'));
    expect(replies.data.channel).toBe('C0DEPLOYS');

    const data = (await (await fetch(`${igor.url}/console/deployments/${id}/data`)).json()) as { deployment: { state: string }; timeline: Array<{ host: string; segments: Array<{ phase: string }>; outcome: string }>; logs: string[] };
    expect(data.deployment.state).toBe('succeeded');
    expect(data.logs).toEqual(expect.arrayContaining(['unit', 'deploy']));
    expect(data.timeline).toHaveLength(1);
    expect(data.timeline[0]).toMatchObject({ host: 'web-1', outcome: 'done' });
    expect(data.timeline[0]!.segments.map((segment) => segment.phase)).toEqual(expect.arrayContaining(['upload', 'unpack', 'switch']));
    const log = await fetch(`${igor.url}/console/deployments/${id}/logs/unit`);
    expect(log.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await log.text()).toContain('unit tests passed');
    expect((await fetch(`${igor.url}/console/deployments/${id}`)).headers.get('content-type')).toMatch(/text\/html/);
    expect((await fetch(`${igor.url}/console/deployments/${id}/logs/nope`)).status).toBe(404);
    expect((await fetch(`${igor.url}/console/deployments/999/data`)).status).toBe(404);
  });

  it("streams a deployment's page the changes of deployments and no chat messages", async () => {
    const messages = await events();
    await post('/console/command', { command: '/deploy', text: 'main to production', user: 'U0ALICE', channel: 'C0PROD' });
    const started = await messages.next<ConsoleMessage>(({ event, data }) => event === 'message' && data.user === 'U0ALICE' && data.text.includes('started'));
    const id = /Deployment (\d+)/.exec(started.data.text)![1]!;
    await messages.next<ConsoleMessage>(({ event, data }) => event === 'message' && data.text.includes('Approval needed'));

    const stream = await events(`/console/deployments/${id}/events`);
    await stream.next(({ event }) => event === 'hello');
    expect(await post('/console/action', { action: 'igor.approve', value: id, user: 'U0BOB', channel: 'C0PROD' })).toMatchObject({ status: 200, body: { ok: true } });
    const change = await stream.next<{ id: string; state: string }>(({ event, data }) => event === 'deployment' && data.id === id && data.state === 'succeeded');
    expect(change.data.id).toBe(id);
    expect(stream.events.some(({ event }) => event === 'message' || event === 'state')).toBe(false);
    expect((await fetch(`${igor.url}/console/deployments/999/events`)).status).toBe(404);
  });

  it('answers a command naming an app it does not serve with the nearest app, whichever command names it', async () => {
    const stream = await events();
    for (const [command, text] of [['/rollback', 'shpo/production'], ['/rollback', 'shpo/production 20260101T120000Z-0123456'], ['/deploy', 'history shpo/staging'], ['/flags', 'shpo/staging']] as const) {
      await post('/console/command', { command, text, user: 'U0CAROL', channel: 'C0DEPLOYS' });
      const answer = await stream.next<ConsoleMessage>(({ event, data }) => event === 'message' && data.from === 'igor' && data.user === 'U0CAROL' && data.text.includes('shpo'));
      expect([command, answer.data.text]).toEqual([command, expect.stringContaining('there is no app "shpo" (did you mean shop?); configured: shop')]);
      stream.events.splice(0);
    }
    // The app right, the environment mistyped: the nearest environment, not a release of that name.
    await post('/console/command', { command: '/rollback', text: 'shop/stagign', user: 'U0CAROL', channel: 'C0DEPLOYS' });
    const answer = await stream.next<ConsoleMessage>(({ event, data }) => event === 'message' && data.from === 'igor' && data.user === 'U0CAROL' && data.text.includes('stagign'));
    expect(answer.data.text).toContain('there is no environment "stagign" (did you mean staging?)');
  });

  it('serves the emoji of its messages as SVG images, by name, and nothing else from the emoji folder', async () => {
    const rocket = await fetch(`${igor.url}/console/emoji/rocket.svg`);
    expect([rocket.status, rocket.headers.get('content-type')]).toEqual([200, 'image/svg+xml']);
    expect(await rocket.text()).toMatch(/^<svg /);
    for (const name of ['not_an_emoji.svg', 'constructor.svg', '__proto__.svg', 'rocket', '1f680.svg', '..%2F..%2Fpackage.json']) {
      const answer = await fetch(`${igor.url}/console/emoji/${name}`);
      expect([name, answer.status]).toEqual([name, 404]);
      expect(((await answer.json()) as { error: string }).error).toMatch(/^the console has no emoji /);
    }
  });

  it('lists deployments newest first for the list page, filtered by app and environment, and refuses filters that name nothing', async () => {
    await post('/console/command', { command: '/deploy', text: 'main to staging', user: 'U0ALICE', channel: 'C0DEPLOYS' });
    const before = igor.pipeline.list({ environment: 'staging' }).length;
    // Waited for to the end, so staging is free for the tests after this one.
    await until('a deployment to staging that ended', async () => (igor.pipeline.list({ environment: 'staging' }).length > before && igor.pipeline.list({ environment: 'staging', limit: 1 })[0]!.finishedAt ? true : undefined));
    const list = async (query = '') => {
      const response = await fetch(`${igor.url}/console/deployments/list${query}`);
      return { status: response.status, body: (await response.json()) as { apps: unknown; console: boolean; deployments: Array<Record<string, unknown>>; names: Record<string, string>; error?: string } };
    };
    const all = await list();
    expect(all.status).toBe(200);
    // The page shows who asked by name (the config's people).
    expect(all.body.names).toMatchObject({ U0ALICE: 'Alice' });
    const newest = all.body.deployments[0]!;
    const data = (await (await fetch(`${igor.url}/console/deployments/${String(newest.id)}/data`)).json()) as { names: Record<string, string> };
    expect(data.names).toEqual({ U0ALICE: 'Alice' });
    expect(all.body.apps).toEqual([{ name: 'shop', environments: ['staging', 'production'] }]);
    expect(all.body.console).toBe(true);
    expect(all.body.deployments.map((d) => d.id)).toEqual(igor.pipeline.list({ limit: 200 }).map((d) => d.id));
    expect(Object.keys(all.body.deployments[0]!).sort()).toEqual(['app', 'createdAt', 'environment', 'finishedAt', 'id', 'kind', 'ref', 'release', 'requestedBy', 'sha', 'state']);
    const staging = await list('?environment=staging');
    expect(staging.body.deployments.length).toBeGreaterThan(0);
    expect(staging.body.deployments.every((d) => d.environment === 'staging')).toBe(true);
    expect((await list('?app=shop&environment=staging')).body.deployments).toEqual(staging.body.deployments);

    expect(await list('?environment=stagign')).toMatchObject({ status: 404, body: { error: expect.stringContaining('did you mean staging?') } });
    expect(await list('?app=shpo')).toMatchObject({ status: 404, body: { error: 'there is no app "shpo" (did you mean shop?); configured: shop' } });
    expect(await list('?app=shop&app=billing')).toMatchObject({ status: 400, body: { error: 'app must be one name' } });
    expect(await list('?environment=')).toMatchObject({ status: 400, body: { error: 'environment must not be empty' } });
    const page = await fetch(`${igor.url}/console/deployments`);
    expect([page.status, page.headers.get('content-security-policy')?.includes("script-src 'self'")]).toEqual([200, true]);
    expect(await page.text()).toContain('/console/assets/deployments.js');
  });

  it('answers /favicon.ico with the icon', async () => {
    const icon = await fetch(`${igor.url}/favicon.ico`, { redirect: 'manual' });
    expect([icon.status, icon.headers.get('location')]).toEqual([301, '/console/assets/favicon.svg']);
  });

  it('tells a refused button press privately to who pressed it, in the channel of the message', async () => {
    const stream = await events();
    const pressed = await post('/console/action', { action: 'igor.approve', value: '424242', user: 'U0BOB', channel: 'C0PROD' });
    expect(pressed).toEqual({ status: 200, body: { ok: false, text: 'there is no deployment 424242' } });
    const refusal = await stream.next<ConsoleMessage>(({ event, data }) => event === 'message' && data.user === 'U0BOB' && data.text.includes('424242'));
    expect(refusal.data).toMatchObject({ channel: 'C0PROD', text: ':no_entry: there is no deployment 424242', from: 'igor' });

    await post('/console/action', { action: 'igor.silence', value: 'A999', user: 'U0BOB', channel: 'C0ALERTS' });
    expect(textOf((await stream.next<ConsoleMessage>(({ event, data }) => event === 'message' && data.text.includes('A999'))).data)).toBe(':no_entry: there is no alarm A999');
  });

  it('refuses self-approval with an ephemeral, and takes an approver’s Approve', async () => {
    const stream = await events();
    await post('/console/command', { command: '/deploy', text: 'main to production', user: 'U0ALICE', channel: 'C0PROD' });
    const request = await stream.next<ConsoleMessage>(({ event, data }) => event === 'message' && data.threadTs !== null && JSON.stringify(data.blocks ?? []).includes('igor.approve'));
    const id = /"value":"(\d+)"/.exec(JSON.stringify(request.data.blocks))![1]!;
    const self = await post('/console/action', { action: 'igor.approve', value: id, user: 'U0ALICE', channel: 'C0PROD' });
    expect(self.body.ok).toBe(false);
    const refusal = await stream.next<ConsoleMessage>(({ event, data }) => event === 'message' && data.user === 'U0ALICE' && data.text.startsWith(':no_entry:'));
    expect(refusal.data.text).toBe(':no_entry: you asked for this deployment, and environments.production.approval.allowSelfApproval is false: ask <@U0BOB>');
    expect(await post('/console/action', { action: 'igor.approve', value: id, user: 'U0BOB', channel: 'C0PROD' })).toMatchObject({ status: 200, body: { ok: true } });
    await stream.next<ConsoleMessage>(({ event, data }) => event === 'message' && data.channel === 'C0PROD' && data.threadTs === null && data.text.includes('production: succeeded'));
  });

  it('puts Approve and Reject on the root while a deployment awaits approval, and answers a refused press in the thread it was pressed in', async () => {
    const stream = await events();
    await post('/console/command', { command: '/deploy', text: 'main to production', user: 'U0CAROL', channel: 'C0PROD' });
    const root = await stream.next<ConsoleMessage>(({ event, data }) => event === 'message' && data.channel === 'C0PROD' && data.threadTs === null && JSON.stringify(data.blocks ?? []).includes('igor.approve'));
    const id = /"igor.approve","value":"(\d+)"/.exec(JSON.stringify(root.data.blocks))![1]!;
    expect(JSON.stringify(root.data.blocks)).toContain('approval needed from <@U0ALICE> or <@U0BOB>');

    // Pressed in the thread panel: answered there; pressed in the channel: beside the message.
    expect((await post('/console/action', { action: 'igor.approve', value: id, user: 'U0GUEST', channel: 'C0PROD', thread: root.data.ts })).body.ok).toBe(false);
    const inThread = await stream.next<ConsoleMessage>(({ event, data }) => event === 'message' && data.user === 'U0GUEST' && data.text.includes('only the approvers'));
    expect(inThread.data).toMatchObject({ channel: 'C0PROD', threadTs: root.data.ts });
    await post('/console/action', { action: 'igor.reject', value: id, user: 'U0CAROL', channel: 'C0PROD', thread: null });
    const beside = await stream.next<ConsoleMessage>(({ event, data }) => event === 'message' && data.user === 'U0CAROL' && data.text.includes('only the approvers'));
    expect(beside.data.threadTs).toBeNull();
    expect(await post('/console/action', { action: 'igor.approve', value: id, user: 'U0BOB', channel: 'C0PROD', thread: '<script>' })).toMatchObject({ status: 400, body: { error: expect.stringMatching(/^thread must be the ts/) } });

    expect(await post('/console/action', { action: 'igor.reject', value: id, user: 'U0BOB', channel: 'C0PROD', thread: null })).toMatchObject({ status: 200, body: { ok: true } });
    const rejected = await stream.next<ConsoleMessage>(({ event, data }) => event === 'message' && data.ts === root.data.ts && data.text.endsWith('rejected'));
    expect(JSON.stringify(rejected.data.blocks)).not.toContain('igor.approve');
  });

  it("announces a lock and an unlock in the environment's channel, not only to who typed them", async () => {
    const stream = await events();
    await post('/console/command', { command: '/deploy', text: 'lock production load test until 3pm', user: 'U0ALICE', channel: 'C0DEPLOYS' });
    const locked = await stream.next<ConsoleMessage>(({ event, data }) => event === 'message' && data.user === null && data.text.startsWith(':lock:'));
    expect(locked.data).toMatchObject({ channel: 'C0PROD', threadTs: null, text: ':lock: <@U0ALICE> locked *production*: load test until 3pm. Deploys are refused until `/deploy unlock production`.' });
    await post('/console/command', { command: '/deploy', text: 'unlock production', user: 'U0CAROL', channel: 'C0DEPLOYS' });
    const unlocked = await stream.next<ConsoleMessage>(({ event, data }) => event === 'message' && data.user === null && data.text.startsWith(':unlock:'));
    expect(unlocked.data.channel).toBe('C0PROD');
    expect(unlocked.data.text).toMatch(/^:unlock: <@U0CAROL> unlocked \*production\* \(<@U0ALICE> locked it <!date\^\d+\^/);
  });

  it('answers an unknown command with an ephemeral naming the known ones, and bad requests with 400', async () => {
    const stream = await events();
    expect((await post('/console/command', { command: '/launch', text: 'rockets', user: 'U0BOB' })).body.ok).toBe(false);
    const answer = await stream.next<ConsoleMessage>(({ event, data }) => event === 'message' && data.user === 'U0BOB' && data.from === 'igor' && data.text.includes('/launch'));
    expect(answer.data.text).toMatch(/^:warning: igor does not know `\/launch`; it knows `\/deploy`, `\/rollback`/);
    expect(await post('/console/command', { command: '/deploy', text: 'help' })).toMatchObject({ status: 400, body: { error: expect.stringMatching(/user is required/) } });
    expect(await post('/console/action', { action: 'igor.launch', value: '1', user: 'U0BOB' })).toMatchObject({ status: 400, body: { error: 'igor has no button igor.launch' } });
  });

  it('refuses a caller that names a host other than loopback when no token is set (DNS rebinding)', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const { port } = new URL(igor.url);
      const request = httpRequest({ host: '127.0.0.1', port, path: '/console/state', headers: { host: `attacker.example:${port}` } }, (response) => {
        response.resume();
        resolve(response.statusCode!);
      });
      request.once('error', reject);
      request.end();
    });
    expect(status).toBe(401);
  });
});

describe('the console with IGOR_API_TOKEN', () => {
  const TOKEN = 'console-test-token';
  let guarded: ConsoleApp;
  let guardedDir: string;

  beforeAll(async () => {
    guardedDir = await mkdtemp(join(tmpdir(), 'igor-console-token-'));
    guarded = await startConsoleApp({ configYaml: await shopConsoleConfig(guardedDir), dataDir: join(guardedDir, 'data'), apiToken: TOKEN });
  });
  afterAll(async () => {
    await guarded?.close();
    await rm(guardedDir, { recursive: true, force: true });
  });

  it('serves the page to anyone (it asks for the token) but its data only with the bearer token, even on loopback', async () => {
    expect((await fetch(`${guarded.url}/`)).status).toBe(200);
    expect((await fetch(`${guarded.url}/console/deployments`)).status).toBe(200);
    expect((await fetch(`${guarded.url}/console/deployments/list`)).status).toBe(401);
    expect((await fetch(`${guarded.url}/console/deployments/events`)).status).toBe(401);
    expect((await fetch(`${guarded.url}/console/deployments/list`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    expect((await fetch(`${guarded.url}/console/state`)).status).toBe(401);
    expect((await fetch(`${guarded.url}/console/state`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    const ok = await fetch(`${guarded.url}/console/state`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as State).auth).toBe('token');
  });

  it('lets the event stream in with the HttpOnly cookie a bearer request got, but never a command or a button', async () => {
    const ok = await fetch(`${guarded.url}/console/state`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const setCookie = ok.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^igor_console=[0-9a-f]{64}; Path=\/console; HttpOnly; SameSite=Strict$/);
    expect(setCookie).not.toContain(TOKEN);
    const cookie = setCookie.split(';')[0]!;
    const stream = await openEventStream(`${guarded.url}/console/events`, { headers: { cookie } });
    streams.push(stream);
    expect(stream.response.status).toBe(200);
    await stream.next(({ event }) => event === 'state');
    expect((await fetch(`${guarded.url}/console/events`, { headers: { cookie: 'igor_console=forged' } })).status).toBe(401);
    const command = await fetch(`${guarded.url}/console/command`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify({ command: '/deploy', text: 'help', user: 'U0BOB' }) });
    expect(command.status).toBe(401);
    const withBearer = await fetch(`${guarded.url}/console/command`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body: JSON.stringify({ command: '/deploy', text: 'help', user: 'U0BOB' }) });
    expect(withBearer.status).toBe(202);
  });
});
