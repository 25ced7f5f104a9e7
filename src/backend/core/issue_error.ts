// Why a token was not issued: one case per reason, each carrying what the caller needs.
import type { JwsAlgorithm } from './algorithms';
import type { SigningKeyStatus } from './signing_key_status';

export type IssueError =
  | { kind: 'AnonymousCaller' }
  | { kind: 'AudienceNotAllowed'; audience: string; allowed: string[] }
  | { kind: 'TtlOutOfRange'; requested: number; min: number; max: number }
  | { kind: 'ClaimsInvalid'; reason: string }
  | { kind: 'RateLimited'; scope: 'Caller' | 'Global'; retryAfterSeconds: number }
  | { kind: 'AlgorithmNotEnabled'; algorithm: string; enabled: string[] }
  | { kind: 'SigningKeyNotReady'; algorithm: JwsAlgorithm; status: SigningKeyStatus }
  | { kind: 'SigningFailed'; rejectCode: number; message: string }
  | { kind: 'CyclesBelowFloor'; balance: bigint; floor: bigint; fee: bigint };

export type IssueErrorKind = IssueError['kind'];

export type Result<T, E> = { ok: true; value: T } | { ok: false; error: E };

export function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

export function err<E>(error: E): { ok: false; error: E } {
  return { ok: false, error };
}
