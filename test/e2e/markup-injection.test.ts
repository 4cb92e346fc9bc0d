import { simpleGit } from 'simple-git';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFiles } from '../../src/example/repository.js';
import { textOf, type FakeMessage } from '../support/fake-slack.js';
import { ALERTS_TOKEN, startHarness, type Harness } from '../support/igor-harness.js';
import { slackDriver } from './slack-driver.js';

const HOSTILE = '<!channel> <https://evil.example|Approve here> & <@U0BOB>';
let h: Harness;

beforeAll(async () => {
  h = await startHarness({ staging: { deployers: ['U0ALICE', 'U0BOB'], approval: { mode: 'required', approvers: ['U0BOB'] } } });
  await writeFiles(h.repo, { 'NEWS.md': 'news\n' });
  const git = simpleGit(h.repo);
  await git.add('.');
  await git.commit(HOSTILE);
});
afterAll(async () => h?.close());

/** Everything a message shows, as Slack receives it (text and every block). */
const wire = (message: FakeMessage) => JSON.stringify({ text: message.text, blocks: message.blocks });

function expectNothingActive(json: string): void {
  expect(json).not.toContain('<!channel>');
  expect(json).not.toContain('<!here>');
  expect(json).not.toContain('<https://evil.example');
  expect(json).not.toContain('<@U0BOB>');
}

describe('untrusted text reaches Slack escaped', () => {
  it('shows a hostile commit subject in the approval request as words, never as a ping or a link', async () => {
    const slack = slackDriver(h);
    await slack.slash('main', 'U0ALICE');
    const request = await slack.approvalRequest('1');
    const json = wire(request);
    expectNothingActive(json);
    expect(json).toContain('&lt;!channel&gt; &lt;https://evil.example|Approve here&gt; &amp; &lt;@U0BOB&gt;');
    await (await slack.slash('cancel', 'U0ALICE')).answer();
  });

  it('shows a hostile lock reason escaped, wherever the lock is named', async () => {
    const slack = slackDriver(h);
    await slack.state('1', 'cancelled');
    expect(await (await slack.slash(`lock staging ${HOSTILE}`, 'U0ALICE')).answer()).toContain('locked');
    const refusal = await slack.slash('main', 'U0ALICE');
    const answer = await refusal.answer();
    expect(answer).toContain('&lt;!channel&gt;');
    expectNothingActive(answer);
    const status = await (await slack.slash('status staging', 'U0ALICE')).answer();
    expectNothingActive(status);
    expect(status).toContain('&lt;https://evil.example|Approve here&gt;');
    await (await slack.slash('unlock staging', 'U0ALICE')).answer();
  });

  it('posts Alertmanager fields escaped, links only safe URLs, and cuts a 1 MB summary to what Slack takes', async () => {
    const alert = (fingerprint: string, annotations: Record<string, string>, generatorURL: string) => ({
      status: 'firing',
      labels: { alertname: 'Hostile', environment: 'staging', severity: 'critical', instance: '<!channel>' },
      annotations,
      startsAt: '2026-12-03T10:00:00Z',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL,
      fingerprint,
    });
    const body = {
      version: '4',
      groupKey: '{}:{alertname="Hostile"}',
      truncatedAlerts: 0,
      status: 'firing',
      receiver: 'igor',
      groupLabels: {},
      commonLabels: {},
      commonAnnotations: {},
      externalURL: 'http://alertmanager.example',
      alerts: [
        alert('f1', { summary: `${HOSTILE} db down`, description: HOSTILE, runbook_url: 'https://runbooks.example/db|click here>' }, 'javascript:alert(1)'),
        alert('f2', { summary: 'x'.repeat(1024 * 1024) }, 'http://prometheus.example/graph'),
      ],
    };
    const response = await fetch(`${h.igor.url}/api/alerts/alertmanager`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ALERTS_TOKEN}` }, body: JSON.stringify(body) });
    expect(response.status).toBe(200);
    const hostile = await h.slack.waitFor(() => h.slack.messages('C0ALERTS').find((message) => textOf(message).includes('db down')), { what: 'the hostile alarm' });
    const json = wire(hostile);
    expectNothingActive(json);
    expect(json).not.toContain('<javascript:');
    expect(json).not.toContain('<https://runbooks.example');
    const huge = await h.slack.waitFor(() => h.slack.messages('C0ALERTS').find((message) => textOf(message).includes('xxxxxxxx')), { what: 'the alarm with a 1 MB summary' });
    expect(wire(huge).length).toBeLessThan(60_000);
    expect(wire(huge)).toContain('…');
  });
});
