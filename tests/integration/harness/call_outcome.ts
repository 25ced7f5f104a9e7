// A canister call's outcome as PocketIC reports it: the real server names reject codes and error
// codes (`"CanisterReject"`, `"CanisterCalledTrap"`), and @dfinity/pic puts them in the error it throws.
export type RejectCode = 'SysFatal' | 'SysTransient' | 'DestinationInvalid' | 'CanisterReject' | 'CanisterError' | 'SysUnknown';

const REJECT_CODES: readonly string[] = ['SysFatal', 'SysTransient', 'DestinationInvalid', 'CanisterReject', 'CanisterError', 'SysUnknown'];

export interface Reject {
  rejectCode: RejectCode;
  /** PocketIC's ErrorCode name, e.g. CanisterCalledTrap, CanisterRejectedMessage. */
  errorCode: string;
  message: string;
}

export type CallOutcome = ({ kind: 'replied'; reply: Uint8Array }) | ({ kind: 'rejected' } & Reject);

/** pic 0.23's text for a reject (pocket-ic-client-types.js): the server's fields, in this order. */
const PIC_REJECT = /^Canister call failed: ([\s\S]*)\. Reject code: (\w+)\. Error code: (\w+)\. Certified: (?:true|false)$/;

/** The reject in an error pic threw; anything else (a transport failure, a bug) is thrown again. */
export function rejectOf(error: unknown): Reject {
  const match = error instanceof Error ? PIC_REJECT.exec(error.message) : null;
  if (match === null || !REJECT_CODES.includes(match[2]!)) throw error;
  return { rejectCode: match[2] as RejectCode, errorCode: match[3]!, message: match[1]! };
}

export async function callOutcome(call: () => Promise<Uint8Array>): Promise<CallOutcome> {
  try {
    return { kind: 'replied', reply: await call() };
  } catch (error) {
    return { kind: 'rejected', ...rejectOf(error) };
  }
}

export function replyOrThrow(outcome: CallOutcome, what: string): Uint8Array {
  if (outcome.kind === 'rejected') throw new Error(`${what} was rejected (${outcome.rejectCode}, ${outcome.errorCode}): ${outcome.message}`);
  return outcome.reply;
}
