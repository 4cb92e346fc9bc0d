import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textOf } from '../../support/fake-slack.js';
import { startAlertmanager, type Alertmanager } from '../../support/alertmanager.js';
import { ALERTS_TOKEN, startHarness, type Harness } from '../../support/igor-harness.js';

let harness: Harness | undefined;
let alertmanager: Alertmanager | undefined;

beforeAll(async () => {
  harness = await startHarness({ hosts: 1 });
  alertmanager = await startAlertmanager({ webhookUrl: `${harness.igor.url}/api/alerts/alertmanager`, token: ALERTS_TOKEN });
});
afterAll(async () => {
  await alertmanager?.stop();
  await harness?.close();
});

describe('a real Alertmanager posting to igor', () => {
  it('turns an alert sent to Alertmanager into an igor alarm, and resolves it when Alertmanager does', async () => {
    const h = harness!;
    const labels = { alertname: 'HighErrorRate', environment: 'staging', severity: 'critical', instance: 'web-1' };
    const annotations = { summary: 'Error rate above 5% on web-1', runbook_url: 'https://runbooks.example/errors' };
    await alertmanager!.send([{ labels, annotations, generatorURL: 'http://prometheus.example/graph' }]);
    await alertmanager!.send([{ labels, annotations, generatorURL: 'http://prometheus.example/graph' }]);

    const alarm = await h.slack.waitFor(() => h.igor.alarms.list().find((a) => a.source === 'alertmanager'), { what: 'the alarm from Alertmanager', timeoutMs: 20_000 });
    expect(alarm).toMatchObject({ environment: 'staging', severity: 'critical', hosts: ['web-1'], runbookUrl: 'https://runbooks.example/errors' });
    expect(alarm.key).toMatch(/^alertmanager:[0-9a-f]+$/);
    const message = await h.slack.waitFor(() => h.slack.messages('C0ALERTS').find((m) => textOf(m).includes('Error rate above 5% on web-1')), { what: 'the alarm message' });

    await alertmanager!.send([{ labels, annotations, endsAt: new Date(Date.now() - 1000).toISOString() }]);
    await h.slack.waitFor(() => (h.igor.alarms.get(alarm.id)?.state === 'resolved' ? true : undefined), { what: 'Alertmanager to resolve it', timeoutMs: 20_000 });
    await h.slack.waitFor(() => textOf(h.slack.message('C0ALERTS', message.ts)).includes('[resolved]') || undefined, { what: 'the message to say resolved' });
    expect(h.slack.messages('C0ALERTS').filter((m) => textOf(m).includes('Error rate above 5%'))).toHaveLength(1);
  });
});
