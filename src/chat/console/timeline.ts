import { readFile } from 'node:fs/promises';

/** One stretch of a host's work: from the line that started it to the next line for that host. */
export interface TimelineSegment {
  /** `connect`, `upload`, `unpack`, `steps`, `switch`, `restart`, `health`, `prune`, `rollback`. */
  phase: string;
  start: string;
  /** Null while it runs. */
  end: string | null;
}

export interface HostTimeline {
  host: string;
  segments: TimelineSegment[];
  /** How the host's work ended (`done`, `failed: …`, `rolled back to …`), or null while it runs. */
  outcome: string | null;
}

/** Lines that end a host's work rather than start a phase. */
const ENDINGS = [/^done$/, /^failed: /, /^rolled back to /, /^rollback impossible/, /^rollback failed/];

/**
 * The per-host timeline of a deployment from its host log (`deploy.log`, `rollback.log`: lines
 * `ISO-time host what`, written by the pipeline's progress). Lines are sorted by time per host,
 * since phases are appended as they start and two may land out of order.
 * @example parseHostLog('2026-01-01T00:00:00.000Z web-1 upload\n2026-01-01T00:00:02.000Z web-1 done\n')
 * // [{ host: 'web-1', segments: [{ phase: 'upload', start: '…00.000Z', end: '…02.000Z' }], outcome: 'done' }]
 */
export function parseHostLog(text: string): HostTimeline[] {
  const byHost = new Map<string, Array<{ at: string; what: string }>>();
  for (const line of text.split('\n')) {
    const match = /^(\d{4}-\d\d-\d\dT\S+Z) (\S+) (.+)$/.exec(line.trim());
    if (!match || Number.isNaN(Date.parse(match[1]!))) continue;
    const [, at, host, what] = match as unknown as [string, string, string, string];
    if (!byHost.has(host)) byHost.set(host, []);
    byHost.get(host)!.push({ at, what });
  }
  return [...byHost].map(([host, lines]) => {
    lines.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    const segments: TimelineSegment[] = [];
    let outcome: string | null = null;
    for (const { at, what } of lines) {
      const open = segments.at(-1);
      if (open && open.end === null) open.end = at;
      if (ENDINGS.some((ending) => ending.test(what))) {
        outcome = what;
        continue;
      }
      outcome = null;
      segments.push({ phase: phaseOf(what), start: at, end: null });
    }
    return { host, segments, outcome };
  });
}

/** `switching to R` (a rollback deployment) is a switch; `rolling back to R` is a rollback. */
function phaseOf(what: string): string {
  if (what.startsWith('switching to ')) return 'switch';
  if (what.startsWith('rolling back to ')) return 'rollback';
  return what.split(' ')[0]!;
}

/** Reads a host log; a missing file is an empty timeline. */
export async function readHostTimeline(path: string): Promise<HostTimeline[]> {
  try {
    return parseHostLog(await readFile(path, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}
