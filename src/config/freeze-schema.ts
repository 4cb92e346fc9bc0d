import { Cron } from 'croner';
import { z } from 'zod';
import { parseDuration } from './duration.js';

/** Whether `zone` is an IANA time zone this Node knows (`Europe/Berlin`). */
function knownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Whether croner reads `pattern` (five or six fields, names and ranges as cron has them). */
function cronProblem(pattern: string, timezone: string | undefined): string | null {
  try {
    new Cron(pattern, { paused: true, ...(timezone ? { timezone } : {}) }).stop();
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

const reason = z.string().min(1, { error: 'must not be empty' }).optional();

/** An ISO-8601 moment with its offset (`2026-12-22T00:00:00Z`), kept as the string it was. */
const moment = z.iso.datetime({ offset: true, error: 'must be an ISO-8601 date and time with its offset, such as 2026-12-22T00:00:00Z' });

const duration = z
  .string({ error: 'must be a duration such as 30m, 2h or 62h' })
  .transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === undefined || ms <= 0) {
      ctx.addIssue({ code: 'custom', message: `must be a duration such as 30m, 2h or 62h, not "${text}"` });
      return z.NEVER;
    }
    return ms;
  })
  .meta({ title: 'duration' });

/** A window that repeats: from each time `cron` fires (in `timezone`, else UTC), for `duration`. */
const cronWindow = z
  .strictObject({
    cron: z.string().min(1, { error: 'must be a cron expression such as "0 18 * * 5"' }),
    duration,
    reason,
    timezone: z
      .string()
      .refine(knownTimeZone, { error: 'must be an IANA time zone such as Europe/Berlin or America/New_York' })
      .optional(),
  })
  .superRefine((window, ctx) => {
    if (window.timezone !== undefined && !knownTimeZone(window.timezone)) return;
    const problem = cronProblem(window.cron, window.timezone);
    if (problem) ctx.addIssue({ code: 'custom', path: ['cron'], message: `is not a cron expression croner reads (${problem})` });
  });

/** A window once: from `from` to `to`. */
const absoluteWindow = z
  .strictObject({ from: moment, to: moment, reason })
  .refine((window) => Date.parse(window.to) > Date.parse(window.from), { error: 'ends before it begins: to must be after from', path: ['to'] });

/** `environments.<env>.freeze`: when deploys to the environment wait (they are queued, not refused). */
export const freezeSchema = z.array(z.union([cronWindow, absoluteWindow], { error: 'each window is { cron, duration, reason?, timezone? } or { from, to, reason? }' }));

export type FreezeWindowConfig = z.output<typeof freezeSchema>[number];
