import { IDL } from '@dfinity/candid';
import type { CallResult } from '../../../packages/local-ic/src/index.js';

export function encode(types: IDL.Type[], values: unknown[]): Uint8Array {
  return new Uint8Array(IDL.encode(types, values));
}

/** The reply decoded as one value of `type`; fails the test with the reject if there is none. */
export function decodeReply<T>(result: CallResult, type: IDL.Type): T {
  if (result.kind !== 'replied') throw new Error(`expected a reply, got reject ${result.code}: ${result.message}`);
  return IDL.decode([type], result.reply)[0] as T;
}

export function expectRejected(result: CallResult): { code: number; message: string; errorCode?: string } {
  if (result.kind !== 'rejected') throw new Error('expected a reject, got a reply');
  return result;
}
