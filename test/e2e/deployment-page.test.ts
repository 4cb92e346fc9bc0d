import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.js';
import { API_TOKEN, startHarness, type Harness } from '../support/igor-harness.js';
import { slackDriver } from './slack-driver.js';

let browser: Browser;
let harness: Harness | undefined;
beforeAll(async () => {
  browser = await launchChromium();
});
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});
afterAll(async () => {
  await browser?.close();
});

describe('the deployment page with Slack', () => {
  it('opens from the details link of the Slack message once the API token is given, and follows the deployment live', async () => {
    const h = (harness = await startHarness({ staging: { approval: { mode: 'required', approvers: ['U0BOB'] } } }));
    const slack = slackDriver(h);
    expect(await (await slack.slash('main', 'U0ALICE')).answer()).toContain('Deployment 1');
    await slack.approvalRequest('1');
    const root = slack.root('1')!;
    // The link as Slack shows it, pointed at this test's port (publicUrl is http://localhost:PORT).
    const details = /<([^|>]+)\|details>/.exec(JSON.stringify(root.blocks))![1]!.replace('http://localhost:', 'http://127.0.0.1:');

    const context = await browser.newContext();
    context.setDefaultTimeout(0);
    try {
      const page = await context.newPage();
      await page.goto(details);
      await page.locator('#token-dialog[open]').waitFor();
      await page.fill('#token', API_TOKEN);
      await page.press('#token', 'Enter');
      await page.locator('#title', { hasText: 'awaiting-approval' }).waitFor();
      // The wait is drawn while it lasts.
      await page.locator('#pipeline .row', { hasText: 'approval wait' }).locator('.bar.phase-approval').waitFor();
      // No console to go back to with Slack; the list of deployments is there.
      expect(await page.locator('#to-console').isHidden()).toBe(true);
      expect(await page.locator('.crumbs a[href="/console/deployments"]').isVisible()).toBe(true);

      // Approved in Slack: the open page follows over its event stream, without a reload.
      const request = await slack.approvalRequest('1');
      expect((await slack.press(request, 'Approve', 'U0BOB')).status).toBe(200);
      await page.locator('#title', { hasText: 'succeeded' }).waitFor();
      expect(await page.locator('#hosts-timeline .row').count()).toBe(2);
      // Then the wait for approval and the rollout are told apart.
      await page.locator('#facts', { hasText: 'Rolled out in' }).waitFor();
      expect(await page.locator('#facts').textContent()).toContain('Waited for approval');
      expect(await page.locator('#pipeline .row .label').allTextContents()).toEqual([expect.stringMatching(/^unit/), expect.stringMatching(/^approval wait \d/), 'deploy', 'verify']);
    } finally {
      await context.close();
    }
  }, 120_000);
});
