import type { CiEvent } from '../ci/server.js';
import type { Config } from '../config/schema.js';
import type { Alarms } from './service.js';

/**
 * A test failure on a branch that deploys (an `autoDeploy` branch, else `main`) is an alarm: what
 * ships next is broken. It resolves when a later run of that branch passes.
 */
export function ciAlarms(alarms: Alarms, config: Config) {
  const watched = new Set(Object.values(config.environments).flatMap((environment) => (environment.autoDeploy ? [environment.autoDeploy.branch.replace(/^refs\/heads\//, '')] : [])));
  if (watched.size === 0) watched.add('main');
  return async (event: CiEvent): Promise<void> => {
    if (event.type !== 'finished' || !watched.has(event.run.branch)) return;
    const { run } = event;
    const key = `ci:${config.app}/${run.branch}`;
    if (run.state === 'passed') {
      await alarms.resolveKey(key, `\`${run.branch}\` passes again at ${run.sha.slice(0, 7)}`);
      return;
    }
    if (run.state !== 'failed') return;
    await alarms.raise({
      key,
      source: 'igor',
      severity: 'critical',
      app: config.app,
      environment: null,
      summary: `Tests fail on \`${run.branch}\` at ${run.sha.slice(0, 7)}${run.subject ? ` (${run.subject})` : ''}`,
      detail: [`${run.failedStep ? `step \`${run.failedStep}\`: ` : ''}${run.reason ?? 'failed'}${run.author ? ` — pushed by ${run.author}` : ''}`, run.logTail ? `\`\`\`${run.logTail.slice(-1500)}\`\`\`` : null]
        .filter(Boolean)
        .join('\n'),
    });
  };
}
