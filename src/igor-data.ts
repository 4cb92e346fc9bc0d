import { emptyAlarmsData, scopeAlarmsData, type AlarmsData } from './alarms/model.js';
import { emptyOutboxData, type OutboxData } from './chat/outbox/model.js';
import { emptyCiData, scopeCiData, type CiSlice } from './ci/types.js';
import { emptyFlags, scopeFlagsData, type FlagsSlice } from './flags/model.js';
import { emptyFleetData, type FleetData } from './fleet/store-data.js';
import { emptyGithubDeploymentsData, type GithubDeploymentsData } from './github/deployments/calls.js';
import { FINISHED } from './pipeline/states.js';
import { emptyPipelineData, scopePipelineData, type PipelineData } from './pipeline/store-data.js';
import type { StoreOptions } from './store/db.js';

/** Everything igor keeps in its store (`db.json` and the history beside it): each feature's part, assembled here. */
export type IgorData = { version: 1 } & PipelineData & AlarmsData & FleetData & FlagsSlice & CiSlice & OutboxData & GithubDeploymentsData;

export function emptyIgorData(): IgorData {
  return { version: 1, ...emptyPipelineData(), ...emptyAlarmsData(), ...emptyFleetData(), flags: emptyFlags(), ci: emptyCiData(), ...emptyOutboxData(), ...emptyGithubDeploymentsData() };
}

/**
 * How igor's store is laid out: finished deployments (the one list that grows with every deploy,
 * each with a record per host) in `history/deployments/<id>.json`, so the db.json that every
 * change rewrites holds only what is still running. The recorder sets `updatedAt` on every save:
 * that is the revision that tells the store a finished deployment changed.
 */
export const igorStoreOptions: StoreOptions<IgorData, 'deployments'> = {
  history: {
    collection: 'deployments',
    id: (deployment) => deployment.id,
    finished: (deployment) => FINISHED.has(deployment.state),
    revision: (deployment) => deployment.updatedAt,
    // Ids count up as deployments are made, which is the list's order.
    order: (a, b) => Number(a.id) - Number(b.id),
  },
};

/**
 * Brings a store written by an earlier igor up to this one's layout; `app` is the app an igor of
 * one app served (its records were all of it). Returns whether anything changed (then write it).
 */
export function upgradeIgorData(data: IgorData, app: string): boolean {
  const pipeline = scopePipelineData(data, app);
  const flags = scopeFlagsData(data.flags, app);
  const ci = scopeCiData(data.ci, app);
  const alarms = scopeAlarmsData(data, app);
  return pipeline || flags || ci || alarms;
}
