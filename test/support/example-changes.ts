// Changes the end-to-end tests make to the example app's repository, and what they read back from
// the hosts: one copy for every test file.
import { readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { writeFiles } from '../../src/example/repository.js';

/** A version of the example app whose health check fails on the host named by FAIL_HOST. */
export const FAILS_ON_ONE_HOST = `const http = require('node:http');
const fs = require('node:fs');
const revision = fs.readFileSync(__dirname + '/REVISION', 'utf8').trim();
const host = process.env.HOST;
http.createServer((request, response) => {
  const sick = host === process.env.FAIL_HOST;
  response.writeHead(sick ? 500 : 200, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ status: sick ? 'sick' : 'ok', revision }));
}).listen(Number(process.env.PORT), host);
`;

/** Writes `files` into the repository at `repo` and commits them; the new commit's sha. */
export async function commitFiles(repo: string, files: Record<string, string>, message: string): Promise<string> {
  await writeFiles(repo, files);
  const git = simpleGit(repo);
  await git.add('.');
  await git.commit(message);
  return (await git.revparse(['HEAD'])).trim();
}

/** The commit live on a host: the REVISION of the release its `current` points at. */
export async function liveRevision(hostPath: string): Promise<string> {
  return (await readFile(join(await readlink(join(hostPath, 'current')), 'REVISION'), 'utf8')).trim();
}
