import { writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startCiTestbed, WEBHOOK_SECRET, type CiTestbed, type CiTestbedOptions } from '../../support/ci-testbed.js';
import { examplePayload, pingPayload, pushPayload, signGithubBody } from '../../support/github-webhooks.js';

let testbed: CiTestbed | undefined;
afterEach(async () => {
  await testbed?.close();
  testbed = undefined;
});

async function start(options: CiTestbedOptions = {}): Promise<CiTestbed> {
  testbed = await startCiTestbed(options);
  return testbed;
}

const logged = (t: CiTestbed, message: string) => t.logs.filter((line) => line.msg === message);

describe('the GitHub webhook endpoint', () => {
  it('refuses a delivery with a bad signature with 401 naming GITHUB_WEBHOOK_SECRET, and acts on nothing', async () => {
    const t = await start();
    const payload = pushPayload({ repo: t.repo, branch: 'main', after: t.sha });
    const forged = await t.deliver('push', payload, { signature: signGithubBody('another-secret', JSON.stringify(payload)) });
    expect(forged.status).toBe(401);
    expect(forged.json().error).toMatch(/GITHUB_WEBHOOK_SECRET/);
    const garbled = await t.deliver('push', payload, { signature: 'sha256=not-hex' });
    expect(garbled.status).toBe(401);
    expect(t.runs()).toEqual([]);
    expect(t.store.data.ci.deliveries).toEqual([]);
  });

  it('refuses a delivery with no signature with 401, and acts on nothing', async () => {
    const t = await start();
    const response = await t.push({ branch: 'main', after: t.sha }, { signature: null });
    expect(response.status).toBe(401);
    expect(response.json().error).toMatch(/X-Hub-Signature-256.*GITHUB_WEBHOOK_SECRET/);
    expect(t.runs()).toEqual([]);
  });

  it('refuses every delivery with 503 when GITHUB_WEBHOOK_SECRET is not set, never accepting unsigned payloads', async () => {
    const t = await start({ secret: null });
    for (const signature of [null, undefined]) {
      const response = await t.push({ branch: 'main', after: t.sha }, { signature });
      expect(response.status).toBe(503);
      expect(response.json().error).toMatch(/set GITHUB_WEBHOOK_SECRET/);
    }
    expect(t.runs()).toEqual([]);
  });

  it('answers ping with 200 and logs the hello', async () => {
    const t = await start();
    const response = await t.deliver('ping', pingPayload(t.repo));
    expect(response.status).toBe(200);
    expect(logged(t, 'GitHub webhook ping: the webhook reaches igor')).toHaveLength(1);
    expect(logged(t, 'this webhook belongs to a repository no app in igor.yml uses: its pushes will be ignored')).toEqual([]);
  });

  it('warns at the ping when the webhook is for another repository', async () => {
    const t = await start();
    expect((await t.deliver('ping', pingPayload())).status).toBe(200);
    expect(logged(t, 'this webhook belongs to a repository no app in igor.yml uses: its pushes will be ignored')).toHaveLength(1);
  });

  it('answers an event igor does not act on with 2xx and ignores it', async () => {
    const t = await start();
    const response = await t.deliver('star', examplePayload('star'));
    expect(response.status).toBeGreaterThanOrEqual(200);
    expect(response.status).toBeLessThan(300);
    expect(logged(t, 'ignored a GitHub event igor does not act on')).toMatchObject([{ event: 'star', delivery: response.delivery }]);
    expect(t.runs()).toEqual([]);
  });

  it('acts once on a delivery sent twice', async () => {
    const t = await start();
    const first = await t.push({ branch: 'main', after: t.sha }, { delivery: 'a1b2c3d4-0000-11ef-8000-000000000001' });
    const again = await t.push({ branch: 'main', after: t.sha }, { delivery: 'a1b2c3d4-0000-11ef-8000-000000000001' });
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(t.runs()).toHaveLength(1);
    expect(t.store.data.ci.deliveries).toEqual(['a1b2c3d4-0000-11ef-8000-000000000001']);
    expect(logged(t, 'ignored a delivery already acted on')).toHaveLength(1);
    await t.until(() => t.runs()[0]!.state === 'passed', 'the run to pass');
    expect(t.runs()).toHaveLength(1);
  });

  it('ignores pushes to a repository no app uses, with one log line naming the repos it knows', async () => {
    const t = await start();
    const response = await t.deliver('push', pushPayload({ branch: 'main', after: t.sha }));
    expect(response.status).toBe(200);
    expect(t.runs()).toEqual([]);
    expect(logged(t, 'ignored a push to a repository no app in igor.yml uses')).toMatchObject([{ repository: 'Codertocat/Hello-World', repos: [t.repo] }]);
  });

  it('ignores pushes of tags', async () => {
    const t = await start();
    expect((await t.push({ branch: 'v1.0.0', tag: true, after: t.sha })).status).toBe(200);
    expect(t.runs()).toEqual([]);
    expect(logged(t, 'ignored a push that is not to a branch')).toHaveLength(1);
  });

  it('answers GitHub before the tests run: the work happens after the response', async () => {
    const t = await start({ integration: { steps: [{ name: 'slow', run: 'while [ ! -e "$GATE" ]; do sleep 0.05; done' }] } });
    const gate = join(t.dir, 'gate');
    t.config.integration.env.GATE = gate;
    const response = await t.push({ branch: 'main', after: t.sha });
    expect(response.status).toBe(200);
    expect(['queued', 'running']).toContain(t.runs()[0]!.state);
    await writeFile(gate, '');
    await t.until(() => t.runs()[0]!.state === 'passed', 'the run to pass');
  });

  it('refuses a delivery that is not JSON with 415, naming the content type to choose', async () => {
    const t = await start();
    const body = `payload=${encodeURIComponent(JSON.stringify(pushPayload({ repo: t.repo, branch: 'main', after: t.sha })))}`;
    const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        t.webhookUrl,
        {
          method: 'POST',
          agent: false,
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            'x-github-event': 'push',
            'x-github-delivery': 'd-415',
            'x-hub-signature-256': signGithubBody(WEBHOOK_SECRET, body),
          },
        },
        (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    expect(answer.status).toBe(415);
    expect(answer.text).toContain('application/json');
    expect(t.runs()).toEqual([]);
  });
});
