import { existsSync } from 'node:fs';
import { readFile, readlink, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { textOf } from '../support/fake-slack.js';
import { APP_PORT, SIGNING_SECRET, startHarness, type Harness } from '../support/igor-harness.js';
import { sendSlashCommand } from '../support/slack-requests.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function slash(h: Harness, text: string, options: { userId?: string; signature?: string; timestamp?: number } = {}) {
  const responseUrl = h.slack.responseUrl();
  const response = await sendSlashCommand(h.eventsUrl, SIGNING_SECRET, { command: '/deploy', text, responseUrl, channelId: 'C0DEPLOYS', ...options });
  return { response, responseUrl, responseId: responseUrl.split('/').pop()! };
}

async function finished(h: Harness, id: string) {
  const deployment = await h.slack.waitFor(
    () => {
      const d = h.igor.pipeline.get(id);
      return d && d.finishedAt ? d : undefined;
    },
    { timeoutMs: 45_000, what: `deployment ${id} to finish` },
  );
  // The root message is updated and the closing reply posted after the state is saved.
  await h.slack.waitFor(
    () => {
      const root = h.slack.messages('C0STAGING').find((m) => m.text.includes(` to ${deployment.environment}: `));
      if (!root || !root.text.endsWith(`: ${deployment.state}`)) return undefined;
      return h.slack.replies('C0STAGING', root.ts).some((m) => /is live on|Deployment \d+ (failed|cancelled|interrupted)/.test(textOf(m)));
    },
    { what: `the root message to show ${deployment.state} and the closing reply` },
  );
  return deployment;
}

