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

/**
 * One window: `{ cron, duration, timezone?, reason? }` repeats from each time `cron` fires (in
 * `timezone`, else UTC) for `duration`; `{ from, to, reason? }` happens once. One mapping with
 * every key optional rather than a union, so a mistake is named by its key (a union only says
 * that neither form matched).
 */
const freezeWindow = z
  .strictObject({
    cron: z.string().min(1, { error: 'must be a cron expression such as "0 18 * * 5"' }).optional(),
    duration: duration.optional(),
    timezone: z.string().refine(knownTimeZone, { error: 'must be an IANA time zone such as Europe/Berlin or America/New_York' }).optional(),
    from: moment.optional(),
    to: moment.optional(),
    reason,
  })
  .superRefine((window, ctx) => {
    const problem = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (window.cron !== undefined) {
      if (window.from !== undefined || window.to !== undefined) problem(window.from !== undefined ? 'from' : 'to', 'belongs to a window of from and to, not to one of cron');
      if (window.duration === undefined) problem('duration', 'is required with cron: how long each window lasts, such as 62h');
      if (window.timezone !== undefined && !knownTimeZone(window.timezone)) return;
      const wrong = cronProblem(window.cron, window.timezone);
      if (wrong) problem('cron', `is not a cron expression croner reads (${wrong})`);
      return;
    }
    if (window.from === undefined && window.to === undefined) return problem('cron', 'or from and to: a window needs one or the other');
    if (window.duration !== undefined) problem('duration', 'belongs to a window of cron; a window of from and to ends at to');
    if (window.timezone !== undefined) problem('timezone', 'belongs to a window of cron; from and to carry their own offset');
    if (window.from === undefined) return problem('from', 'is required with to');
    if (window.to === undefined) return problem('to', 'is required when from is set');
    if (Date.parse(window.to) <= Date.parse(window.from)) problem('to', 'ends before it begins: from must come before to');
  })
  .transform((window): FreezeWindowConfig =>
    window.cron !== undefined
      ? { cron: window.cron, duration: window.duration!, reason: window.reason, timezone: window.timezone }
      : { from: window.from!, to: window.to!, reason: window.reason },
  );

/** A window as igor uses it, once read. */
export type FreezeWindowConfig =
  | { cron: string; duration: number; reason?: string | undefined; timezone?: string | undefined }
  | { from: string; to: string; reason?: string | undefined };

/** `environments.<env>.freeze`: when deploys to the environment wait (they are queued, not refused). */
export const freezeSchema = z.array(freezeWindow);
