import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliver } from '../support/github-webhooks.js';
import { ALERTS_TOKEN, API_TOKEN, SIGNING_SECRET, startHarness, type Harness } from '../support/igor-harness.js';
import { postSignedToSlackEndpoint } from '../support/slack-requests.js';

const GITHUB_SECRET = 'malformed-github-secret';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ hosts: 1, github: { webhookSecret: GITHUB_SECRET } });
});
afterAll(async () => {
  await h?.close();
});

/** Bodies that are not what a route wants: wrong JSON types, missing fields, not JSON at all. */
const BODIES = ['', 'null', '[]', '{}', '5', '"text"', '{"ref":5}', '{"user":{}}', '{"user":"U0ALICE","ref":[]}', '{"environment":{"__proto__":1}}', 'not json', '{"unterminated":', '%zz', '{"text":null,"command":7}', '{"from":"__proto__","environment":"constructor"}', '{"from":"staging","environment":"staging","app":"hasOwnProperty"}'];

/** Every route of the control API, with ids both real-looking and hostile. */
const API_ROUTES: Array<[string, string]> = [
  ['POST', '/api/deployments'],
  ['POST', '/api/deployments/1/approve'],
  ['POST', '/api/deployments/%E0%A4%A/cancel'],
  ['POST', '/api/deployments/__proto__/retry'],
  ['POST', '/api/deployments/1/rollback'],
  ['POST', '/api/environments/staging/lock'],
  ['POST', '/api/environments/constructor/unlock'],
  ['POST', '/api/rollback'],
  ['POST', '/api/promotions'],
  ['POST', '/api/commands'],
  ['POST', '/api/ci/runs/1/retry'],
  ['POST', '/api/alarms/1/acknowledge'],
  ['PUT', '/api/flags/staging/new-checkout'],
  ['DELETE', '/api/flags/staging/new-checkout'],
  ['POST', '/api/flags/changes/1/undo'],
  ['GET', '/api/deployments?limit=abc&environment=__proto__'],
  ['GET', '/api/deployments/1/logs/..%2F..%2Fetc%2Fpasswd'],
  ['GET', '/api/ci/runs?limit=-1'],
];

async function send(method: string, path: string, body: string, headers: Record<string, string>): Promise<number> {
  const response = await fetch(`${h.igor.url}${path}`, { method, headers: { 'content-type': 'application/json', ...headers }, ...(method === 'GET' ? {} : { body }) });
  await response.arrayBuffer();
  return response.status;
}

describe('malformed requests to every route', () => {
  it('answers each with a 4xx (never a 5xx or a reset), creates nothing, and stays healthy', async () => {
    const answers: Array<{ what: string; status: number }> = [];
    const record = async (what: string, status: Promise<number>) => answers.push({ what, status: await status.catch((error: unknown) => -1 * (String(error).length || 1)) });

    for (const [method, path] of API_ROUTES) {
      for (const body of BODIES) await record(`${method} ${path} ${body}`, send(method, path, body, { authorization: `Bearer ${API_TOKEN}` }));
    }
    for (const body of BODIES) {
      await record(`alertmanager ${body}`, send('POST', '/api/alerts/alertmanager', body, { authorization: `Bearer ${ALERTS_TOKEN}` }));
      await record(`ofrep ${body}`, send('POST', '/flags/staging/ofrep/v1/evaluate/flags', body, {}));
      await record(`ofrep one ${body}`, send('POST', '/flags/staging/ofrep/v1/evaluate/flags/new-checkout', body, {}));
    }

    // Signed GitHub deliveries whose payloads lack what igor reads, and odd event names.
    for (const event of ['push', 'ping', '', 'PUSH', 'x'.repeat(200)]) {
      for (const payload of [[], {}, { ref: 5 }, null, 'x', { ref: 'refs/heads/main' }, { ref: 'refs/heads/main', after: 'abc', repository: {} }]) {
        await record(`github ${event} ${JSON.stringify(payload)}`, deliver(`${h.igor.url}/api/github/webhooks`, GITHUB_SECRET, event, payload).then((r) => r.status));
      }
    }

    // Signed Slack requests of every shape igor reads, with fields missing.
    const slackBodies: Array<[string, string]> = [
      ['application/x-www-form-urlencoded', 'payload=null'],
      ['application/x-www-form-urlencoded', 'payload=%7B%7D'],
      ['application/x-www-form-urlencoded', `payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions' }))}`],
      ['application/x-www-form-urlencoded', `payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions', user: { id: 'U0ALICE' }, actions: [{}] }))}`],
      ['application/x-www-form-urlencoded', 'payload=not-json'],
      ['application/x-www-form-urlencoded', ''],
      ['application/x-www-form-urlencoded', 'command=%2Fdeploy'],
      ['application/x-www-form-urlencoded', 'command=deploy&user_id=U0ALICE&channel_id=C0DEPLOYS&text=main'],
      ['application/x-www-form-urlencoded', 'command=%2Fdeploy&user_id=U0ALICE&channel_id=C0DEPLOYS&text=main&response_url=javascript%3Aalert(1)'],
      ['application/json', 'null'],
      ['application/json', '{"type":"event_callback","event":null}'],
      ['application/json', '{"type":"event_callback"}'],
      ['application/json', '{"type":"url_verification"}'],
      ['application/json', '[]'],
      ['application/json', '{"type":7}'],
    ];
    for (const [contentType, body] of slackBodies) {
      await record(`slack ${contentType} ${body}`, postSignedToSlackEndpoint(h.eventsUrl, SIGNING_SECRET, body, { contentType }).then((r) => r.status));
    }

    expect(answers.length).toBeGreaterThan(300);
    const bad = answers.filter(({ status }) => status < 400 || status >= 500);
    // A few routes answer 2xx to a body they can act on ({} for OFREP bulk evaluation); none may be 5xx or a reset.
    expect(bad.filter(({ status }) => status < 0 || status >= 500)).toEqual([]);
    // A ping carries nothing igor needs: any object is a fine ping. Everything else signed but unreadable is a 400.
    const readable = (what: string) => /^github ping [{]/.test(what);
    expect(answers.filter(({ what }) => (what.startsWith('github') || what.startsWith('slack')) && !readable(what)).filter(({ status }) => status !== 400)).toEqual([]);
    expect(h.igor.pipeline.list().length).toBe(0);
    expect((await fetch(`${h.igor.url}/healthz`)).status).toBe(200);
  });

  it('names the field a signed delivery lacks, without igor\'s internal error text', async () => {
    const github = await deliver(`${h.igor.url}/api/github/webhooks`, GITHUB_SECRET, 'push', { ref: 5 });
    expect(github.status).toBe(400);
    expect(github.json().error).toBe("the push payload's ref must be a string");
    // Signed a few seconds earlier than the first test's copy of this body, so not a replay of it.
    const timestamp = Math.floor(Date.now() / 1000) - 5;
    const slack = await postSignedToSlackEndpoint(h.eventsUrl, SIGNING_SECRET, '{"type":"event_callback","event":null}', { contentType: 'application/json', timestamp });
    expect(slack.status).toBe(400);
    expect(slack.json()).toEqual({ error: 'the event has no valid event' });
    const command = await postSignedToSlackEndpoint(h.eventsUrl, SIGNING_SECRET, 'command=%2Fdeploy&channel_id=C0DEPLOYS');
    expect(command.json()).toEqual({ error: 'the slash command has no valid user_id' });
  });
});
