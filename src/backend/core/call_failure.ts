// What a failed inter-canister call tells the caller: the IC's reject code and message, or
// why the call never left. Azle reports a reject either as { rejectCode, rejectMessage } or as
// an Error whose message is "call rejected: <code> - <message>".

export interface CallFailure {
  /** The IC's reject code (1 to 6), or 0 when the call never left (or the cause is unknown). */
  rejectCode: number;
  message: string;
}

const REJECTED_ERROR = /^call rejected: (\d+) - ([\s\S]*)$/;

export function describeCallFailure(failure: unknown): CallFailure {
  if (failure instanceof Error) {
    const rejected = REJECTED_ERROR.exec(failure.message);
    return rejected === null ? { rejectCode: 0, message: failure.message } : { rejectCode: Number(rejected[1]), message: rejected[2]! };
  }
  if (typeof failure !== 'object' || failure === null) return { rejectCode: 0, message: String(failure) };
  const details = failure as { type?: string; rejectCode?: number; rejectMessage?: string; available?: bigint; required?: bigint };
  if (typeof details.rejectCode === 'number') return { rejectCode: details.rejectCode, message: details.rejectMessage ?? '' };
  if (details.type === 'InsufficientLiquidCycleBalance') {
    return { rejectCode: 0, message: `the canister has ${details.available} liquid cycles but the call needs ${details.required}` };
  }
  return { rejectCode: 0, message: details.type ?? 'the call failed' };
}
