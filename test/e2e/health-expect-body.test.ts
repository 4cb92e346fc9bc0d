import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleAppFiles } from '../../src/example/app-files.js';
import { writeFiles } from '../../src/example/repository.js';
import { APP_PORT, startHarness, type Harness } from '../support/igor-harness.js';
import { slackDriver } from './slack-driver.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    hosts: 1,
    staging: { health: { url: `http://{host}:${APP_PORT}/health`, interval: '100ms', retries: 10, expectBody: '"revision":"{sha}"' } },
  });
});
afterAll(async () => h?.close());

describe('health.expectBody', () => {
  it('fails a release whose own app died while the old one still answers on the port', async () => {
    const slack = slackDriver(h);
    await slack.slash('main', 'U0ALICE');
    await slack.state('1', 'succeeded');

    // A release whose restart leaves the old process running and starts one that cannot bind the port.
    const restart = exampleAppFiles()['scripts/restart.sh']!.replace('kill "$old"', 'true');
    await writeFiles(h.repo, { 'scripts/restart.sh': restart });
    const git = simpleGit(h.repo);
    await git.add('.');
    await git.commit('Forget to stop the old app');

    await slack.slash('main', 'U0ALICE');
    const failed = await slack.state('2', 'rolled-back');
    expect(failed.reason).toMatch(/health: .*which does not match health\.expectBody/);
    const web1 = h.hostPaths['web-1']!;
    expect((await readFile(join(web1, 'current', 'REVISION'), 'utf8')).trim()).toBe(h.sha);
  });
});
