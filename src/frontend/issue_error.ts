// The canister's refusals (IcJwtError of @ic-jwt/client), in words for the user. Pure.
import type { IcJwtError, IssueErrorCode, IssueErrorDetails } from '@ic-jwt/client';

import { formatSeconds } from './countdown';

/** One case with its details, discriminated by code. */
type IssueErrorCase = { [C in IssueErrorCode]: { code: C } & IssueErrorDetails[C] }[IssueErrorCode];

/** Cycles as trillions, e.g. "0.026 T cycles". */
export function formatCycles(cycles: bigint): string {
  const trillions = Number(cycles) / 1e12;
  const digits = trillions >= 1 ? 2 : 3;
  return `${trillions.toFixed(digits)} T cycles`;
}

/** One or two sentences: what went wrong and what to do. */
export function describeIssueError({ code, details }: IcJwtError): string {
  const error = { code, ...details } as IssueErrorCase;
  switch (error.code) {
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
