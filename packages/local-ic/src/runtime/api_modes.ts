/**
 * Where a System API function may be called from, with the abbreviations of
 * the interface specification ("Overview of imports"):
 * I init/post_upgrade, G pre_upgrade, U update, RQ/NRQ query in (non-)replicated
 * mode, CQ composite query, Ry/Rt reply/reject callback, CRy/CRt their
 * composite-query forms, C/CC cleanup callback, F inspect_message,
 * T system task (global timer, heartbeat), s the start function.
 */
export type ApiMode = 'I' | 'G' | 'U' | 'RQ' | 'NRQ' | 'CQ' | 'Ry' | 'Rt' | 'CRy' | 'CRt' | 'C' | 'CC' | 'F' | 'T' | 's';

const EVERYWHERE: readonly ApiMode[] = ['I', 'G', 'U', 'RQ', 'NRQ', 'CQ', 'Ry', 'Rt', 'CRy', 'CRt', 'C', 'CC', 'F', 'T'];
const EVERYWHERE_AND_START: readonly ApiMode[] = [...EVERYWHERE, 's'];

function modes(spec: string): ReadonlySet<ApiMode> {
  const list = spec
    .split(' ')
    .flatMap((token): readonly ApiMode[] => (token === '*' ? EVERYWHERE : token === 's' ? ['s'] : token === 'Q' ? ['RQ', 'NRQ'] : [token as ApiMode]));
  return new Set(list);
}

const ALL_WITH_START = new Set(EVERYWHERE_AND_START);

export const SYSTEM_API_MODES: Readonly<Record<string, ReadonlySet<ApiMode>>> = {
  msg_arg_data_size: modes('I U RQ NRQ CQ Ry CRy F'),
  msg_arg_data_copy: modes('I U RQ NRQ CQ Ry CRy F'),
  msg_caller_size: modes('*'),
  msg_caller_copy: modes('*'),
  msg_reject_code: modes('Ry Rt CRy CRt'),
  msg_reject_msg_size: modes('Rt CRt'),
  msg_reject_msg_copy: modes('Rt CRt'),
  msg_deadline: modes('U Q CQ Ry Rt CRy CRt'),
  msg_reply_data_append: modes('U RQ NRQ CQ Ry Rt CRy CRt'),
  msg_reply: modes('U RQ NRQ CQ Ry Rt CRy CRt'),
  msg_reject: modes('U RQ NRQ CQ Ry Rt CRy CRt'),
  msg_cycles_available128: modes('U RQ Rt Ry'),
  msg_cycles_available: modes('U RQ Rt Ry'),
  msg_cycles_refunded128: modes('Rt Ry'),
  msg_cycles_refunded: modes('Rt Ry'),
  msg_cycles_accept128: modes('U RQ Rt Ry'),
  msg_cycles_accept: modes('U RQ Rt Ry'),
  cycles_burn128: modes('I G U RQ Ry Rt C T'),
  canister_self_size: modes('*'),
  canister_self_copy: modes('*'),
  canister_cycle_balance128: modes('*'),
  canister_cycle_balance: modes('*'),
  canister_liquid_cycle_balance128: modes('*'),
  canister_status: modes('*'),
  canister_version: modes('*'),
  subnet_self_size: modes('*'),
  subnet_self_copy: modes('*'),
  msg_method_name_size: modes('F'),
  msg_method_name_copy: modes('F'),
  accept_message: modes('F'),
  call_new: modes('U CQ Ry Rt CRy CRt T'),
  call_on_cleanup: modes('U CQ Ry Rt CRy CRt T'),
  call_data_append: modes('U CQ Ry Rt CRy CRt T'),
  call_with_best_effort_response: modes('U CQ Ry Rt CRy CRt T'),
  call_cycles_add128: modes('U Ry Rt T'),
  call_cycles_add: modes('U Ry Rt T'),
  call_perform: modes('U CQ Ry Rt CRy CRt T'),
  stable64_size: ALL_WITH_START,
  stable64_grow: ALL_WITH_START,
  stable64_write: ALL_WITH_START,
  stable64_read: ALL_WITH_START,
  stable_size: ALL_WITH_START,
  stable_grow: ALL_WITH_START,
  stable_write: ALL_WITH_START,
  stable_read: ALL_WITH_START,
  certified_data_set: modes('I G U Ry Rt T'),
  data_certificate_present: modes('*'),
  data_certificate_size: modes('NRQ CQ'),
  data_certificate_copy: modes('NRQ CQ'),
  time: modes('*'),
  global_timer_set: modes('I G U Ry Rt C T'),
  performance_counter: ALL_WITH_START,
  is_controller: ALL_WITH_START,
  in_replicated_execution: ALL_WITH_START,
  cost_call: ALL_WITH_START,
  cost_create_canister: ALL_WITH_START,
  cost_http_request: ALL_WITH_START,
  cost_sign_with_ecdsa: ALL_WITH_START,
  cost_sign_with_schnorr: ALL_WITH_START,
  cost_vetkd_derive_key: ALL_WITH_START,
  env_var_count: modes('*'),
  env_var_name_size: modes('*'),
  env_var_name_copy: modes('*'),
  env_var_value_size: modes('*'),
  env_var_value_copy: modes('*'),
  debug_print: ALL_WITH_START,
  trap: ALL_WITH_START
};

const MODE_NAMES: Readonly<Record<ApiMode, string>> = {
  I: 'init',
  G: 'pre upgrade',
  U: 'update',
  RQ: 'replicated query',
  NRQ: 'non replicated query',
  CQ: 'composite query',
  Ry: 'reply callback',
  Rt: 'reject callback',
  CRy: 'composite reply callback',
  CRt: 'composite reject callback',
  C: 'cleanup',
  CC: 'composite cleanup',
  F: 'inspect message',
  T: 'system task',
  s: 'start'
};

export function describeMode(mode: ApiMode): string {
  return MODE_NAMES[mode];
}

/** Modes whose changes to the canister state are kept when they do not trap. */
export function isPersistingMode(mode: ApiMode): boolean {
  return mode === 'I' || mode === 'G' || mode === 'U' || mode === 'Ry' || mode === 'Rt' || mode === 'C' || mode === 'T' || mode === 's';
}

export function isReplicatedMode(mode: ApiMode): boolean {
  return !(mode === 'NRQ' || mode === 'CQ' || mode === 'CRy' || mode === 'CRt' || mode === 'CC' || mode === 'F');
}
