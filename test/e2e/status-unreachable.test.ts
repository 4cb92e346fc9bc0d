import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_TOKEN, startHarness, type Harness } from '../support/igor-harness.js';
import { slackDriver } from './slack-driver.js';

let h: Harness;
let release: string;
beforeAll(async () => {
  h = await startHarness({ hosts: 3 });
  const slack = slackDriver(h);
  await slack.slash('main', 'U0ALICE');
  release = (await slack.state('1', 'succeeded')).release!;
});
afterAll(async () => {
  await h?.close();
});

type EnvironmentView = { live: { release: string } | null; hosts: Array<{ host: string; state: string; release: string | null; error: string | null }> };
const environment = async () => (await (await fetch(`${h.igor.url}/api/environments/staging`, { headers: { authorization: `Bearer ${API_TOKEN}` } })).json()) as EnvironmentView;
const status = async () => (await slackDriver(h).slash('status staging', 'U0EVE')).answer();

describe('/deploy status with a host that does not answer', () => {
  it('shows a host whose sshd hangs as unreachable and the others with their release, also to twenty at once, also while a deployment waits on that host', async () => {
    h.fleet.pauseHost('web-2');
    try {
      const answer = await status();
      expect(answer).toContain(`live: ${release}`);
      expect(answer).toContain(`web-1, web-3 on ${release}`);
      expect(answer).toContain('web-2 unreachable (no answer within 3s)');
      expect(answer).not.toContain('agree');

      const view = await environment();
      expect(view.live?.release).toBe(release);
      expect(view.hosts).toEqual([
        { host: 'web-1', state: 'answered', release, recordedRelease: null, error: null },
        { host: 'web-2', state: 'unreachable', release: null, recordedRelease: release, error: 'no answer within 3s' },
        { host: 'web-3', state: 'answered', release, recordedRelease: null, error: null },
      ]);

      // A deployment now waits on web-2's handshake, holding the environment: status waits on neither.
      await slackDriver(h).slash('main', 'U0ALICE');
      await h.slack.waitFor(() => h.igor.pipeline.get('2')?.hosts.find((host) => host.host === 'web-2')?.phase === 'connect' || undefined, { what: 'deployment 2 to connect to web-2', timeoutMs: 30_000 });
      const answers = await Promise.all(Array.from({ length: 20 }, () => status()));
      for (const text of answers) {
        expect(text).toContain('web-2 unreachable (no answer within 3s)');
        expect(text).toContain('busy: <@U0ALICE> deploying `main`');
      }
    } finally {
      h.fleet.resumeHost('web-2');
    }
    // Thawed, web-2 is served again and deployment 2 goes on.
    await slackDriver(h).state('2', 'succeeded');
    expect(await status()).toContain('3 host(s) agree');
  }, 120_000);

  it('shows a host whose sshd is gone as unreachable', async () => {
    await h.fleet.stopHost('web-3');
    const answer = await status();
    expect(answer).toMatch(/web-3 unreachable \(.*ECONNREFUSED.*\)/);
    expect(answer).toContain('web-1, web-2 on');
  });
});
