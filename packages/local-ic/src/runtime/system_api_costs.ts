/**
 * What a System API call costs in instructions: a fixed overhead per function
 * plus one instruction per byte it copies between the Wasm memory and the
 * system. The overheads are the replica's (dfinity/ic
 * `rs/embedders/src/wasmtime_embedder/system_api_complexity.rs`, module
 * `overhead`: 500 for most calls; `call_new` 1,500; `call_perform` 5,000;
 * `is_controller` 1,000; `performance_counter` 200; `debug_print` 100; the stable
 * memory reads, writes and size 20); the per-byte part is the replica's
 * charge of one instruction per byte on application subnets
 * (`get_num_instructions_from_bytes`). Dirty-page costs of stable writes are not modelled.
 */
const DEFAULT_OVERHEAD = 500;

const OVERHEADS: Readonly<Record<string, number>> = {
  call_new: 1_500,
  call_perform: 5_000,
  is_controller: 1_000,
  performance_counter: 200,
  debug_print: 100,
  stable_read: 20,
  stable_write: 20,
  stable_size: 20,
  stable64_read: 20,
  stable64_write: 20,
  stable64_size: 20
};

/** Argument positions holding a byte count that the call copies, per function. */
const SIZE_ARGUMENTS: Readonly<Record<string, readonly number[]>> = {
  msg_arg_data_copy: [2],
  msg_caller_copy: [2],
  msg_reject_msg_copy: [2],
  msg_method_name_copy: [2],
  canister_self_copy: [2],
  subnet_self_copy: [2],
  data_certificate_copy: [2],
  msg_reply_data_append: [1],
  msg_reject: [1],
  call_new: [1, 3],
  call_data_append: [1],
  certified_data_set: [1],
  is_controller: [1],
  debug_print: [1],
  trap: [1],
  stable_read: [2],
  stable_write: [2],
  stable64_read: [2],
  stable64_write: [2],
  env_var_name_copy: [2],
  env_var_value_size: [1],
  env_var_value_copy: [1, 4]
};

export function systemApiOverhead(name: string): number {
  return OVERHEADS[name] ?? DEFAULT_OVERHEAD;
}

type HostFunction = (...args: never[]) => number | bigint | void;

/** Wraps every `ic0` import so that it charges its cost before doing its work. */
export function meteredSystemApi<T extends Record<string, HostFunction>>(imports: T, charge: (instructions: number) => void): T {
  const metered: Record<string, HostFunction> = {};
  for (const [name, implementation] of Object.entries(imports)) {
    const overhead = systemApiOverhead(name);
    const sizes = SIZE_ARGUMENTS[name];
    const run = implementation as (...args: Array<number | bigint>) => number | bigint | void;
    if (sizes === undefined) {
      metered[name] = ((...args: Array<number | bigint>) => {
        charge(overhead);
        return run(...args);
      }) as HostFunction;
      continue;
    }
    metered[name] = ((...args: Array<number | bigint>) => {
      let bytes = 0;
      for (const position of sizes) {
        const size = args[position];
        bytes += typeof size === 'bigint' ? Number(BigInt.asUintN(64, size)) : (size as number) >>> 0;
      }
      charge(overhead + bytes);
      return run(...args);
    }) as HostFunction;
  }
  return metered as T;
}
