import { formatDuration } from '../config/duration.js';
import { RefusedError } from '../shared/refusal.js';
import { code, joinPhrases, phrase, time, type Phrase } from '../shared/phrase.js';
import { liveOn } from './queries.js';
import type { Deployment } from './types.js';

/** `environments.<env>.requires`, as the config reads it. */
export interface Requirement {
  environments: readonly string[];
  /** How long the commit must have been live on each, in ms. */
  soak: number;
}

/** Where a commit stands on one required environment. */
export type GateReading =
  | { environment: string; met: true; deployment: Deployment; liveSince: string }
  | { environment: string; met: false; why: 'not-live'; runs: Deployment | undefined }
  | { environment: string; met: false; why: 'bad'; deployment: Deployment; bad: string }
  | { environment: string; met: false; why: 'soaking'; deployment: Deployment; liveSince: string; left: number };

type Unmet = Extract<GateReading, { met: false }>;

/**
 * Where `sha` stands on `environment` (by igor's records): live and healthy there means every host
 * runs a release of it that a deployment put there and that succeeded (so nothing rolled it back
 * since, or it would not be live), the release is not marked bad, and it has been so for `soak`.
 */
export function gateReading(history: readonly Deployment[], bad: Readonly<Record<string, string>>, environment: string, sha: string, soak: number, now: Date): GateReading {
  const live = liveOn(history, environment);
  const deployment = live.deployment;
  if (!live.release || !deployment || deployment.sha !== sha || deployment.state !== 'succeeded') return { environment, met: false, why: 'not-live', runs: live.release ? deployment : undefined };
  if (Object.hasOwn(bad, live.release)) return { environment, met: false, why: 'bad', deployment, bad: bad[live.release]! };
  const liveSince = deployment.finishedAt ?? deployment.updatedAt;
  const left = Date.parse(liveSince) + soak - now.getTime();
  if (left > 0) return { environment, met: false, why: 'soaking', deployment, liveSince, left };
  return { environment, met: true, deployment, liveSince };
}

/**
 * The gate of `environments.<target>.requires`: refuses (a `RefusedError` with code `conflict`)
 * a commit that is not live and healthy on every required environment for the soak, naming what
 * is missing and the commands that would satisfy it. `badReleases` per environment of the app.
 *
 * @example
 * requireGates({ history, badReleases, target: 'production', requirement: { environments: ['staging'], soak: 0 }, sha, ref: 'main', now })
 * // throws: production takes only commits live and healthy on staging: main (abc1234) is not live on staging … `/deploy main to staging`, then `/deploy promote staging to production`
 */
export function requireGates(input: {
  history: readonly Deployment[];
  badReleases: (environment: string) => Readonly<Record<string, string>>;
  target: string;
  requirement: Requirement | undefined;
  sha: string;
  ref: string;
  now: Date;
  /** How people name the app before a ref or an environment (`billing/`), or '' for the default app. */
  appPrefix?: string;
}): void {
  const { requirement, target } = input;
  if (!requirement) return;
  const readings = requirement.environments.map((environment) => gateReading(input.history, input.badReleases(environment), environment, input.sha, requirement.soak, input.now));
  const missing = readings.filter((reading): reading is Unmet => !reading.met);
  if (missing.length === 0) return;
  const what = phrase`${input.ref === input.sha ? code(input.sha.slice(0, 7)) : phrase`${code(input.ref)} (${input.sha.slice(0, 7)})`}`;
  const soak = requirement.soak ? phrase` for at least ${formatDuration(requirement.soak)}` : '';
  const rule = phrase`${target} takes only commits live and healthy on ${requirement.environments.join(' and ')}${soak}`;
  const reasons = joinPhrases(
    missing.map((reading) => missingText(reading, what)),
    '; ',
  );
  throw new RefusedError('conflict', phrase`${rule}: ${reasons}. ${nextStep(missing, input.ref, target, input.appPrefix ?? '')}`);
}

function missingText(reading: Unmet, what: Phrase): Phrase {
  switch (reading.why) {
    case 'not-live':
      return phrase`${what} is not live on ${reading.environment}${reading.runs?.sha ? phrase`, which runs ${reading.runs.sha.slice(0, 7)} (deployment ${reading.runs.id})` : ''}`;
    case 'bad':
      return phrase`release ${code(reading.deployment.release!)} of ${what} on ${reading.environment} is marked bad (${reading.bad})`;
    case 'soaking':
      return phrase`${what} is live on ${reading.environment} since ${time(reading.liveSince)}: ${formatDuration(reading.left)} more to go`;
  }
}

/** The commands that would satisfy the gate: deploy where it is missing, then promote. */
function nextStep(missing: readonly Unmet[], ref: string, target: string, appPrefix: string): Phrase {
  const absent = missing.filter((reading) => reading.why !== 'soaking');
  const first = (absent[0] ?? missing[0])!.environment;
  const promote = code(`/deploy promote ${appPrefix}${first} to ${target}`);
  if (absent.length === 0) return phrase`Once the soak is over: ${promote}.`;
  return phrase`Deploy it there first: ${joinPhrases(
    absent.map((reading) => phrase`${code(`/deploy ${appPrefix}${ref} to ${reading.environment}`)}`),
    ', ',
  )}, then ${promote}.`;
}
