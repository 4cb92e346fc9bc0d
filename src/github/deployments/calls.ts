import { dictionary } from '../../shared/names.js';
import type { GithubRepository } from '../repository.js';
import type { GithubStatus, NewGithubDeployment } from './statuses.js';

/** What a call asks of GitHub: to make the GitHub Deployment, or to set its status. */
export type GithubRequest = { kind: 'create'; body: NewGithubDeployment } | { kind: 'status'; body: GithubStatus };

/** A call to GitHub for one of igor's deployments, as it is queued. */
export type NewGithubCall = {
  /** igor's deployment: a status goes to the GitHub Deployment made for it (its `githubDeploymentId`). */
  deployment: string;
  app: string;
  repository: GithubRepository;
} & GithubRequest;

/** One call to GitHub waiting to go out. */
export type GithubCall = NewGithubCall & {
  id: number;
  queuedAt: string;
  attempts: number;
  lastError: string | null;
};

/** The mirror's part of the store (`githubDeployments` in db.json). */
export interface GithubDeploymentsData {
  githubDeployments: {
    nextCallId: number;
    /** Oldest first; sent one at a time in this order, so a deployment's statuses arrive in order. */
    calls: GithubCall[];
    /**
     * Per igor deployment mirrored, the last status queued for it: a status is queued only when it
     * differs, and at start a deployment whose state moved on without its status (igor killed in
     * between) gets it then.
     */
    mirrored: Record<string, { app: string; state: GithubStatus['state']; description: string }>;
  };
}

export function emptyGithubDeploymentsData(): GithubDeploymentsData {
  return { githubDeployments: { nextCallId: 1, calls: [], mirrored: dictionary() } };
}

export type GithubCallsState = GithubDeploymentsData['githubDeployments'];

/** Appends a call; it goes out after every call queued before it. */
export function addCall(state: GithubCallsState, call: NewGithubCall, now: Date): GithubCall {
  const added: GithubCall = { ...call, id: state.nextCallId++, queuedAt: now.toISOString(), attempts: 0, lastError: null };
  state.calls.push(added);
  return added;
}

/** Whether the GitHub Deployment of igor's deployment `id` is still to be made (its creation waits in the queue). */
export function creationQueued(state: GithubCallsState, id: string): boolean {
  return state.calls.some((call) => call.kind === 'create' && call.deployment === id);
}

/** Whether a status is news: different from the last one queued for that deployment. */
export function isNewStatus(state: GithubCallsState, id: string, status: GithubStatus): boolean {
  const last = state.mirrored[id];
  return !last || last.state !== status.state || last.description !== status.description;
}
