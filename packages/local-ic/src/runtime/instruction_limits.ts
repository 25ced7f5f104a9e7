import type { ApiMode } from './api_modes.js';

const BILLION = 1_000_000_000;

/**
 * Instructions one message may execute, by kind: the IC interface spec's
 * resource limits and the replica's scheduler configuration for application
 * subnets (dfinity/ic `rs/config/src/subnet_config.rs`: `MAX_INSTRUCTIONS_PER_MESSAGE`,
 * `MAX_INSTRUCTIONS_PER_QUERY_MESSAGE`, `MAX_INSTRUCTIONS_PER_INSTALL_CODE`,
 * `MAX_INSTRUCTIONS_FOR_MESSAGE_ACCEPTANCE_CALLS`).
 *
 * Deterministic time slicing: the replica runs updates, timers, heartbeats
 * and installs in slices of 2 billion instructions (one slice per round) up to
 * the totals below. Slices only decide in which rounds the work happens; the
 * local IC runs a message to completion in one go and enforces the total,
 * which is what a canister can observe (queries and inspect_message get no slicing).
 */
export const INSTRUCTION_LIMITS = {
  /** Update calls, their reply/reject/cleanup callbacks, heartbeats and global timers. */
  update: 40 * BILLION,
  /** Queries, replicated or not. */
  query: 5 * BILLION,
  /** The whole call graph of a composite query (`max_query_call_graph_instructions`). */
  compositeQuery: 5 * BILLION,
  /** One install_code message: start function, canister_init / pre_upgrade + post_upgrade, and compilation. */
  install: 300 * BILLION,
  /** canister_inspect_message. */
  inspectMessage: 200_000_000,
  /** Size of one deterministic time slice (`MAX_INSTRUCTIONS_PER_SLICE`, `..._INSTALL_CODE_SLICE`). */
  slice: 2 * BILLION
} as const;

/**
 * Instructions charged per Wasm instruction of a module for compiling it at
 * install (`DEFAULT_COST_TO_COMPILE_WASM_INSTRUCTION` in `rs/config/src/embedders.rs`);
 * they count against the install limit.
 */
export const COMPILATION_COST_PER_WASM_INSTRUCTION = 6_000;

export function instructionLimitFor(mode: ApiMode): number {
  switch (mode) {
    case 'I':
    case 'G':
    case 's':
      return INSTRUCTION_LIMITS.install;
    case 'RQ':
    case 'NRQ':
      return INSTRUCTION_LIMITS.query;
    case 'CQ':
    case 'CRy':
    case 'CRt':
    case 'CC':
      return INSTRUCTION_LIMITS.compositeQuery;
    case 'F':
      return INSTRUCTION_LIMITS.inspectMessage;
    case 'U':
    case 'Ry':
    case 'Rt':
    case 'C':
    case 'T':
      return INSTRUCTION_LIMITS.update;
  }
}
