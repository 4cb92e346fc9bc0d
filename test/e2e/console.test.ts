import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureExampleBundle } from '../../src/example/bundle.js';
import { launchChromium, screenshotFolder } from '../support/chromium.js';
import { startConsoleApp, type ConsoleApp } from '../support/console-app.js';
import { killPidFiles } from '../support/sshd-fleet.js';

/** The example app's port: not the bundle's 4180, so test/main.test.ts can deploy the bundle beside this file. */
const APP_PORT = 4181;
const SERVERS = ['web-1', 'web-2', 'prod-1', 'prod-2', 'worker-1'];

let dir: string;
/** Screenshots of each stage, kept after the run (CI's artifacts) to be looked at. */
let screenshots: string;
let igor: ConsoleApp;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'igor-console-e2e-'));
  screenshots = await screenshotFolder('console');
  const dataDir = join(dir, 'data');
  igor = await startConsoleApp({ configYaml: await ensureExampleBundle(dataDir, APP_PORT), dataDir });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  // No time limits of Playwright's own: a wait ends when the page shows it, or at vitest's test timeout.
  page.setDefaultTimeout(0);
});

afterAll(async () => {
  await browser?.close();
  await igor?.close();
  await killPidFiles(SERVERS.map((name) => join(dir, 'data', 'example', 'servers', name, 'shared', 'app.pid')));
  await rm(dir, { recursive: true, force: true });
});

async function type(command: string): Promise<void> {
  await page.fill('#command', command);
  await page.press('#command', 'Enter');
}

const shot = (name: string) => page.screenshot({ path: join(screenshots, `${name}.png`) });
const root = (text: string | RegExp) => page.locator('#messages article.message:not(.ephemeral)', { hasText: text });

