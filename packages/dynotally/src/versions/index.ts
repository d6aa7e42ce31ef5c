export { claimPrefix, newClaimScope } from './claim-scope.ts';
export {
  type BackfillRecord,
  CONTROL_PK_PREFIX,
  CONTROL_SK,
  type ControlItem,
  controlKey,
  type DeletionRecord,
  type HoldRecord,
  parseControl,
  type VersionEntry,
  type VersionState,
} from './control-item.ts';
export {
  backfillRecordParams,
  holdParams,
  promoteParams,
  type RegisterVersion,
  readControlParams,
  registerVersionParams,
} from './control-params.ts';
export {
  promoteVersion,
  type RegisterOptions,
  readControl,
  readControls,
  recordBackfill,
  registerVersions,
  versionOf,
} from './control-store.ts';
export {
  type DeleteRetiredOptions,
  type DeletionReport,
  deleteRetiredVersion,
  deleteRetiredVersions,
} from './delete-retired.ts';
export {
  deleteRowsParams,
  deletionRecordParams,
  isRowOfPrefix,
  retiredRowsScanParams,
} from './deletion-params.ts';
export { definitionFingerprint, rebuildFingerprint, versionsOfDefinition } from './rebuild.ts';
export { retireVersion } from './retire-version.ts';
export { createServingQueryClient, type ServingQueryClientOptions } from './serving-query-client.ts';
export { refuseUndeployed, undeployedNewerVersions } from './undeployed-versions.ts';
export { asVersion, versionKeyPrefix } from './version-prefix.ts';
export { VersionStates } from './version-states.ts';
export { createVersionedWriteSide, type VersionedWriteSideOptions } from './versioned-write-side.ts';
