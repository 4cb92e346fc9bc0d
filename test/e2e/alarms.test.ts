import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { buttonsOf, textOf, type FakeMessage } from '../support/fake-slack.js';
import { ALERTS_TOKEN, APP_PORT, startHarness, type Harness } from '../support/igor-harness.js';
import { killPidFiles } from '../support/sshd-fleet.js';
import { slackDriver } from './slack-driver.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

function alertsMessages(h: Harness, containing: string): FakeMessage[] {
  return h.slack.messages('C0ALERTS').filter((message) => textOf(message).includes(containing));
}

async function postAlerts(h: Harness, body: unknown, token: string | null = ALERTS_TOKEN) {
  const response = await fetch(`${h.igor.url}/api/alerts/alertmanager`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as { error?: string } };
}

function alert(fingerprint: string, status: 'firing' | 'resolved', labels: Record<string, string>, annotations: Record<string, string> = {}) {
  return { status, labels, annotations, startsAt: '2026-11-26T10:00:00Z', endsAt: status === 'resolved' ? '2026-11-26T10:05:00Z' : '0001-01-01T00:00:00Z', generatorURL: `http://prometheus.example/graph?g0.expr=${fingerprint}`, fingerprint };
}

function payload(status: 'firing' | 'resolved', alerts: unknown[]) {
  return { version: '4', groupKey: '{}:{alertname="HighErrorRate"}', truncatedAlerts: 0, status, receiver: 'igor', groupLabels: {}, commonLabels: {}, commonAnnotations: {}, externalURL: 'http://alertmanager.example', alerts };
}

const ERRORS = { alertname: 'HighErrorRate', environment: 'staging', severity: 'critical', instance: 'web-1' };
const LATENCY = { alertname: 'SlowRequests', env: 'staging', severity: 'warning', instance: 'web-2' };

describe('alarms from the health monitor', () => {
  it('raises one alarm after N failed checks of a stopped app, and resolves it when the app is back', async () => {
    const h = (harness = await startHarness({ staging: { monitor: { interval: '200ms', failures: 3 } } }));
    await slackDriver(h).slash('main', 'U0ALICE');
    await slackDriver(h).state('1', 'succeeded');
    const web1 = h.hostPaths['web-1']!;
    await killPidFiles([join(web1, 'shared', 'app.pid')]);

    const raised = await h.slack.waitFor(() => alertsMessages(h, 'web-1 in staging fails its health check')[0], { what: 'the monitor alarm', timeoutMs: 20_000 });
    expect(buttonsOf(raised).map((b) => b.text)).toEqual(['Acknowledge', 'Silence 1h', 'Rollback']);
    await h.slack.waitFor(() => h.igor.alarms.list().find((a) => a.key === 'monitor:shop/staging:web-1' && a.count >= 3), { what: 'the alarm to fire again' });
    expect(alertsMessages(h, 'web-1 in staging fails its health check')).toHaveLength(1);

    const host = h.fleet.hosts.find((entry) => entry.name === 'web-1')!;
    await execa('bash', ['scripts/restart.sh'], { cwd: join(web1, 'current'), env: { IGOR_PATH: web1, IGOR_HOST: host.host, APP_PORT: String(APP_PORT) } });
    const resolved = await h.slack.waitFor(() => alertsMessages(h, '[resolved]')[0], { what: 'the alarm to resolve', timeoutMs: 20_000 });
    expect(buttonsOf(resolved)).toEqual([]);
    await h.slack.waitFor(() => h.slack.replies('C0ALERTS', resolved.ts).find((reply) => textOf(reply).includes('web-1 is healthy again')), { what: 'the resolution in the thread' });
    expect(alertsMessages(h, 'fails its health check')).toHaveLength(1);
  });
});

