import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { openStore, type HistoryOptions } from '../../src/store/db.js';

/** A store of no feature in particular: a list of jobs that finish, and some small state. */
interface Job {
  id: string;
  done: boolean;
  changedAt: string;
  notes: string[];
}
interface Data {
  counter: number;
  jobs: Job[];
}
const empty = (): Data => ({ counter: 0, jobs: [] });
const history: HistoryOptions<Data, 'jobs'> = {
  collection: 'jobs',
  id: (job) => job.id,
  finished: (job) => job.done,
  revision: (job) => job.changedAt,
  order: (a, b) => Number(a.id) - Number(b.id),
};

let dir: string;
let lines: Array<Record<string, unknown>>;
const log = () => createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) } });
const dbPath = () => join(dir, 'db.json');
const jobsDir = () => join(dir, 'history', 'jobs');
const open = () => openStore(dbPath(), log(), empty, { history });
const readJson = async <T>(path: string) => JSON.parse(await readFile(path, 'utf8')) as T;
const job = (id: number, done: boolean, notes: string[] = []): Job => ({ id: String(id), done, changedAt: `2026-12-01T10:00:${String(id % 60).padStart(2, '0')}.000Z`, notes });

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'igor-history-'));
  lines = [];
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a store with a history', () => {
  it('keeps each finished item in a file of its own and only the unfinished ones in db.json; opened again, it has them all in order', async () => {
    const store = await open();
    store.data.jobs.push(job(1, true), job(2, false), job(3, true));
    store.data.counter = 3;
    await store.write();

    expect((await readdir(jobsDir())).sort()).toEqual(['1.json', '3.json']);
    expect(await readJson<Job>(join(jobsDir(), '1.json'))).toEqual(job(1, true));
    const main = await readJson<Data>(dbPath());
    expect(main.jobs.map((j) => j.id)).toEqual(['2']);
    expect(main.counter).toBe(3);

    const reopened = await open();
    expect(reopened.data.jobs).toEqual([job(1, true), job(2, false), job(3, true)]);
    expect(reopened.data.counter).toBe(3);
  });

  it('rewrites neither db.json with the history nor the files of finished items that did not change', async () => {
    const store = await open();
    for (let id = 1; id <= 400; id++) store.data.jobs.push(job(id, true, ['a note that takes some room '.repeat(40)]));
    store.data.jobs.push(job(401, false));
    await store.write();
    const before = await stat(join(jobsDir(), '7.json'));
    const mainSize = (await stat(dbPath())).size;

    store.data.jobs.at(-1)!.notes.push('progress');
    store.data.counter++;
    await store.write();

    expect((await stat(join(jobsDir(), '7.json'))).mtimeMs).toBe(before.mtimeMs);
    // db.json holds the one running job and the counter: a few hundred bytes, not 400 jobs.
    expect(mainSize).toBeLessThan(1_000);
    expect((await readJson<Data>(dbPath())).jobs.map((j) => j.id)).toEqual(['401']);
  });

  it('writes a finished item again when it changes, and opens with the change', async () => {
    const store = await open();
    store.data.jobs.push(job(1, true));
    await store.write();

    const finished = store.data.jobs[0]!;
    finished.notes.push('pressed Retry: refused');
    finished.changedAt = '2026-12-01T11:00:00.000Z';
    await store.write();

    expect((await readJson<Job>(join(jobsDir(), '1.json'))).notes).toEqual(['pressed Retry: refused']);
    expect((await open()).data.jobs[0]!.notes).toEqual(['pressed Retry: refused']);
  });

  it('writes a change made right after its file was written, in the same millisecond (the revision as it was)', async () => {
    const store = await open();
    store.data.jobs.push(job(1, true));
    await store.write();
    store.data.jobs[0]!.notes.push('message posted');
    await store.write();

    expect((await readJson<Job>(join(jobsDir(), '1.json'))).notes).toEqual(['message posted']);
  });

  it('removes the file of an item dropped from the list', async () => {
    const store = await open();
    store.data.jobs.push(job(1, true), job(2, true), job(3, false));
    await store.write();
    store.data.jobs = store.data.jobs.filter((j) => j.id !== '1');
    await store.write();

    expect(await readdir(jobsDir())).toEqual(['2.json']);
    expect((await open()).data.jobs.map((j) => j.id)).toEqual(['2', '3']);
  });

  it('moves the finished items of a db.json written before the history out of it on opening, and finds them all again at the next start', async () => {
    // One file with everything, as a store without a history writes it.
    const old: Data = { counter: 5, jobs: [job(1, true), job(2, true), job(3, false), job(4, true), job(5, false)] };
    await writeFile(dbPath(), JSON.stringify(old, null, 2));

    const first = await open();
    expect(first.data).toEqual(old);
    expect((await readdir(jobsDir())).sort()).toEqual(['1.json', '2.json', '4.json']);
    expect((await readJson<Data>(dbPath())).jobs.map((j) => j.id)).toEqual(['3', '5']);
    const moved = lines.find((line) => line.msg === 'moved finished records out of db.json into files of their own');
    expect(moved).toMatchObject({ moved: 3, to: jobsDir() });

    lines = [];
    const second = await open();
    expect(second.data).toEqual(old);
    expect(lines.filter((line) => line.msg === 'moved finished records out of db.json into files of their own')).toEqual([]);
  });

  it('opens an item left in both places by a crash between its file and db.json once, as its file has it', async () => {
    await mkdir(jobsDir(), { recursive: true });
    await writeFile(join(jobsDir(), '2.json'), JSON.stringify(job(2, true, ['finished'])));
    // Half of a write the crash cut short, in steno's temp file: never an item.
    await writeFile(join(jobsDir(), '.3.json.tmp'), '{"id": "3", "do');
    await writeFile(dbPath(), JSON.stringify({ counter: 2, jobs: [job(1, false), job(2, false)] }));

    const store = await open();
    expect(store.data.jobs).toEqual([job(1, false), job(2, true, ['finished'])]);
    expect((await readJson<Data>(dbPath())).jobs.map((j) => j.id)).toEqual(['1']);
  });

  it('keeps a finished item in db.json while its own file cannot be written, and moves it once it can', async () => {
    const store = await open();
    await mkdir(join(jobsDir(), '1.json'), { recursive: true });
    store.data.jobs.push(job(1, true));
    await store.write();

    expect((await readJson<Data>(dbPath())).jobs.map((j) => j.id)).toEqual(['1']);
    expect(lines.some((line) => line.level === 40 && line.id === '1')).toBe(true);

    await rm(join(jobsDir(), '1.json'), { recursive: true });
    await store.write();
    expect((await readJson<Data>(dbPath())).jobs).toEqual([]);
    expect(await readJson<Job>(join(jobsDir(), '1.json'))).toEqual(job(1, true));
  });

  it('prefers a finished copy in db.json to an older file of the same item', async () => {
    await mkdir(jobsDir(), { recursive: true });
    await writeFile(join(jobsDir(), '1.json'), JSON.stringify(job(1, true)));
    await writeFile(dbPath(), JSON.stringify({ counter: 1, jobs: [job(1, true, ['newer'])] }));

    const store = await open();
    expect(store.data.jobs).toEqual([job(1, true, ['newer'])]);
    expect((await readJson<Job>(join(jobsDir(), '1.json'))).notes).toEqual(['newer']);
  });

  it('moves a history file that is not JSON aside, logs where, and opens the rest', async () => {
    const store = await open();
    store.data.jobs.push(job(1, true), job(2, true));
    await store.write();
    await writeFile(join(jobsDir(), '1.json'), '{"id": "1", half');

    const reopened = await open();
    expect(reopened.data.jobs.map((j) => j.id)).toEqual(['2']);
    const aside = (await readdir(jobsDir())).filter((name) => name.startsWith('1.json.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(lines.find((line) => line.level === 50)).toMatchObject({ movedTo: join(jobsDir(), aside[0]!) });
  });

  it('names files so that no id leaves the folder', async () => {
    const store = await open();
    store.data.jobs.push({ ...job(1, true), id: '../../escaped' }, { ...job(2, true), id: '__proto__' });
    await store.write();

    expect((await readdir(dir)).sort()).toEqual(['db.json', 'history']);
    expect((await readdir(jobsDir())).sort()).toEqual(['..%2F..%2Fescaped.json', '__proto__.json']);
    expect((await open()).data.jobs.map((j) => j.id).sort()).toEqual(['../../escaped', '__proto__']);
  });
});
