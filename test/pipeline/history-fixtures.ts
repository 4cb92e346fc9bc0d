// Deployments as the store keeps them, in plain data, for the pure questions about them.
import type { Deployment, HostRecord } from '../../src/pipeline/types.js';

export const R1 = '20261201T100000Z-1111111';
export const R2 = '20261202T100000Z-2222222';
export const R3 = '20261203T100000Z-3333333';

const sha = (release: string) => release.slice(-7).repeat(6).slice(0, 40);

/** A deployment of `release` to staging that ended `state`, with these host records. */
export function deployment(id: string, release: string, state: Deployment['state'], hosts: HostRecord[], extra: Partial<Deployment> = {}): Deployment {
  const at = `2026-12-0${id}T10:00:00.000Z`;
  return {
    id, kind: 'deploy', app: 'shop', ref: 'main', sha: sha(release), release, environment: 'staging', state, reason: null,
    requestedBy: 'U0ALICE', approvedBy: 'policy', rejectedBy: null, approval: null, audit: [], retryOf: null,
    createdAt: at, updatedAt: at, finishedAt: at, steps: [], hosts, thread: null, ...extra,
  };
}

/** A host this deployment put on its release. */
export function done(host: string, release: string, previousRelease: string | null): HostRecord {
  return { host, state: 'succeeded', release, previousRelease, error: null, phase: null, switched: true };
}

/** A host this deployment never reached. */
export function untouched(host: string): HostRecord {
  return { host, state: 'untouched', release: null, previousRelease: null, error: null, phase: null, switched: false };
}

/** Every host of a four-host fleet on `release`, by one succeeded deployment. */
export function everywhere(id: string, release: string, previous: string | null): Deployment {
  return deployment(id, release, 'succeeded', ['web-1', 'web-2', 'web-3', 'web-4'].map((host) => done(host, release, previous)));
}
