// System packages the end-to-end tests need. CI runs as root and gets them installed; a developer
// machine without them stops at once with the one line to run. Tests that need them are never skipped.
import { constants } from 'node:fs';
import { access, chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';

export interface SystemDep {
  /** Absolute path, or a command name looked up on PATH (plus the sbin folders). */
  binary: string;
  /** Debian 12 package that provides it. */
  aptPackage: string;
}

// One entry per binary.
export const SYSTEM_DEPS: readonly SystemDep[] = [
  { binary: '/usr/sbin/sshd', aptPackage: 'openssh-server' },
  // openssh-server depends on openssh-client, so one package line covers both.
  { binary: 'ssh-keygen', aptPackage: 'openssh-server' },
  { binary: 'prometheus-alertmanager', aptPackage: 'prometheus-alertmanager' },
  // The canary analysis tests scrape the example app with a real Prometheus.
  { binary: 'prometheus', aptPackage: 'prometheus' },
  // The console's browser test drives Debian's Chromium with playwright-core (no browser download).
  { binary: 'chromium', aptPackage: 'chromium' },
  // The fake Azure Resource Manager serves https with a certificate openssl makes at test time.
  { binary: 'openssl', aptPackage: 'openssl' },
  // deploy/igor.service is checked with `systemd-analyze verify` (no running systemd needed).
  { binary: 'systemd-analyze', aptPackage: 'systemd' },
];

/**
 * While apt installs, package scripts must not start services (Alertmanager's would listen on
 * *:9093, Prometheus' on *:9090): Debian's policy-rc.d convention, exit 101 = "not allowed".
 */
const POLICY_RC_D = '/usr/sbin/policy-rc.d';

/** Folders that must exist when running as root (sshd's privilege separation folder). */
const ROOT_RUNTIME_DIRS = ['/run/sshd'];

const EXTRA_BIN_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export async function findBinary(binary: string): Promise<string | undefined> {
  if (path.isAbsolute(binary)) return (await isExecutable(binary)) ? binary : undefined;
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), ...EXTRA_BIN_DIRS];
  for (const dir of dirs) {
    const candidate = path.join(dir, binary);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

async function missingDeps(deps: readonly SystemDep[]): Promise<SystemDep[]> {
  const found = await Promise.all(deps.map((dep) => findBinary(dep.binary)));
  return deps.filter((_, i) => found[i] === undefined);
}

export async function ensureSystemDeps(deps: readonly SystemDep[] = SYSTEM_DEPS): Promise<void> {
  const isRoot = process.getuid?.() === 0;
  let missing = await missingDeps(deps);
  if (missing.length > 0) {
    const packages = [...new Set(missing.map((dep) => dep.aptPackage))];
    const binaries = missing.map((dep) => dep.binary).join(', ');
    if (!isRoot) {
      throw new Error(
        `The tests need ${binaries}, which is not installed. Run:\n\n  sudo apt-get install -y ${packages.join(' ')}\n`,
      );
    }
    console.error(`[test setup] ${binaries} missing: apt-get install -y ${packages.join(' ')}`);
    const env = { DEBIAN_FRONTEND: 'noninteractive' };
    await execa('apt-get', ['update'], { env, stdout: 'inherit', stderr: 'inherit' });
    const hadPolicy = await isExecutable(POLICY_RC_D);
    if (!hadPolicy) await writeFile(POLICY_RC_D, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
    try {
      await execa('apt-get', ['install', '-y', ...packages], { env, stdout: 'inherit', stderr: 'inherit' });
    } finally {
      if (!hadPolicy) await rm(POLICY_RC_D, { force: true });
    }
    missing = await missingDeps(deps);
    if (missing.length > 0) {
      throw new Error(`apt-get install -y ${packages.join(' ')} ran, but ${missing.map((d) => d.binary).join(', ')} is still missing`);
    }
  }
  if (isRoot) {
    for (const dir of ROOT_RUNTIME_DIRS) {
      await mkdir(dir, { recursive: true });
      await chmod(dir, 0o755); // like `mkdir -p -m0755`, whatever the umask
    }
  }
}
