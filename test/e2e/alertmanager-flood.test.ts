import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIVE_PER_ENVIRONMENT } from '../../src/alarms/service.js';
import { ALERTS_PER_PAYLOAD } from '../../src/http/body.js';
import { ALERTS_TOKEN, startHarness, type Harness } from '../support/igor-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ hosts: 1 });
});
afterAll(async () => h?.close());

function flood(count: number) {
  const alerts = Array.from({ length: count }, (_, i) => ({
    status: 'firing',
    labels: { alertname: 'DiskFull', environment: 'staging', severity: 'warning', instance: `web-${i}:9100` },
    annotations: { summary: `disk ${i} is full`, description: 'x'.repeat(400) },
    startsAt: '2026-12-03T10:00:00Z',
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: `http://prometheus.example/graph?g0.expr=disk${i}`,
    fingerprint: `fp${i.toString(16).padStart(8, '0')}`,
  }));
  return {
    version: '4',
    groupKey: '{}:{alertname="DiskFull"}',
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'igor',
    groupLabels: { alertname: 'DiskFull' },
    commonLabels: { alertname: 'DiskFull', environment: 'staging', severity: 'warning' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager.example',
    alerts,
  };
}

describe('an Alertmanager payload of thousands of alerts', () => {
  it('is taken at once: a bounded number of alarms, the rest summed up, posts paced as Slack asks', async () => {
    const body = JSON.stringify(flood(5_000));
    expect(body.length).toBeGreaterThan(2_500_000);
    const response = await fetch(`${h.igor.url}/api/alerts/alertmanager`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ALERTS_TOKEN}` }, body });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', fired: ALERTS_PER_PAYLOAD, resolved: 0, summarised: 5_000 - ALERTS_PER_PAYLOAD });

    const live = h.igor.alarms.live();
    // One alarm each up to the cap, one for the rest of the environment, one for the rest of the payload.
    expect(live).toHaveLength(LIVE_PER_ENVIRONMENT + 2);
    expect(live.find((alarm) => alarm.key === 'overflow:staging')).toMatchObject({ count: ALERTS_PER_PAYLOAD - LIVE_PER_ENVIRONMENT });
    expect(live.find((alarm) => alarm.key.startsWith('alertmanager-group:'))?.summary).toBe(`${5_000 - ALERTS_PER_PAYLOAD} more alert(s) of alertname=DiskFull than igor shows one by one`);

    const posts = await h.slack.waitFor(() => {
      const calls = h.slack.callsOf('chat.postMessage').filter((call) => call.body.channel === 'C0ALERTS');
      return calls.length >= live.length ? calls : undefined;
    }, { what: 'every alarm message', timeoutMs: 45_000 });
    expect(posts).toHaveLength(live.length);
    // A burst of ten, then about one a second.
    const span = posts.at(-1)!.at - posts[0]!.at;
    expect(span).toBeGreaterThanOrEqual((live.length - 10 - 1) * 1_000);
    expect((await fetch(`${h.igor.url}/healthz`)).status).toBe(200);
  });
});
