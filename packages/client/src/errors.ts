// The canister's IssueError (a Candid variant) as an exception with a stable `code`: the
// Candid case name. Branch on `code` (or `error.is('RateLimited')`); messages may change.
import type { IssueError as CandidIssueError, SigningKeyStatus as CandidSigningKeyStatus } from './candid/jwt_issuer.did.js';

export type SigningKeyStatus =
  | { kind: 'Ready' }
  | { kind: 'Fetching' }
  /** The management canister's last reject; `nextRetryAtSeconds` is seconds since 1970. */
  | { kind: 'Failed'; rejectCode: number; message: string; attempts: number; nextRetryAtSeconds: number };

/** What each case carries, in camelCase; numbers that can exceed 2^53 stay bigint. */
export interface IssueErrorDetails {
  AnonymousCaller: Record<never, never>;
  AudienceNotAllowed: { audience: string; allowed: string[] };
  TtlOutOfRange: { requested: number; min: number; max: number };
  ClaimsInvalid: { reason: string };
  RateLimited: { scope: 'Caller' | 'Global'; retryAfterSeconds: number };
  AlgorithmNotEnabled: { algorithm: string; enabled: string[] };
  SigningKeyNotReady: { algorithm: string; status: SigningKeyStatus };
  SigningFailed: { rejectCode: number; message: string };
  CyclesBelowFloor: { balance: bigint; floor: bigint; fee: bigint };
}

export type IssueErrorCode = keyof IssueErrorDetails;

export class IcJwtError<C extends IssueErrorCode = IssueErrorCode> extends Error {
  override readonly name = 'IcJwtError';

  constructor(
    readonly code: C,
    readonly details: IssueErrorDetails[C]
  ) {
    super(describe({ code, ...details } as IssueErrorCase));
  }

  /** Narrows `details` to the given case: `if (error.is('RateLimited')) wait(error.details.retryAfterSeconds)`. */
  is<K extends IssueErrorCode>(code: K): this is IcJwtError<K> {
    return (this.code as IssueErrorCode) === code;
  }
}

export function isIcJwtError(value: unknown): value is IcJwtError {
  return value instanceof IcJwtError;
}

export function errorFromCandid(error: CandidIssueError): IcJwtError {
  if ('AnonymousCaller' in error) return new IcJwtError('AnonymousCaller', {});
  if ('AudienceNotAllowed' in error) return new IcJwtError('AudienceNotAllowed', { ...error.AudienceNotAllowed });
  if ('TtlOutOfRange' in error) return new IcJwtError('TtlOutOfRange', { ...error.TtlOutOfRange });
  if ('ClaimsInvalid' in error) return new IcJwtError('ClaimsInvalid', { ...error.ClaimsInvalid });
  if ('RateLimited' in error) {
    const { scope, retry_after_seconds } = error.RateLimited;
    return new IcJwtError('RateLimited', { scope: 'Caller' in scope ? 'Caller' : 'Global', retryAfterSeconds: retry_after_seconds });
  }
  if ('AlgorithmNotEnabled' in error) return new IcJwtError('AlgorithmNotEnabled', { ...error.AlgorithmNotEnabled });
  if ('SigningKeyNotReady' in error) {
    const { algorithm, status } = error.SigningKeyNotReady;
    return new IcJwtError('SigningKeyNotReady', { algorithm, status: statusFromCandid(status) });
  }
  if ('SigningFailed' in error) {
    return new IcJwtError('SigningFailed', { rejectCode: error.SigningFailed.reject_code, message: error.SigningFailed.message });
  }
  return new IcJwtError('CyclesBelowFloor', { ...error.CyclesBelowFloor });
}

function statusFromCandid(status: CandidSigningKeyStatus): SigningKeyStatus {
  if ('Ready' in status) return { kind: 'Ready' };
  if ('Fetching' in status) return { kind: 'Fetching' };
  const { reject_code, message, attempts, next_retry_at } = status.Failed;
  return { kind: 'Failed', rejectCode: reject_code, message, attempts, nextRetryAtSeconds: Number(next_retry_at) };
}

/** One case with its details, discriminated by code. */
type IssueErrorCase = { [C in IssueErrorCode]: { code: C } & IssueErrorDetails[C] }[IssueErrorCode];

function describe(error: IssueErrorCase): string {
  switch (error.code) {
    case 'AnonymousCaller':
      return 'the anonymous principal gets no token: log in first';
    case 'AudienceNotAllowed':
      return `audience ${JSON.stringify(error.audience)} is not allowed; allowed: ${error.allowed.join(', ')}`;
    case 'TtlOutOfRange':
      return `a lifetime of ${error.requested} s is outside ${error.min}–${error.max} s`;
    case 'ClaimsInvalid':
      return `the extra claims were refused: ${error.reason}`;
    case 'RateLimited':
      return `too many tokens asked for (${error.scope} limit): retry in ${error.retryAfterSeconds} s`;
    case 'AlgorithmNotEnabled':
      return `the issuer does not sign with ${error.algorithm}; enabled: ${error.enabled.join(', ')}`;
    case 'SigningKeyNotReady':
      return error.status.kind === 'Failed'
        ? `the issuer has no ${error.algorithm} key: reject code ${error.status.rejectCode}: ${error.status.message}`
        : `the issuer is still fetching its ${error.algorithm} key`;
    case 'SigningFailed':
      return `the subnet did not sign (reject code ${error.rejectCode}: ${error.message})`;
    case 'CyclesBelowFloor':
      return `the issuer is low on cycles (balance ${error.balance}, floor ${error.floor}, fee ${error.fee})`;
  }
}
