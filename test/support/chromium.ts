import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium, as on the machines (see test/support/system-deps.ts); no browser download. */
const CHROMIUM = '/usr/bin/chromium';
/** Without the background-networking flags, Chromium keeps calling out and this closed network refuses it. */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Debian's Chromium under Playwright, headless. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/**
 * A folder for a test's screenshots under `test-results/` at the repository's root, which CI keeps
 * as artifacts (and git ignores); made if missing.
 */
export async function screenshotFolder(name: string): Promise<string> {
  const folder = join(fileURLToPath(new URL('../../test-results/', import.meta.url)), name);
  await mkdir(folder, { recursive: true });
  return folder;
}
