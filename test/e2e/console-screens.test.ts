import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshotFolder } from '../support/chromium.js';
import { shopConsoleConfig, startConsoleApp, type ConsoleApp } from '../support/console-app.js';
import { until } from '../support/until.js';

/**
 * The console on three screens: a desktop (1400 px), half a laptop (900 px) and a phone (420 px),
 * in Debian's Chromium, with the app of shopConsoleConfig: staging deploys to a local folder with
 * no restart, so nothing listens on a fixed port; production needs an approval.
 */
const SCREENS = { desktop: { width: 1400, height: 900 }, half: { width: 900, height: 800 }, phone: { width: 420, height: 860 } } as const;

let dir: string;
let screenshots: string;
let igor: ConsoleApp;
let browser: Browser;
const pages: Page[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'igor-console-screens-'));
  screenshots = await screenshotFolder('console-screens');
  igor = await startConsoleApp({ configYaml: await shopConsoleConfig(dir), dataDir: join(dir, 'data') });
  browser = await launchChromium();
});

afterEach(async () => {
  await Promise.all(pages.splice(0).map((page) => page.close()));
});

afterAll(async () => {
  await browser?.close();
  await igor?.close();
  await rm(dir, { recursive: true, force: true });
});

/** A console page at `screen`'s size, live on its event stream. */
async function consoleOn(screen: keyof typeof SCREENS, path = '/'): Promise<Page> {
  const page = await browser.newPage({ viewport: SCREENS[screen] });
  pages.push(page);
  // No time limits of Playwright's own: a wait ends when the page shows it, or at vitest's test timeout.
  page.setDefaultTimeout(0);
  await page.goto(`${igor.url}${path}`);
  // Attached, not visible: on a phone the sidebar that says it is a closed drawer.
  if (path === '/') await page.locator('#connection', { hasText: /^live$/ }).waitFor({ state: 'attached' });
  return page;
}

async function type(page: Page, command: string): Promise<void> {
  await page.fill('#command', command);
  await page.press('#command', 'Enter');
}

const roots = (page: Page, text: string | RegExp) => page.locator('#messages article.message:not(.ephemeral)', { hasText: text });
const shot = (page: Page, name: string, fullPage = false) => page.screenshot({ path: join(screenshots, `${name}.png`), fullPage });

async function box(locator: Locator) {
  const found = await locator.boundingBox();
  if (!found) throw new Error('expected the element to be shown');
  return found;
}

/** Whether two boxes share any area. */
function overlap(a: { x: number; y: number; width: number; height: number }, b: typeof a): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/** Each emoji image of `scope`: its alt text and whether it loaded (a picture, not a broken image). */
function emojiImages(scope: Locator) {
  return scope.locator('img.emoji').evaluateAll((images) => images.map((image) => ({ alt: image.getAttribute('alt'), loaded: (image as unknown as { complete: boolean; naturalWidth: number }).complete && (image as unknown as { naturalWidth: number }).naturalWidth > 0 })));
}

/** `/deploy <text>` as Alice through the control API (loopback, local mode); the new deployment's id. */
async function command(text: string): Promise<string> {
  const response = await fetch(`${igor.url}/api/commands`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ command: '/deploy', text, user: 'U0ALICE' }) });
  const answer = JSON.stringify(await response.json());
  const id = /Deployment (\d+)/.exec(answer)?.[1];
  if (!response.ok || !id) throw new Error(`/deploy ${text} started nothing: ${response.status} ${answer}`);
  return id;
}

/** Deploys main to staging from the console of `page` and waits for its root message to say succeeded. */
async function deployToStaging(page: Page): Promise<Locator> {
  const started = page.locator('#messages .ephemeral', { hasText: 'started: follow it in' });
  const before = await started.count();
  await type(page, '/deploy main to staging');
  const id = await until('the deploy to start', async () => ((await started.count()) > before ? /Deployment (\d+)/.exec(await started.last().innerText())?.[1] : undefined));
  const root = roots(page, new RegExp(`deployment ${id} ·`));
  await root.filter({ hasText: 'succeeded' }).waitFor();
  return root;
}