describe('alarms from Alertmanager', () => {
  it('refuses a bad token and a malformed payload, storing nothing', async () => {
    const h = (harness = await startHarness({ hosts: 1 }));
    expect((await postAlerts(h, payload('firing', [alert('a1', 'firing', ERRORS)]), 'wrong')).status).toBe(401);
    expect((await postAlerts(h, payload('firing', [alert('a1', 'firing', ERRORS)]), null)).status).toBe(401);
    const wrongVersion = await postAlerts(h, { ...payload('firing', [alert('a1', 'firing', ERRORS)]), version: '3' });
    expect(wrongVersion).toMatchObject({ status: 400, body: { error: expect.stringMatching(/version: must be one of "4"/) } });
    const missing = await postAlerts(h, payload('firing', [alert('a1', 'firing', ERRORS), { ...alert('a2', 'firing', LATENCY), fingerprint: undefined }]));
    expect(missing).toMatchObject({ status: 400, body: { error: expect.stringMatching(/alerts\.1\.fingerprint: is required/) } });
    expect((await postAlerts(h, '{"version":')).status).toBe(400);
    expect(h.igor.alarms.list()).toEqual([]);
  });

  it('turns each alert of a group into an alarm, updates it when it fires again, and resolves it by fingerprint', async () => {
    const h = (harness = await startHarness({ hosts: 1 }));
    const errors = alert('fp-errors', 'firing', ERRORS, { summary: 'Error rate above 5%', description: '7% of requests fail', runbook_url: 'https://runbooks.example/high-error-rate' });
    const latency = alert('fp-latency', 'firing', LATENCY, { summary: 'Requests are slow' });
    expect(await postAlerts(h, payload('firing', [errors, latency]))).toMatchObject({ status: 200 });
    const message = await h.slack.waitFor(() => alertsMessages(h, 'Error rate above 5%')[0], { what: 'the errors alarm' });
    await h.slack.waitFor(() => alertsMessages(h, 'Requests are slow')[0], { what: 'the latency alarm' });
    const text = textOf(message);
    expect(text).toContain('7% of requests fail');
    expect(text).toContain('staging · web-1');
    expect(text).toContain('critical');
    expect(text).toContain('<https://runbooks.example/high-error-rate|the runbook>');
    expect(text).toContain('http://prometheus.example/graph?g0.expr=fp-errors');
    expect(text).toContain('nobody yet');
    expect(buttonsOf(message).map((b) => b.text)).toEqual(['Acknowledge', 'Silence 1h']);
    expect(h.igor.alarms.list().find((a) => a.key === 'alertmanager:fp-latency')).toMatchObject({ environment: 'staging', severity: 'warning' });

    await postAlerts(h, payload('firing', [errors]));
    await h.slack.waitFor(() => textOf(h.slack.message('C0ALERTS', message.ts)).includes('fired 2 times') || undefined, { what: 'the count to show' });
    expect(alertsMessages(h, 'Error rate above 5%')).toHaveLength(1);

    // A group that says resolved while one of its alerts still fires: each alert is keyed by its fingerprint.
    await postAlerts(h, payload('resolved', [{ ...errors, status: 'resolved' }, latency]));
    await h.slack.waitFor(() => textOf(h.slack.message('C0ALERTS', message.ts)).includes('[resolved]') || undefined, { what: 'the errors alarm to resolve' });
    await h.slack.waitFor(() => h.slack.replies('C0ALERTS', message.ts).find((reply) => textOf(reply).includes('Resolved')), { what: 'the resolution in the thread' });
    expect(h.igor.alarms.list().find((a) => a.key === 'alertmanager:fp-latency')!.state).toBe('firing');

    // After it resolved, the same alert firing again is a new occurrence with a message of its own.
    await postAlerts(h, payload('firing', [errors]));
    await h.slack.waitFor(() => (alertsMessages(h, 'Error rate above 5%').length === 2 ? true : undefined), { what: 'a new occurrence' });
  });

  it('acknowledges and silences through the buttons, privately refusing a second acknowledgement', async () => {
    const h = (harness = await startHarness({ hosts: 1 }));
    const slack = slackDriver(h);
    const errors = alert('fp-ack', 'firing', ERRORS, { summary: 'Disk almost full' });
    await postAlerts(h, payload('firing', [errors]));
    const message = structuredClone(await h.slack.waitFor(() => alertsMessages(h, 'Disk almost full')[0], { what: 'the alarm' }));
    await slack.press(message, 'Acknowledge', 'U0BOB');
    await h.slack.waitFor(() => textOf(h.slack.message('C0ALERTS', message.ts)).includes('<@U0BOB> since') || undefined, { what: 'who has it' });
    await h.slack.waitFor(() => h.slack.replies('C0ALERTS', message.ts).find((reply) => textOf(reply).includes('<@U0BOB> has it')), { what: 'who has it, in the thread' });
    await slack.press(message, 'Acknowledge', 'U0CAROL');
    expect(textOf(await slack.ephemeralFor('U0CAROL'))).toContain('acknowledged already by <@U0BOB>');

    await slack.press(message, 'Silence 1h', 'U0BOB');
    await h.slack.waitFor(() => textOf(h.slack.message('C0ALERTS', message.ts)).includes('silenced until') || undefined, { what: 'the silence to show' });
    const [alarm] = h.igor.alarms.list();
    expect(alarm!.history.map((event) => [event.action, event.user])).toEqual([
      ['fired', null],
      ['acknowledged', 'U0BOB'],
      ['silenced', 'U0BOB'],
    ]);
    // Resolved then fired again while silenced: a new occurrence, but nobody is notified.
    await postAlerts(h, payload('resolved', [{ ...errors, status: 'resolved' }]));
    await postAlerts(h, payload('firing', [errors]));
    await h.slack.waitFor(() => (h.igor.alarms.list().length === 2 ? true : undefined), { what: 'the second occurrence' });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(alertsMessages(h, 'Disk almost full')).toHaveLength(1);
  });

  it('reminds the approvers of a critical alarm nobody acknowledged', async () => {
    const h = (harness = await startHarness({ hosts: 1, top: { alarms: { remindAfter: '1s' } }, staging: { approval: { mode: 'auto', approvers: ['U0ALICE', 'U0BOB', 'S0SRE', '@dba', '@nobody'] } } }));
    h.slack.setUserGroup({ id: 'S0DBA', handle: 'dba', name: 'Databases', users: ['U0CAROL'] });
    await postAlerts(h, payload('firing', [alert('fp-remind', 'firing', ERRORS, { summary: 'Payments failing' })]));
    const message = await h.slack.waitFor(() => alertsMessages(h, 'Payments failing')[0], { what: 'the alarm' });
    const reminder = await h.slack.waitFor(() => h.slack.replies('C0ALERTS', message.ts).find((reply) => textOf(reply).includes('still firing')), { what: 'the reminder', timeoutMs: 10_000 });
    // User groups are paged as groups, by the id Slack has for a handle; a handle of no group stays text.
    expect(textOf(reminder)).toContain('<@U0ALICE> <@U0BOB> <!subteam^S0SRE> <!subteam^S0DBA> `@nobody`');
  });
});

