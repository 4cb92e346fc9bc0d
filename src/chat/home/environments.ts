import type { Alarms } from '../../alarms/service.js';
import type { Pipelines } from '../../pipeline/pipelines.js';
import { ACTIVE } from '../../pipeline/states.js';
import type { HomeEnvironment } from './view.js';

/** What the Home tab shows, read from every app's pipeline and the alarms: each environment of each app, in config order. */
export function homeEnvironments(pipelines: Pipelines, alarms: Alarms): HomeEnvironment[] {
  const all = pipelines.all();
  const several = all.length > 1;
  const live = alarms.live();
  return all.flatMap((pipeline) => {
    const { app } = pipeline.config;
    return Object.keys(pipeline.config.environments).map((environment) => {
      const now = pipeline.live(environment);
      return {
        label: several ? `${app}/${environment}` : environment,
        live: now.deployment,
        release: now.release,
        lock: pipeline.manualLockOf(environment),
        active: pipeline
          .list({ environment, limit: 50 })
          .filter((deployment) => ACTIVE.has(deployment.state))
          .reverse(),
        // Alarms of an older igor name no app: they are the only app's.
        alarms: live.filter((alarm) => alarm.environment === environment && (alarm.app ?? (several ? null : app)) === app),
      };
    });
  });
}
