import { appNamed, appOfEnvironment, defaultAppOf, type AppsConfig } from '../config/apps.js';
import { RefusedError } from '../shared/refusal.js';
import { newestFirst, rolledBackBy } from './queries.js';
import type { Pipeline } from './service.js';
import type { PipelineData } from './store-data.js';
import type { Store } from '../store/db.js';
import type { Deployment } from './types.js';

/**
 * Every app's pipeline, and the ways in by what people type: an app's name, `app/env` or a bare
 * `env` (the default app's), a deployment's id (its app's pipeline). The pipelines share one store.
 */
export function createPipelines(apps: AppsConfig, pipelines: ReadonlyMap<string, Pipeline>, store: Store<PipelineData>) {
  /** The pipeline of `app`, or of the default app when none is named (`example` shows the form to use). */
  function of(app: string | undefined, example = '<env>'): Pipeline {
    return pipelines.get(app === undefined ? defaultAppOf(apps, example) : appNamed(apps, app))!;
  }

  return {
    apps,
    /** In igor.yml's order. */
    all: (): Pipeline[] => [...pipelines.values()],
    of,
    /** Whether `name` is a configured app. */
    isApp: (name: string) => apps.apps.has(name),
    /** `app/env` or a bare `env` (or none: the app's default environment), resolved to its pipeline and environment. */
    at(text: string | undefined): { pipeline: Pipeline; environment: string } {
      const named = appOfEnvironment(apps, text);
      const pipeline = of(named.app);
      return { pipeline, environment: pipeline.environmentName(named.environment) };
    },
    get(id: string): Deployment | undefined {
      const deployment = store.data.deployments.find((entry) => entry.id === id);
      return deployment && pipelines.get(deployment.app)?.get(id);
    },
    /** The pipeline of deployment `id`'s app; refused when there is no such deployment. */
    ofDeployment(id: string): Pipeline {
      const deployment = store.data.deployments.find((entry) => entry.id === id);
      const pipeline = deployment && pipelines.get(deployment.app);
      if (!pipeline) throw new RefusedError('not-found', `there is no deployment ${id}`);
      return pipeline;
    },
    /** The rollback that took this deployment's release off its environment, while that holds (see `rolledBackBy`). */
    rolledBackBy: (deployment: Deployment) => rolledBackBy(deployment, store.data.deployments),
    /** Newest first, of every app unless one is named. */
    list(filter: { app?: string | undefined; environment?: string | undefined; limit?: number } = {}): Deployment[] {
      return newestFirst(store.data.deployments, filter);
    },
    /**
     * Newest first, as a person's filter names them: an app's (an unknown one refused with the
     * nearest name), an environment of it (a bare one is the default app's), or every app's.
     */
    listFor(filter: { app?: string | undefined; environment?: string | undefined; limit?: number }): Deployment[] {
      if (filter.app === undefined && filter.environment === undefined) return newestFirst(store.data.deployments, { limit: filter.limit });
      const pipeline = of(filter.app);
      return pipeline.list({ environment: filter.environment === undefined ? undefined : pipeline.environmentName(filter.environment), limit: filter.limit });
    },
  };
}
export type Pipelines = ReturnType<typeof createPipelines>;