/** The width of the page's content: wider than the screen means a sideways scroll. */
const contentWidth = (page: Page) => page.locator('html').evaluate((html) => html.scrollWidth);

describe('the console on any screen', () => {
  it('at 1400 px shows the sidebar, the channel and a thread side by side, with emoji as images that loaded', async () => {
    const page = await consoleOn('desktop');
    const root = await deployToStaging(page);
    await root.locator('button.replies').click();
    await page.locator('#thread', { hasText: 'is live on 1 host(s) of staging' }).waitFor();

    const [sidebar, channel, thread] = await Promise.all([box(page.locator('.sidebar')), box(page.locator('.channel')), box(page.locator('#thread'))]);
    expect(sidebar.x + sidebar.width).toBeLessThanOrEqual(channel.x + 1);
    expect(channel.x + channel.width).toBeLessThanOrEqual(thread.x + 1);
    expect(overlap(await box(page.locator('#composer')), thread)).toBe(false);

    // The root (:rocket:) and the thread's replies (:white_check_mark:): pictures, not names.
    const images = [...(await emojiImages(page.locator('#messages'))), ...(await emojiImages(page.locator('#thread')))];
    expect(images.map((image) => image.alt)).toEqual(expect.arrayContaining([':rocket:', ':white_check_mark:']));
    expect(images.filter((image) => !image.loaded)).toEqual([]);
    expect(await page.locator('#messages').innerText()).not.toMatch(/:(rocket|white_check_mark):/);
    await shot(page, '1400-thread-open');
  });

  it('at 900 px keeps the thread beside the composer, not over it, and takes a command while the thread is open', async () => {
    const page = await consoleOn('half');
    const root = await deployToStaging(page);
    await root.locator('button.replies').click();
    await page.locator('#thread', { hasText: 'is live on 1 host(s) of staging' }).waitFor();

    const [composer, input, send, thread] = await Promise.all([box(page.locator('#composer')), box(page.locator('#command')), box(page.locator('#composer button[type="submit"]')), box(page.locator('#thread'))]);
    expect(overlap(composer, thread)).toBe(false);
    expect(input.width).toBeGreaterThan(150);
    expect(send.x + send.width).toBeLessThanOrEqual(thread.x);

    await type(page, '/deploy help');
    await page.locator('#messages .ephemeral', { hasText: '/deploy <ref> [to <env>]' }).waitFor();
    expect(await page.locator('#thread').isVisible()).toBe(true);
    await shot(page, '900-command-with-thread-open');
  });

  it('at 420 px takes a deploy, opens its thread over the whole screen and back, and reaches the act-as switch', async () => {
    const page = await consoleOn('phone');
    // Nothing runs off the side of a phone's screen.
    expect(await contentWidth(page)).toBeLessThanOrEqual(SCREENS.phone.width);
    const composer = await box(page.locator('#composer'));
    expect(composer.x + composer.width).toBeLessThanOrEqual(SCREENS.phone.width);
    expect(await page.locator('.sidebar').isVisible()).toBe(false);

    const root = await deployToStaging(page);
    expect((await box(root)).width).toBeLessThanOrEqual(SCREENS.phone.width);
    await shot(page, '420-channel');

    await root.locator('button.replies').click();
    await page.locator('#thread', { hasText: 'is live on 1 host(s) of staging' }).waitFor();
    const thread = await box(page.locator('#thread'));
    expect(thread).toEqual({ x: 0, y: 0, width: SCREENS.phone.width, height: SCREENS.phone.height });
    await shot(page, '420-thread');
    await page.click('#back-from-thread');
    await page.locator('#thread').waitFor({ state: 'hidden' });
    expect(await page.locator('#command').isVisible()).toBe(true);

    // The menu button opens the sidebar: channels, the list of deployments, and act as.
    await page.click('#open-sidebar');
    await page.locator('#act-as').waitFor({ state: 'visible' });
    await page.selectOption('#act-as', 'U0BOB');
    await page.locator('#roles', { hasText: 'approves production' }).waitFor();
    expect(await page.locator('#channels a', { hasText: 'deploys' }).isVisible()).toBe(true);
    await shot(page, '420-menu');
    await page.click('#close-sidebar');
    await page.locator('#act-as').waitFor({ state: 'hidden' });
    expect(await page.textContent('#hint')).toContain('Acting as Bob');
  });

  it('has a favicon, on the pages and at /favicon.ico', async () => {
    const page = await consoleOn('desktop');
    const href = await page.locator('link[rel="icon"]').getAttribute('href');
    const icon = await fetch(`${igor.url}${href}`);
    expect([icon.status, icon.headers.get('content-type')]).toEqual([200, 'image/svg+xml']);
    expect(await icon.text()).toMatch(/^<svg /);
    const legacy = await fetch(`${igor.url}/favicon.ico`);
    expect([legacy.status, legacy.url]).toEqual([200, `${igor.url}${href}`]);
  });

  it('lists the deployments newest first with the app, environment, ref, state, who and when, follows new ones live, filters them, and links each to its page', async () => {
    const staging = await command('main to staging');
    await until('the deploy to staging to succeed', async () => (igor.pipeline.get(staging)?.state === 'succeeded' ? true : undefined));
    const list = await consoleOn('desktop', '/console/deployments');
    const rows = list.locator('#deployments tbody tr');
    await list.locator(`#deployments tbody tr[data-id="${staging}"]`).waitFor();
    const newest = igor.pipeline.get(staging)!;
    expect(await rows.first().getAttribute('data-id')).toBe(staging);
    const cells = await rows.first().locator('td').allInnerTexts();
    expect(cells.slice(0, 6)).toEqual([`deploy ${newest.id}`, 'shop', 'staging', `main ${newest.sha!.slice(0, 7)}`, 'succeeded', 'Alice']);
    expect(newest.requestedBy).toBe('U0ALICE');
    // When, in the browser's local time: not an ISO timestamp.
    expect(cells[6]).not.toMatch(/\d{4}-\d\d-\d\dT/);
    expect(new Date(cells[6]!).getMinutes()).toBe(new Date(newest.createdAt).getMinutes());
    expect(await rows.first().locator('time').getAttribute('datetime')).toBe(newest.createdAt);

    // A deployment started elsewhere shows up without a reload, at the top.
    const production = await command('main to production');
    await list.locator(`#deployments tbody tr:first-child[data-id="${production}"]`, { hasText: 'awaiting-approval' }).waitFor();
    expect(await rows.first().locator('td').nth(2).innerText()).toBe('production');
    await shot(list, '1400-deployments', true);

    await list.selectOption('#environment', 'staging');
    await list.waitForURL(`${igor.url}/console/deployments?environment=staging`);
    await until('the list to show staging only', async () => ((await rows.locator('td:nth-child(3)').allInnerTexts()).every((environment) => environment === 'staging') ? true : undefined));
    expect(await rows.first().getAttribute('data-id')).toBe(staging);

    await rows.first().locator('a').click();
    await list.waitForURL(`${igor.url}/console/deployments/${staging}`);
    await list.locator('#title', { hasText: 'succeeded' }).waitFor();

    // The same list on a phone: every column reachable, the page no wider than the screen.
    const phone = await consoleOn('phone', '/console/deployments?environment=production');
    await phone.locator('#deployments tbody tr', { hasText: 'awaiting-approval' }).waitFor();
    expect(await phone.locator('#deployments tbody tr').count()).toBe(1);
    expect(await contentWidth(phone)).toBeLessThanOrEqual(SCREENS.phone.width);
    await shot(phone, '420-deployments', true);
  });
});
