import type { Principal } from '@dfinity/principal';
import { rejected, type CallResult } from '../call_result.js';
import { rejections } from '../rejections.js';
import type { Canister } from '../state/canister.js';
import type { Subnet } from '../subnet.js';
import * as Types from './candid_types.js';
import { CandidDecodeError, decode, reply } from './candid_codec.js';

/** Query calls to `aaaaa-aa` (only `fetch_canister_logs` is a management query). */
export function managementQuery(subnet: Subnet, method: string, argument: Uint8Array, sender: Principal): CallResult {
  if (method !== 'fetch_canister_logs') return rejected(rejections.unknownManagementMethod(method));
  try {
    const [args] = decode<[{ canister_id: Principal }]>([Types.CanisterIdRecord], argument);
    const canister = subnet.canister(args.canister_id);
    if (canister === undefined) return rejected(rejections.canisterNotFound(args.canister_id.toText()));
    if (!mayReadLogs(canister, sender)) {
      return rejected({
        rejectCode: 5,
        errorCode: 'IC0512',
        message: `Caller ${sender.toText()} is not allowed to query ic00 method fetch_canister_logs`
      });
    }
    const records = canister.logs.map((record) => ({ idx: record.index, timestamp_nanos: record.timestampNanos, content: record.content }));
    return reply(Types.FetchCanisterLogsResult, { canister_log_records: records }, 0n).result;
  } catch (error) {
    if (error instanceof CandidDecodeError) return rejected(rejections.invalidManagementPayload(error.message));
    throw error;
  }
}

function mayReadLogs(canister: Canister, sender: Principal): boolean {
  const visibility = canister.settings.logVisibility;
  if (visibility.kind === 'public' || canister.isController(sender)) return true;
  return visibility.kind === 'allowed_viewers' && visibility.viewers.some((viewer) => viewer.compareTo(sender) === 'eq');
}
