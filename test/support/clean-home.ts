import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * An empty HOME under `dir`, for igor's `processEnv.HOME` in tests. Integration steps and local
 * servers' commands run in a login shell, which reads `$HOME`'s dotfiles: this machine's root runs
 * `pyenv init` there, whose rehash takes a lock file that a shell killed mid start-up (a cancelled
 * step, a timed-out restart) leaves behind, and every later login shell then waits 60 s for it.
 * The tests are about igor, not about the machine's dotfiles.
 */
export async function cleanHome(dir: string): Promise<string> {
  const home = join(dir, 'home');
  await mkdir(home, { recursive: true });
  return home;
}