describe('the console in a browser', () => {
  it('deploys the bundled example to staging, promotes it to production with a refused and a granted approval, then rolls production back', async () => {
    await page.goto(`${igor.url}/`);
    await expect.poll(() => page.textContent('#connection')).toBe('live');
    expect(await page.textContent('#channel-name')).toBe('# deploys');
    expect(await page.inputValue('#act-as')).toBe('U0ALICE');

    // Staging: anyone, no approval; the root message is updated in place until it says succeeded.
    await type('/deploy main to staging');
    await page.locator('#messages .ephemeral', { hasText: 'started: follow it in' }).waitFor();
    await root('to staging: succeeded').waitFor();
    expect(await root('to staging').count()).toBe(1);
    await root('to staging: succeeded').locator('button.replies').click();
    await page.locator('#thread', { hasText: 'is live on 2 host(s) of staging' }).waitFor();
    await shot('1-staging-succeeded');

    // The example's second app, from its own repository, beside the first: every card names its app.
    await type('/deploy worker/main to staging');
    await root('worker: deploy main').filter({ hasText: 'to staging: succeeded' }).waitFor();
    expect(await root('example: deploy main').count()).toBe(1);
    await root('worker: deploy main').locator('button.replies').click();
    await page.locator('#thread', { hasText: 'is live on 1 host(s) of staging' }).waitFor();
    const worker = (await (await fetch(`http://127.0.0.6:${APP_PORT + 1}/health`)).json()) as { status: string; revision: string };
    expect(worker.status).toBe('ok');
    await shot('1b-worker-staging-succeeded');

    // Production takes what runs on staging: Alice promotes it, and may not approve her own request.
    await type('/deploy promote staging to production');
    await page.locator('#messages .ephemeral', { hasText: /Deployment \d+ promotes release/ }).waitFor();
    const production = root(/deploy main \(\w+\) to production/);
    await production.filter({ hasText: 'awaiting-approval' }).waitFor();
    // The root message says whose approval it needs, with Approve and Reject beside Cancel.
    await production.filter({ hasText: 'approval needed from @Bob' }).waitFor();
    expect(await production.locator('button[data-action]').allTextContents()).toEqual(['Approve', 'Reject', 'Cancel']);
    await production.locator('button.replies').click();
    // The request's expiry in the reader's local time, not as ISO.
    const expires = page.locator('#thread-messages time.bk-date').first();
    await expires.waitFor();
    expect(await expires.textContent()).not.toMatch(/\d{4}-\d\d-\d\dT/);
    await page.locator('#thread-messages button[data-action="igor.approve"]').click();
    // Refused in the thread, where the button was pressed.
    await page.locator('#thread .ephemeral', { hasText: 'allowSelfApproval is false' }).waitFor();
    expect(await page.locator('#messages .ephemeral', { hasText: 'allowSelfApproval is false' }).count()).toBe(0);
    await shot('2-self-approval-refused');

    // Bob approves on the root message; the canary bakes, then the wave, then success.
    await page.selectOption('#act-as', 'U0BOB');
    await production.locator('button[data-action="igor.approve"]').click();
    await production.filter({ hasText: 'canary 1/1' }).waitFor();
    await shot('3-canary');
    await production.filter({ hasText: 'to production: succeeded' }).waitFor();
    expect(await production.first().textContent()).toContain('2/2 done (canary 1/1, wave 1 1/1)');
    await page.locator('#thread', { hasText: 'approved by @Bob' }).waitFor();
    await shot('4-production-succeeded');

    // A second release through staging, promoted by Bob and approved by Alice, so there is one to roll back to.
    await type('/deploy main to staging');
    // Promoted once it is live on both of staging's hosts (the worker's staging card says succeeded too).
    await root('example: deploy main').filter({ hasText: 'to staging: succeeded' }).nth(1).waitFor();
    await type('/deploy promote staging to production');
    await expect.poll(() => production.count()).toBe(2);
    const second = production.last();
    await second.filter({ hasText: 'awaiting-approval' }).waitFor();
    await second.locator('button.replies').click();
    await page.selectOption('#act-as', 'U0ALICE');
    await page.locator('#thread-messages button[data-action="igor.approve"]').click();
    await second.filter({ hasText: 'to production: succeeded' }).waitFor();

    await type('/rollback production');
    await page.locator('#messages .ephemeral', { hasText: /Rollback \d+ puts .* back on example\/production/ }).waitFor();
    await root(/rollback \S+ \(\w+\) to production: succeeded/).waitFor();
    // The release it took off says so, and offers no Rollback any more.
    await second.filter({ hasText: /rolled back by @Alice today at .* by deployment \d+/ }).waitFor();
    expect(await second.locator('button[data-action="igor.rollback"]').count()).toBe(0);
    await shot('5-rolled-back');

    // The deployment page: steps, logs, and a timeline bar per host phase.
    const rollbackId = await page.locator('#messages .ephemeral', { hasText: /Rollback \d+ puts/ }).last().textContent();
    const firstProduction = /deployment (\d+)/.exec((await production.first().textContent())!)![1]!;
    const details = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    details.setDefaultTimeout(0);
    try {
      await details.goto(`${igor.url}/console/deployments/${firstProduction}`);
      await details.locator('#title', { hasText: 'succeeded' }).waitFor();
      expect(await details.locator('#hosts-timeline .row').count()).toBe(2);
      for (const phase of ['upload', 'unpack', 'switch', 'restart', 'health']) expect(await details.locator(`#hosts-timeline .bar.phase-${phase}`).count(), phase).toBe(2);
      // The wait for approval and the bake are bars of their own, labelled, apart from the work.
      expect(await details.locator('#pipeline .row', { hasText: 'approval wait' }).locator('.bar.phase-approval').count()).toBe(1);
      expect(await details.locator('#pipeline .row', { hasText: 'bake' }).locator('.bar.phase-bake').count()).toBe(1);
      expect(await details.locator('#facts').textContent()).toContain('Waited for approval');
      expect(await details.locator('#facts').textContent()).toMatch(/Promoted fromstaging: deployment \d+, live there since/);
      // A promotion runs no tests: its steps are the rollout and the verification.
      expect(await details.locator('[data-log="unit"]').count()).toBe(0);
      await details.click('[data-log="deploy"]');
      await details.locator('#log', { hasText: 'prod-1' }).waitFor();
      await details.screenshot({ path: join(screenshots, '6-deployment-page.png'), fullPage: true });
    } finally {
      await details.close();
    }
    expect(rollbackId).toMatch(/Rollback \d+/);
    // The rollback's page: each host's switch, restart and health.
    const rollbackPage = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    rollbackPage.setDefaultTimeout(0);
    try {
      await rollbackPage.goto(`${igor.url}/console/deployments/${/Rollback (\d+)/.exec(rollbackId!)![1]}`);
      await rollbackPage.locator('#title', { hasText: 'succeeded' }).waitFor();
      for (const phase of ['switch', 'restart', 'health']) expect(await rollbackPage.locator(`#hosts-timeline .bar.phase-${phase}`).count(), phase).toBe(2);
    } finally {
      await rollbackPage.close();
    }
  }, 240_000);

  it('asks for the API token when igor has one, refuses a wrong one, and opens with the right one', async () => {
    const guardedDir = await mkdtemp(join(tmpdir(), 'igor-console-token-'));
    const guarded = await startConsoleApp({ configYaml: await ensureExampleBundle(join(guardedDir, 'data'), APP_PORT), dataDir: join(guardedDir, 'data'), apiToken: 'browser-test-token' });
    const context = await browser.newContext();
    context.setDefaultTimeout(0);
    try {
      const tab = await context.newPage();
      await tab.goto(`${guarded.url}/`);
      await tab.locator('#token-dialog[open]').waitFor();
      await tab.fill('#token', 'wrong');
      await tab.press('#token', 'Enter');
      await tab.locator('#token-error', { hasText: 'That token was refused.' }).waitFor();
      await tab.fill('#token', 'browser-test-token');
      await tab.press('#token', 'Enter');
      await expect.poll(() => tab.textContent('#connection')).toBe('live');
      await tab.fill('#command', '/deploy help');
      await tab.press('#command', 'Enter');
      await tab.locator('#messages .ephemeral', { hasText: '/deploy <ref> [to <env>]' }).waitFor();
    } finally {
      await context.close();
      await guarded.close();
      await rm(guardedDir, { recursive: true, force: true });
    }
  });
});