describe('/deploy from Slack to sshd hosts', () => {
  it('tests the exact commit and ships it to every host, telling the story in one thread', async () => {
    const h = (harness = await startHarness());
    const { response, responseId } = await slash(h, 'main to staging');
    expect(response.status).toBe(200);

    const answer = await h.slack.waitFor(() => h.slack.responsesTo(responseId)[0], { what: 'the response_url answer' });
    expect(JSON.stringify(answer.body)).toContain('Deployment 1');
    const deployment = await finished(h, '1');
    expect(deployment.state).toBe('succeeded');
    expect(deployment.sha).toBe(h.sha);

    for (const [name, path] of Object.entries(h.hostPaths)) {
      const current = await readlink(join(path, 'current'));
      expect(current).toBe(join(path, 'releases', deployment.release!));
      expect((await readFile(join(current, 'REVISION'), 'utf8')).trim()).toBe(h.sha);
      const host = h.fleet.hosts.find((entry) => entry.name === name)!;
      const health = (await (await fetch(`http://${host.host}:${APP_PORT}/health`)).json()) as { revision: string };
      expect(health.revision).toBe(h.sha);
    }
    expect(deployment.release).toMatch(new RegExp(`^\\d{8}T\\d{6}Z-${h.sha.slice(0, 7)}$`));

    const [root] = h.slack.messages('C0STAGING');
    expect(textOf(root)).toContain('succeeded');
    expect(textOf(root)).toContain('2/2 done');
    expect(h.slack.updates('C0STAGING', root!.ts).length).toBeGreaterThan(0);
    const thread = h.slack.replies('C0STAGING', root!.ts).map(textOf).join('\n');
    expect(thread).toMatch(/`unit` passed in \d+/);
    expect(thread).toContain('Approved by policy');
    expect(thread).toContain('is live on 2 host(s) of staging');

    const api = await fetch(`${h.igor.url}/api/deployments/1`, { headers: { authorization: 'Bearer test-api-token' } });
    const view = (await api.json()) as { hosts: Array<{ state: string; release: string }>; steps: Array<{ name: string; state: string }> };
    expect(view.hosts.map((host) => host.state)).toEqual(['succeeded', 'succeeded']);
    expect(view.steps.map((step) => [step.name, step.state])).toEqual([
      ['unit', 'succeeded'],
      ['deploy', 'succeeded'],
      ['verify', 'succeeded'],
    ]);

    // The links in the thread lead to the deployment's page, which asks for the API token before showing anything.
    const details = /<([^|>]+)\|details>/.exec(JSON.stringify(root!.blocks))![1]!;
    expect(details).toBe('http://localhost:' + new URL(h.igor.url).port + '/console/deployments/1');
    expect(thread).toContain('/console/deployments/1#log-unit|log>');
    const page = await fetch(`${h.igor.url}/console/deployments/1`);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect((await fetch(`${h.igor.url}/console/deployments/1/data`)).status).toBe(401);
    const data = await fetch(`${h.igor.url}/console/deployments/1/data`, { headers: { authorization: 'Bearer test-api-token' } });
    expect(await data.json()).toMatchObject({ deployment: { id: '1', state: 'succeeded' }, console: false, logs: expect.arrayContaining(['unit', 'deploy']) });
    expect((await fetch(`${h.igor.url}/console/state`, { headers: { authorization: 'Bearer test-api-token' } })).status).toBe(404);

    const status = await slash(h, 'status');
    const statusText = JSON.stringify((await h.slack.waitFor(() => h.slack.responsesTo(status.responseId)[0], { what: 'the status' })).body);
    expect(statusText).toContain(`live: ${deployment.release}`);
    expect(statusText).toContain('2 host(s) agree');
    const history = await slash(h, 'history staging');
    expect(textOf(history.response.json() as { text: string })).toMatch(/1 · staging · `main` .* succeeded · by <@U0ALICE>, approved by policy/);

    const everything = JSON.stringify(h.logs);
    for (const secret of ['xoxb-test-token', SIGNING_SECRET, 'test-api-token']) expect(everything).not.toContain(secret);
  });

  it('leaves every host untouched when a test step fails, and posts the log tail', async () => {
    const h = (harness = await startHarness({
      integration: { steps: [{ name: 'unit', run: 'echo "expected 2 got 3" >&2; exit 3' }] },
    }));
    await slash(h, 'main');
    const deployment = await finished(h, '1');
    expect(deployment.state).toBe('failed');
    expect(deployment.reason).toContain('unit');
    for (const path of Object.values(h.hostPaths)) expect(existsSync(path)).toBe(false);
    const [root] = h.slack.messages('C0STAGING');
    const thread = h.slack.replies('C0STAGING', root!.ts).map(textOf).join('\n');
    expect(thread).toContain('`unit` failed');
    expect(thread).toContain('exited with code 3');
    expect(thread).toContain('expected 2 got 3');
    expect(textOf(h.slack.message('C0STAGING', root!.ts))).toContain('failed');
  });

  it('refuses a request with a bad or stale signature and does nothing', async () => {
    const h = (harness = await startHarness());
    const bad = await slash(h, 'main', { signature: 'v0=0000' });
    expect(bad.response.status).toBe(401);
    const stale = await slash(h, 'main', { timestamp: Math.floor(Date.now() / 1000) - 600 });
    expect(stale.response.status).toBe(401);
    expect(h.igor.pipeline.list()).toEqual([]);
    expect(h.slack.callsOf('chat.postMessage')).toEqual([]);
  });

  it.each([
    'main;touch MARKER',
    '$(touch MARKER)',
    '`touch MARKER`',
    '--upload-pack=touch MARKER',
    'main && touch MARKER',
    'no-such-branch',
  ])('runs nothing for the ref %s and says why, privately', async (text) => {
    const h = (harness = await startHarness());
    const marker = join(h.dir, 'marker');
    const { response, responseId } = await slash(h, text.replaceAll('MARKER', marker));
    expect(response.status).toBe(200);
    let answer = response.body ? textOf(response.json() as { text: string }) : '';
    if (!answer) answer = JSON.stringify((await h.slack.waitFor(() => h.slack.responsesTo(responseId)[0], { what: 'the answer' })).body);
    expect(answer).toMatch(/not a ref igor will deploy|expected `\/deploy|is not a branch, tag or commit/);
    expect(response.body === '' || (response.json() as { response_type?: string }).response_type === 'ephemeral').toBe(true);
    expect(existsSync(marker)).toBe(false);
    expect(h.igor.pipeline.list()).toEqual([]);
    expect(h.slack.callsOf('chat.postMessage')).toEqual([]);
    for (const path of Object.values(h.hostPaths)) expect(existsSync(path)).toBe(false);
  });

  it('suggests the nearest branch and environment for a mistyped one, and shows no local path', async () => {
    const h = (harness = await startHarness());
    const answerTo = async (text: string) => {
      const { response, responseId } = await slash(h, text);
      if (response.body && textOf(response.json() as { text: string })) return textOf(response.json() as { text: string });
      return textOf((await h.slack.waitFor(() => h.slack.responsesTo(responseId)[0], { what: `the answer to ${text}` })).body as { text: string });
    };
    const ref = await answerTo('mian');
    expect(ref).toContain('`mian` is not a branch, tag or commit of the repository (did you mean `main`?)');
    expect(ref).not.toContain(h.dir);
    expect(await answerTo('main to stagign')).toContain('there is no environment "stagign" (did you mean staging?)');
    expect(h.igor.pipeline.list()).toEqual([]);
  });

  it('refuses a second deploy to a busy environment, naming who holds it', async () => {
    const h = (harness = await startHarness({
      integration: { steps: [{ name: 'unit', run: 'while [ ! -f "$GATE" ]; do sleep 0.05; done' }], env: { GATE: '/nonexistent' } },
    }));
    // The gate lives in the harness folder, written once the second request has been refused.
    const gate = join(h.dir, 'gate');
    h.igor.config.integration.env.GATE = gate;
    await slash(h, 'main', { userId: 'U0ALICE' });
    await h.slack.waitFor(() => h.igor.pipeline.get('1')?.state === 'testing', { what: 'the first deployment to be testing' });

    const second = await slash(h, 'main', { userId: 'U0BOB' });
    const refusal = await h.slack.waitFor(() => h.slack.responsesTo(second.responseId)[0], { what: 'the refusal' });
    expect(JSON.stringify(refusal.body)).toContain('staging is busy');
    expect(JSON.stringify(refusal.body)).toContain('<@U0ALICE>');
    expect(h.igor.pipeline.list()).toHaveLength(1);

    await import('node:fs/promises').then((fs) => fs.writeFile(gate, ''));
    expect((await finished(h, '1')).state).toBe('succeeded');
    expect(await readdir(join(h.hostPaths['web-1']!, 'releases'))).toHaveLength(1);
  });
});
