// How the gateway answers when the canister rejects http_request or http_request_update: the
// status and `x-ic-error-cause` that ic-gateway (icp0.io) gives for the reject code, with a JSON
// body of the same shape ({ error_type, description, details }), in our own words.
import type { WebReply } from '../http_interface';

interface GatewayRejection {
  readonly status: number;
  readonly cause: string;
  readonly description: string;
  readonly withDetails: boolean;
}

// Reject codes of the IC interface specification.
const SYS_TRANSIENT = 2;
const DESTINATION_INVALID = 3;
const CANISTER_REJECT = 4;
const CANISTER_ERROR = 5;

function classify(code: number, message: string, canisterId: string): GatewayRejection {
  switch (code) {
    case CANISTER_ERROR:
      return { status: 503, cause: 'canister_error', description: `Canister ${canisterId} could not process the request.`, withDetails: true };
    case CANISTER_REJECT:
      return { status: 503, cause: 'canister_reject', description: `Canister ${canisterId} rejected the request.`, withDetails: false };
    case DESTINATION_INVALID:
      return { status: 404, cause: 'canister_not_found', description: `Canister ${canisterId} does not exist or is not available.`, withDetails: false };
    default:
      if (code === SYS_TRANSIENT && message.includes('frozen')) {
        return { status: 503, cause: 'canister_frozen', description: `Canister ${canisterId} is out of cycles.`, withDetails: false };
      }
      return { status: 503, cause: 'backend_other', description: 'The IC could not process the request.', withDetails: true };
  }
}

export function rejectionReply(code: number, message: string, canisterId: string): WebReply {
  const { status, cause, description, withDetails } = classify(code, message, canisterId);
  const details = withDetails ? `reject code ${code}: ${message}` : null;
  return {
    status,
    headers: [
      ['content-type', 'application/json'],
      ['x-ic-error-cause', cause]
    ],
    body: JSON.stringify({ error_type: cause, description, details }, null, 2)
  };
}
