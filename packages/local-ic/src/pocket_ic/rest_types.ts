// The JSON shapes of the PocketIC REST API (dfinity/ic packages/pocket-ic/src/common/rest.rs) that
// this server reads and writes: principals and blobs as base64, rejects by their names.
import { Principal } from '@dfinity/principal';
import type { CallResult } from '../shared/call_result.js';
import { ErrorCode, RejectCode } from '../shared/rejections.js';

export class BadRequestError extends Error {}

export type JsonObject = Readonly<Record<string, unknown>>;

export function asObject(value: unknown, what: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new BadRequestError(`${what} must be a JSON object`);
  return value as JsonObject;
}

export function field(object: JsonObject, name: string): unknown {
  if (!(name in object)) throw new BadRequestError(`missing field \`${name}\``);
  return object[name];
}

export function stringField(object: JsonObject, name: string): string {
  const value = field(object, name);
  if (typeof value !== 'string') throw new BadRequestError(`field \`${name}\` must be a string`);
  return value;
}

/** A non-negative integer given as a JSON number or (when long) as the digits parseJson leaves. */
export function naturalField(object: JsonObject, name: string): bigint {
  const value = field(object, name);
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === 'string' && /^\d+$/.test(value)) return BigInt(value);
  throw new BadRequestError(`field \`${name}\` must be a non-negative integer`);
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function base64Bytes(value: unknown, what: string): Uint8Array {
  if (typeof value !== 'string' || value.length % 4 !== 0 || !BASE64.test(value)) throw new BadRequestError(`${what} must be standard base64`);
  return new Uint8Array(Buffer.from(value, 'base64'));
}

export function bytesField(object: JsonObject, name: string): Uint8Array {
  return base64Bytes(field(object, name), `field \`${name}\``);
}

export function principalField(object: JsonObject, name: string): Principal {
  const bytes = bytesField(object, name);
  if (bytes.length > 29) throw new BadRequestError(`field \`${name}\` is ${bytes.length} bytes, longer than a principal`);
  return Principal.fromUint8Array(bytes);
}

export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

export function rawCanisterId(id: Principal): { canister_id: string } {
  return { canister_id: toBase64(id.toUint8Array()) };
}

export function rawSubnetId(id: Principal): { subnet_id: string } {
  return { subnet_id: toBase64(id.toUint8Array()) };
}

/** RawEffectivePrincipal: "None", {"SubnetId": base64} or {"CanisterId": base64}. */
export type EffectivePrincipal = { readonly kind: 'none' } | { readonly kind: 'subnet' | 'canister'; readonly id: Principal };

export function effectivePrincipalField(object: JsonObject, name: string): EffectivePrincipal {
  const value = name in object ? object[name] : 'None';
  if (value === 'None' || value === undefined || value === null) return { kind: 'none' };
  const tagged = asObject(value, `field \`${name}\``);
  if ('SubnetId' in tagged) return { kind: 'subnet', id: Principal.fromUint8Array(base64Bytes(tagged.SubnetId, 'SubnetId')) };
  if ('CanisterId' in tagged) return { kind: 'canister', id: Principal.fromUint8Array(base64Bytes(tagged.CanisterId, 'CanisterId')) };
  throw new BadRequestError(`field \`${name}\` must be "None", {"SubnetId": ...} or {"CanisterId": ...}`);
}

export function encodeEffectivePrincipal(principal: EffectivePrincipal): unknown {
  if (principal.kind === 'none') return 'None';
  const bytes = toBase64(principal.id.toUint8Array());
  return principal.kind === 'subnet' ? { SubnetId: bytes } : { CanisterId: bytes };
}

const REJECT_CODE_NAMES: ReadonlyMap<number, string> = new Map(Object.entries(RejectCode).map(([name, code]) => [code, name]));
const ERROR_CODE_NAMES: ReadonlyMap<string, string> = new Map(Object.entries(ErrorCode).map(([name, code]) => [code, name]));

/** The server's RejectResponse: reject and error codes by name, as serde writes the enums. */
export interface RejectResponse {
  readonly reject_code: string;
  readonly reject_message: string;
  readonly error_code: string;
  readonly certified: boolean;
}

export function rejectResponse(rejection: Extract<CallResult, { kind: 'rejected' }>, certified: boolean): RejectResponse {
  const errorCode = rejection.errorCode ?? (rejection.code === RejectCode.CanisterReject ? ErrorCode.CanisterRejectedMessage : undefined);
  return {
    reject_code: REJECT_CODE_NAMES.get(rejection.code) ?? String(rejection.code),
    reject_message: rejection.message,
    error_code: errorCode === undefined ? 'CanisterRejectedMessage' : (ERROR_CODE_NAMES.get(errorCode) ?? errorCode),
    certified
  };
}

/** RawCanisterResult: {"Ok": base64 reply} or {"Err": RejectResponse}. */
export function canisterResult(result: CallResult, certified: boolean): unknown {
  return result.kind === 'replied' ? { Ok: toBase64(result.reply) } : { Err: rejectResponse(result, certified) };
}
