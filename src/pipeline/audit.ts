import type { AuditEntry } from './types.js';

/** How many refused presses one deployment's audit keeps (done ones are always kept). */
export const REFUSALS_KEPT = 50;

/**
 * Adds an entry to a deployment's audit. A refusal that repeats the last refusal of the same
 * person for the same action and reason is counted on that entry instead of added; past
 * {@link REFUSALS_KEPT} refusals, the oldest go. So a press repeated a thousand times is one entry.
 */
export function recordAudit(audit: AuditEntry[], entry: AuditEntry): void {
  if (entry.outcome === 'refused') {
    const last = audit.findLast((old) => old.outcome === 'refused' && old.action === entry.action && old.user === entry.user);
    if (last && last.detail === entry.detail && last.via === entry.via && last.token === entry.token) {
      last.count = (last.count ?? 1) + 1;
      last.lastAt = entry.at;
      return;
    }
  }
  audit.push(entry);
  let refusals = audit.filter((old) => old.outcome === 'refused').length;
  for (let index = 0; refusals > REFUSALS_KEPT && index < audit.length; ) {
    if (audit[index]!.outcome === 'refused') {
      audit.splice(index, 1);
      refusals--;
    } else index++;
  }
}
