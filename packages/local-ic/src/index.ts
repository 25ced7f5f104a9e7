export { LocalIc } from './local_ic.js';
export type {
  CallOptions,
  IngressOptions,
  CanisterIdLike,
  CreateCanisterOptions,
  IngressSubmission,
  InstallCodeOptions,
  LocalIcOptions,
  QueryOptions,
  SubmitOptions,
  TopologySubnet
} from './local_ic.js';
export type { CallResult } from './shared/call_result.js';
export type { IngressStatus } from './state/ingress_history.js';
export type { CertificateProvider, DebugPrintSink } from './subnet.js';
export type { InstallMode, SettingsUpdate } from './management/lifecycle.js';
export type { CanisterLogRecord, CanisterSettings, LogVisibility } from './state/canister.js';
export type { ThresholdKeys } from './state/threshold_backend.js';
export { APPLICATION_SUBNET_FEES, FREE_FEES, feeScheduleFor, type FeeSchedule } from './costs/cycles.js';
export { SUBNET_NODE_COUNTS, type SubnetKind } from './costs/subnet_sizes.js';
export {
  DEFAULT_SUBNET_KIND,
  ROOT_SUBNET_KIND,
  defaultSubnetKind,
  rootSubnetKind,
  SUBNET_KINDS,
  SUBNET_LAYOUT,
  layoutOf,
  subnetKindOfCanister,
  subnetLayout,
  POCKET_IC_SUBNET_KIND_NAMES,
  type IndexRange,
  type SubnetLayout
} from './topology/layout.js';
export { RejectCode, ErrorCode } from './shared/rejections.js';
export { MANAGEMENT_CANISTER_ID, canisterIdFromIndex } from './shared/ids.js';
export {
  ExecutionStalledError,
  InvalidArgumentError,
  InvalidWasmModuleError,
  LocalIcError,
  ManagementRejectedError,
  StateStoreError,
  UnsupportedImportError
} from './shared/errors.js';
export type { CanisterStatusRecord } from './management/status.js';
export { INSTRUCTION_LIMITS, COMPILATION_COST_PER_WASM_INSTRUCTION } from './runtime/instruction_limits.js';
export { observeInstructions, type InstructionRecord, type InstructionListener } from './runtime/instruction_log.js';
export { observeCycles, type CyclesCategory, type CyclesListener, type CyclesRecord } from './runtime/cycles_log.js';
export { setInstructionMetering, instructionMeteringEnabled } from './wasm/metering_settings.js';