describe('alarms through the control API', () => {
  it('lists alarms and acts on them as the buttons do', async () => {
    const h = (harness = await startHarness({ hosts: 1 }));
    await postAlerts(h, payload('firing', [alert('fp-api', 'firing', ERRORS, { summary: 'Queue backlog' })]));
    const api = async (path: string, body?: unknown) => {
      const response = await fetch(`${h.igor.url}${path}`, {
        method: body ? 'POST' : 'GET',
        headers: { authorization: 'Bearer test-api-token', 'content-type': 'application/json' },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const list = await api('/api/alarms');
    const [first] = list.body.alarms as Array<{ id: string; state: string }>;
    expect(first).toMatchObject({ state: 'firing' });
    expect(await api(`/api/alarms/${first!.id}/acknowledge`, { user: 'U0ALICE' })).toMatchObject({ status: 200, body: { state: 'acknowledged', acknowledgedBy: 'U0ALICE' } });
    expect(await api(`/api/alarms/${first!.id}/silence`, { user: 'U0ALICE', minutes: 30 })).toMatchObject({ status: 200, body: { silencedUntil: expect.any(String) } });
    expect(await api(`/api/alarms/${first!.id}/resolve`, { user: 'U0ALICE' })).toMatchObject({ status: 200, body: { state: 'resolved' } });
    expect((await api(`/api/alarms/${first!.id}/resolve`, { user: 'U0ALICE' })).status).toBe(409);
    expect((await api(`/api/alarms/${first!.id}/snooze`, { user: 'U0ALICE' })).status).toBe(404);
    expect((await api('/api/alarms/A999/acknowledge', { user: 'U0ALICE' })).status).toBe(404);
  });
});
