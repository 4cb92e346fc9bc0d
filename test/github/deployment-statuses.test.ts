import { describe, expect, it } from 'vitest';
import { githubStatusOf, newGithubDeployment, replacedStatus } from '../../src/github/deployments/statuses.js';
import { STATES } from '../../src/pipeline/states.js';
import type { Deployment } from '../../src/pipeline/types.js';
import { deployment, done, R1, R2, untouched } from '../pipeline/history-fixtures.js';

const URL = 'https://staging.shop.example.com';
const SHA = 'abcdef0123456789abcdef0123456789abcdef01';

/** Deployment 7 of `main` at SHA, in `state`, with `hosts`. */
function at(state: Deployment['state'], hosts = [done('web-1', R2, R1)], extra: Partial<Deployment> = {}): Deployment {
  return deployment('7', R2, state, hosts, { sha: SHA, ...extra });
}

describe("GitHub's status for each of igor's states", () => {
  it('says queued while the deployment waits or is tested, and queued again while it waits for approval', () => {
    expect(githubStatusOf(at('queued', []), URL)).toEqual({ state: 'queued', description: 'Queued: main (abcdef0) is tested before it goes out' });
    // The same status: no second call to GitHub when the tests start.
    expect(githubStatusOf(at('testing', []), URL)).toEqual(githubStatusOf(at('queued', []), URL));
    expect(githubStatusOf(at('awaiting-approval', []), URL)).toEqual({ state: 'queued', description: 'Waiting for approval to deploy main (abcdef0)' });
  });

  it('says where a promotion was tested instead of promising tests it does not run', () => {
    const promoted = at('queued', [], { promotedFrom: { environment: 'staging', deployment: '3', release: R2, liveSince: '2026-12-02T10:00:00.000Z' } });
    expect(githubStatusOf(promoted, URL)).toEqual({ state: 'queued', description: 'Queued: main (abcdef0), promoted from staging where it was tested' });
  });

  it('says in_progress, with one description, from the first host to the verification', () => {
    const statuses = (['deploying', 'baking', 'verifying'] as const).map((state) => githubStatusOf(at(state), URL));
    expect(statuses).toEqual(Array(3).fill({ state: 'in_progress', description: 'Deploying main (abcdef0) to staging' }));
  });

  it('says success with the environment URL, when there is one', () => {
    expect(githubStatusOf(at('succeeded', [done('web-1', R2, R1), done('web-2', R2, R1)]), URL)).toEqual({
      state: 'success',
      description: `${R2} is live on 2 host(s) of staging`,
      environment_url: URL,
    });
    expect(githubStatusOf(at('succeeded'), undefined)).not.toHaveProperty('environment_url');
  });

  it('says failure for a failed or rolled-back deployment, with its reason', () => {
    expect(githubStatusOf(at('failed', [], { reason: 'the unit step exited with code 1' }), URL)).toEqual({ state: 'failure', description: 'failed: the unit step exited with code 1' });
    expect(githubStatusOf(at('rolled-back', [{ ...done('web-1', R1, R1), state: 'rolled-back' }], { reason: 'rolled back automatically: web-1 failed its health check' }), URL)).toEqual({
      state: 'failure',
      description: 'rolled-back: rolled back automatically: web-1 failed its health check',
    });
  });

  it('says failure for a deployment cancelled or interrupted once the rollout touched a host', () => {
    const touched = [{ ...done('web-1', R1, R1), state: 'rolled-back' as const }, untouched('web-2')];
    expect(githubStatusOf(at('cancelled', touched, { reason: 'cancelled by U0BOB' }), URL)).toEqual({ state: 'failure', description: 'cancelled: cancelled by U0BOB' });
    expect(githubStatusOf(at('interrupted', touched, { reason: 'igor was stopped during the rollout' }), URL).state).toBe('failure');
  });

  it('says inactive for a deployment decided against before any host changed, and error for one igor stopped', () => {
    const none = [untouched('web-1'), { ...untouched('web-2'), state: 'pending' as const }];
    expect(githubStatusOf(at('cancelled', none, { reason: 'cancelled by U0ALICE' }), URL)).toEqual({ state: 'inactive', description: 'cancelled: cancelled by U0ALICE' });
    expect(githubStatusOf(at('rejected', [], { reason: 'rejected by U0BOB' }), URL)).toEqual({ state: 'inactive', description: 'rejected: rejected by U0BOB' });
    expect(githubStatusOf(at('expired', [], { reason: 'nobody approved it within 30m' }), URL)).toEqual({ state: 'inactive', description: 'expired: nobody approved it within 30m' });
    expect(githubStatusOf(at('interrupted', none, { reason: 'igor restarted while this deployment was testing' }), URL)).toEqual({
      state: 'error',
      description: 'interrupted: igor restarted while this deployment was testing',
    });
  });

  it('maps every state of the contract to a state GitHub accepts', () => {
    const accepted = ['error', 'failure', 'inactive', 'in_progress', 'queued', 'pending', 'success'];
    for (const state of STATES) expect(accepted).toContain(githubStatusOf(at(state), URL).state);
  });

  it('describes a rollback by the release it goes back to', () => {
    const rollback = at('deploying', [], { kind: 'rollback', ref: R1, release: R1 });
    expect(githubStatusOf({ ...rollback, state: 'queued' }, URL).description).toBe(`Queued: rollback to ${R1}`);
    expect(githubStatusOf(rollback, URL).description).toBe(`Rolling staging back to ${R1}`);
  });

  it('keeps every description within the 140 characters GitHub takes', () => {
    const long = githubStatusOf(at('failed', [], { reason: `the unit step exited with code 1: ${'x'.repeat(300)}` }), URL);
    expect(long.description).toHaveLength(140);
    expect(long.description.endsWith('…')).toBe(true);
  });
});

describe('the GitHub Deployment of a deployment', () => {
  it('is of the exact commit, needs no status checks, merges nothing, and carries igor’s deployment', () => {
    expect(newGithubDeployment({ ...at('queued', []), sha: SHA }, false)).toEqual({
      ref: SHA,
      task: 'deploy',
      auto_merge: false,
      required_contexts: [],
      environment: 'staging',
      production_environment: false,
      transient_environment: false,
      description: 'main by U0ALICE (igor deployment 7)',
      payload: { igor: { app: 'shop', deployment: '7', kind: 'deploy', ref: 'main' } },
    });
    expect(newGithubDeployment({ ...at('queued', []), sha: SHA }, true).production_environment).toBe(true);
  });

  it('marks the deployment a success replaced as inactive, naming what replaced it', () => {
    expect(replacedStatus(at('succeeded'))).toEqual({ state: 'inactive', description: `replaced by igor deployment 7 (${R2})` });
  });
});
