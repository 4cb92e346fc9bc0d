import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseHostLog, readHostTimeline } from '../../../src/chat/console/timeline.js';

const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, seconds)).toISOString();

describe('the host timeline', () => {
  it('turns each host line into a phase that lasts until the host’s next line, ending at done', () => {
    const log = [
      `${at(0)} web-1 connect`,
      `${at(0)} web-2 connect`,
      `${at(1)} web-1 upload`,
      `${at(3)} web-1 unpack`,
      `${at(4)} web-1 switch`,
      `${at(5)} web-1 restart`,
      `${at(7)} web-1 health`,
      `${at(9)} web-1 done`,
      `${at(2)} web-2 upload`,
    ].join('\n');
    const [first, second] = parseHostLog(`${log}\n`);
    expect(first).toEqual({
      host: 'web-1',
      outcome: 'done',
      segments: [
        { phase: 'connect', start: at(0), end: at(1) },
        { phase: 'upload', start: at(1), end: at(3) },
        { phase: 'unpack', start: at(3), end: at(4) },
        { phase: 'switch', start: at(4), end: at(5) },
        { phase: 'restart', start: at(5), end: at(7) },
        { phase: 'health', start: at(7), end: at(9) },
      ],
    });
    expect(second).toEqual({ host: 'web-2', outcome: null, segments: [{ phase: 'connect', start: at(0), end: at(2) }, { phase: 'upload', start: at(2), end: null }] });
  });

  it('orders lines by time, since phases are appended as they start and may land out of order', () => {
    const [host] = parseHostLog(`${at(2)} web-1 unpack\n${at(1)} web-1 upload\n${at(3)} web-1 done\n`);
    expect(host!.segments.map((segment) => segment.phase)).toEqual(['upload', 'unpack']);
  });

  it('shows a failure, and a rollback after it, and reads a rollback deployment’s switch', () => {
    const [host] = parseHostLog(`${at(0)} web-1 upload\n${at(1)} web-1 failed: health check failed: HTTP 500\n${at(2)} web-1 rolling back to R1\n${at(4)} web-1 rolled back to R1\n`);
    expect(host).toEqual({
      host: 'web-1',
      outcome: 'rolled back to R1',
      segments: [
        { phase: 'upload', start: at(0), end: at(1) },
        { phase: 'rollback', start: at(2), end: at(4) },
      ],
    });
    expect(parseHostLog(`${at(0)} web-1 switching to R1\n${at(1)} web-1 done\n`)[0]!.segments).toEqual([{ phase: 'switch', start: at(0), end: at(1) }]);
  });

  it('skips lines that are not host lines, and reads a missing log as no timeline', async () => {
    expect(parseHostLog('garbage\n\nnot-a-time web-1 upload\n')).toEqual([]);
    const dir = await mkdtemp(join(tmpdir(), 'igor-timeline-'));
    try {
      expect(await readHostTimeline(join(dir, 'deploy.log'))).toEqual([]);
      await writeFile(join(dir, 'deploy.log'), `${at(0)} web-1 upload\n`);
      expect(await readHostTimeline(join(dir, 'deploy.log'))).toHaveLength(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
