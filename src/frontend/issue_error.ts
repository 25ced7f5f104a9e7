// The canister's IssueError (Candid variant) in the core's terms, and in words for the user. Pure.
import type { JwsAlgorithm } from '../backend/core/algorithms';
import type { IssueError } from '../backend/core/issue_error';
import type { SigningKeyStatus } from '../backend/core/signing_key_status';
import type { IssueError as CandidIssueError, SigningKeyStatus as CandidSigningKeyStatus } from '../declarations/jwt_issuer/jwt_issuer.did';
import { formatSeconds } from './countdown';

export type { CandidIssueError };

export function issueErrorFromCandid(error: CandidIssueError): IssueError {
  if ('AnonymousCaller' in error) return { kind: 'AnonymousCaller' };
  if ('AudienceNotAllowed' in error) return { kind: 'AudienceNotAllowed', ...error.AudienceNotAllowed };
  if ('TtlOutOfRange' in error) return { kind: 'TtlOutOfRange', ...error.TtlOutOfRange };
  if ('ClaimsInvalid' in error) return { kind: 'ClaimsInvalid', ...error.ClaimsInvalid };
  if ('RateLimited' in error) {
    const { scope, retry_after_seconds } = error.RateLimited;
    return { kind: 'RateLimited', scope: 'Caller' in scope ? 'Caller' : 'Global', retryAfterSeconds: retry_after_seconds };
  }
  if ('AlgorithmNotEnabled' in error) return { kind: 'AlgorithmNotEnabled', ...error.AlgorithmNotEnabled };
  if ('SigningKeyNotReady' in error) {
    const { algorithm, status } = error.SigningKeyNotReady;
    return { kind: 'SigningKeyNotReady', algorithm: algorithm as JwsAlgorithm, status: signingKeyStatusFromCandid(status) };
  }
  if ('SigningFailed' in error) return { kind: 'SigningFailed', rejectCode: error.SigningFailed.reject_code, message: error.SigningFailed.message };
  return { kind: 'CyclesBelowFloor', ...error.CyclesBelowFloor };
}

function signingKeyStatusFromCandid(status: CandidSigningKeyStatus): SigningKeyStatus {
  if ('Ready' in status) return { kind: 'Ready' };
  if ('Fetching' in status) return { kind: 'Fetching' };
  const { reject_code, message, attempts, next_retry_at } = status.Failed;
  return { kind: 'Failed', rejectCode: reject_code, message, attempts, nextRetryAtSeconds: Number(next_retry_at) };
}

/** Cycles as trillions, e.g. "0.026 T cycles". */
export function formatCycles(cycles: bigint): string {
  const trillions = Number(cycles) / 1e12;
  const digits = trillions >= 1 ? 2 : 3;
  return `${trillions.toFixed(digits)} T cycles`;
}

/** One or two sentences: what went wrong and what to do. */
export function describeIssueError(error: IssueError): string {
  switch (error.kind) {
    case 'AnonymousCaller':
      return 'The issuer does not give tokens to the anonymous principal. Log in, then ask for a token.';
    case 'AudienceNotAllowed':
      return `The audience "${error.audience}" is not allowed by the issuer. Allowed: ${error.allowed.map((audience) => `"${audience}"`).join(', ')}.`;
    case 'TtlOutOfRange':
      return `A lifetime of ${error.requested} s is out of range: the issuer allows ${error.min} to ${error.max} seconds.`;
    case 'ClaimsInvalid':
      return `The extra claims were refused: ${error.reason}.`;
    case 'RateLimited':
      return error.scope === 'Caller'
        ? `You have asked for too many tokens. Try again in ${formatSeconds(error.retryAfterSeconds)}.`
        : `The issuer is signing as many tokens as it allows for everyone right now. Try again in ${formatSeconds(error.retryAfterSeconds)}.`;
    case 'AlgorithmNotEnabled':
      return `The issuer does not sign with ${error.algorithm}. Enabled: ${error.enabled.join(', ')}.`;
    case 'SigningKeyNotReady':
      return error.status.kind === 'Failed'
        ? `The issuer has no ${error.algorithm} signing key: the subnet refused it (reject code ${error.status.rejectCode}: ${error.status.message}).`
        : 'The issuer has not fetched its signing key yet (it does so right after install or upgrade). Try again in a minute.';
    case 'SigningFailed':
      return `The subnet did not sign the token (reject code ${error.rejectCode}: ${error.message}). Try again later.`;
    case 'CyclesBelowFloor':
      return (
        `The issuer canister is low on cycles: it holds ${formatCycles(error.balance)}, keeps at least ${formatCycles(error.floor)} ` +
        `and a signature costs ${formatCycles(error.fee)}. Tokens resume once its controller tops it up.`
      );
  }
}
