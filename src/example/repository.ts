import { mkdir, writeFile, chmod } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { simpleGit } from 'simple-git';
import { exampleAppFiles } from './app-files.js';

/** Creates a git repository at `dir` holding `files` (the example app's by default) on branch `main`; returns the commit's sha. */
export async function createExampleRepository(dir: string, files: Record<string, string> = exampleAppFiles()): Promise<string> {
  await mkdir(dir, { recursive: true });
  const git = simpleGit(dir);
  await git.init(['--initial-branch=main', '--quiet']);
  await git.addConfig('user.name', 'igor example');
  await git.addConfig('user.email', 'igor@example.invalid');
  await writeFiles(dir, files);
  await git.add('.');
  await git.commit('Example app');
  return (await git.revparse(['HEAD'])).trim();
}

export async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    const path = join(dir, name);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
    if (name.endsWith('.sh')) await chmod(path, 0o755);
  }
}
