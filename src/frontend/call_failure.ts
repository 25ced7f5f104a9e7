// Words for a call that failed before the canister could answer with an IssueError: the replica
// unreachable, the call rejected, an answer that does not verify. Pure: it reads @dfinity/agent's
// error kinds (AgentError.kind) without importing the agent.
import { isLocalUrl } from './config';

/** The message without stack lines, on one line. */
function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('at '))
    .join(' ');
}

/** A replica reject carries its code and text on AgentError.code (e.g. CertifiedRejectErrorCode). */
function rejectOf(error: unknown): { code: number; text: string } | undefined {
  const code = (error as { code?: { rejectCode?: unknown; rejectMessage?: unknown } }).code;
  if (typeof code?.rejectCode !== 'number' || typeof code.rejectMessage !== 'string') return undefined;
  return { code: code.rejectCode, text: code.rejectMessage };
}

function kindOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('kind' in error)) return undefined;
  const kind = (error as { kind: unknown }).kind;
  return typeof kind === 'string' ? kind : undefined;
}

export function describeCallFailure(error: unknown, host: string): string {
  const detail = messageOf(error);
  const kind = kindOf(error);
  if (kind === undefined && error instanceof TypeError) {
    // fetch() itself threw: nothing answered at that address.
    return unreachable(host, detail);
  }
  switch (kind) {
    case 'Transport':
      return unreachable(host, detail);
    case 'Reject': {
      const reject = rejectOf(error);
      return reject === undefined ? `The canister rejected the call: ${detail}` : `The canister rejected the call (reject code ${reject.code}): ${reject.text}`;
    }
    case 'Trust':
      return `The replica's answer could not be verified, so it was not used: ${detail}`;
    case undefined:
      return `The call failed: ${detail}`;
    default:
      return `The call failed (${kind} error): ${detail}`;
  }
}

function unreachable(host: string, detail: string): string {
  const hint = isLocalUrl(host) ? ' Is the local IC running?' : ' Check your connection.';
  return `Could not reach the Internet Computer at ${host}.${hint} (${detail})`;
}
