import { emptyAlarmsData, type AlarmsData } from './alarms/model.js';
import { emptyOutboxData, type OutboxData } from './chat/outbox/model.js';
import { emptyCiData, type CiSlice } from './ci/types.js';
import { emptyFlags, type FlagsSlice } from './flags/model.js';
import { emptyFleetData, type FleetData } from './fleet/store-data.js';
import { emptyPipelineData, type PipelineData } from './pipeline/store-data.js';

/** Everything igor keeps in its one store (`db.json`): each feature's part, assembled here. */
export type IgorData = { version: 1 } & PipelineData & AlarmsData & FleetData & FlagsSlice & CiSlice & OutboxData;

export function emptyIgorData(): IgorData {
  return { version: 1, ...emptyPipelineData(), ...emptyAlarmsData(), ...emptyFleetData(), flags: emptyFlags(), ci: emptyCiData(), ...emptyOutboxData() };
}
