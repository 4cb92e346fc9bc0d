import { Cron } from 'croner';
import type { FreezeWindowConfig } from '../config/freeze-schema.js';

/** One occurrence of a freeze window: deploys wait from `start` until `end`. */
export interface Freeze {
  start: Date;
  end: Date;
  reason: string | null;
}

/** How many windows that overlap or touch are followed at most to find where a freeze ends. */
const CHAIN_LIMIT = 1_000;

/** The occurrence of `window` that covers `at` (start ≤ at < end), if one does. */
function occurrenceAt(window: FreezeWindowConfig, at: Date): Freeze | null {
  const reason = window.reason ?? null;
  if (!('cron' in window)) {
    const start = new Date(window.from);
    const end = new Date(window.to);
    return start <= at && at < end ? { start, end, reason } : null;
  }
  // The occurrences that cover `at` started within (at - duration, at]: the latest of them ends last.
  const cron = schedule(window);
  let fire = cron.nextRun(new Date(at.getTime() - window.duration));
  let latest: Date | null = null;
  while (fire && fire <= at) {
    latest = fire;
    fire = cron.nextRun(fire);
  }
  cron.stop();
  return latest ? { start: latest, end: new Date(latest.getTime() + window.duration), reason } : null;
}

/** The first occurrence of `window` that starts after `after`. */
function occurrenceAfter(window: FreezeWindowConfig, after: Date): Freeze | null {
  const reason = window.reason ?? null;
  if (!('cron' in window)) {
    const start = new Date(window.from);
    return start > after ? { start, end: new Date(window.to), reason } : null;
  }
  const cron = schedule(window);
  const start = cron.nextRun(after);
  cron.stop();
  return start ? { start, end: new Date(start.getTime() + window.duration), reason } : null;
}

function schedule(window: Extract<FreezeWindowConfig, { cron: string }>): Cron {
  return new Cron(window.cron, { paused: true, ...(window.timezone ? { timezone: window.timezone } : {}) });
}

/**
 * The freeze in force at `now`, if any: from the earliest start among the windows covering `now`
 * to where the chain of windows that overlap or touch them ends (a holiday freeze that runs into a
 * weekend freeze ends when the weekend does). Its reason is the reason of the window that started first.
 * @example activeFreeze([{ from: '2026-12-22T00:00:00Z', to: '2027-01-04T00:00:00Z', reason: 'holidays' }], new Date('2026-12-24T12:00:00Z'))
 * // { start: 2026-12-22T00:00:00Z, end: 2027-01-04T00:00:00Z, reason: 'holidays' }
 */
export function activeFreeze(windows: readonly FreezeWindowConfig[], now: Date): Freeze | null {
  const covering = windows.map((window) => occurrenceAt(window, now)).filter((freeze): freeze is Freeze => freeze !== null);
  if (covering.length === 0) return null;
  const first = covering.reduce((a, b) => (b.start < a.start ? b : a));
  let end = new Date(Math.max(...covering.map((freeze) => freeze.end.getTime())));
  for (let step = 0; step < CHAIN_LIMIT; step++) {
    const later = windows.map((window) => occurrenceAt(window, end)).filter((freeze): freeze is Freeze => freeze !== null);
    if (later.length === 0) break;
    end = new Date(Math.max(...later.map((freeze) => freeze.end.getTime())));
  }
  return { start: first.start, end, reason: first.reason };
}

/** The next freeze that starts after `now` (with where its chain ends), if any. */
export function nextFreeze(windows: readonly FreezeWindowConfig[], now: Date): Freeze | null {
  const upcoming = windows.map((window) => occurrenceAfter(window, now)).filter((freeze): freeze is Freeze => freeze !== null);
  if (upcoming.length === 0) return null;
  const first = upcoming.reduce((a, b) => (b.start < a.start ? b : a));
  return activeFreeze(windows, first.start) ?? first;
}
