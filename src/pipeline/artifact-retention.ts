import { liveOn } from './queries.js';
import { ACTIVE } from './states.js';
import type { Deployment } from './types.js';

/**
 * The releases of one app whose artifacts igor keeps: each environment may still promote what it
 * runs, or roll back to a release its hosts keep. So: every release live on some host of some
 * environment (by igor's records), the newest `keepReleases` releases each environment ran (the
 * folders its hosts keep), and the release of every deployment still under way.
 *
 * @example releasesWorthKeeping(ofApp(deployments, 'shop'), { staging: { keepReleases: 2 }, production: { keepReleases: 5 } })
 */
export function releasesWorthKeeping(history: readonly Deployment[], environments: Readonly<Record<string, { keepReleases: number }>>): Set<string> {
  const keep = new Set<string>();
  for (const deployment of history) if (deployment.release && ACTIVE.has(deployment.state)) keep.add(deployment.release);
  for (const [environment, settings] of Object.entries(environments)) {
    for (const group of liveOn(history, environment).groups) if (group.release) keep.add(group.release);
    const ran = new Set<string>();
    for (let index = history.length - 1; index >= 0 && ran.size < settings.keepReleases; index--) {
      const deployment = history[index]!;
      if (deployment.environment !== environment || !deployment.release || !reachedHosts(deployment)) continue;
      ran.add(deployment.release);
    }
    for (const release of ran) keep.add(release);
  }
  return keep;
}

/** Whether a deployment left its release in some host's releases folder. */
function reachedHosts(deployment: Deployment): boolean {
  return deployment.state === 'succeeded' || deployment.hosts.some((host) => host.switched || host.state === 'succeeded');
}
