import { concatBytes } from '@noble/hashes/utils.js';
import type { CallResult } from '../shared/call_result';
import type { CborEncodableMap } from './cbor';
import { errorCodeOf } from './error_codes';
import type { SubnetKeys } from './network_keys';
import { hashOfMap, type HashableMap } from './request_id';

/**
 * Query responses and their node signatures (interface spec, "Request:
 * Query call"): the node signs `"\x0Bic-response" · hash_of_map(response)`
 * where the response map holds the status, the reply (or the reject
 * fields), the signature's timestamp and the request id. Agents look the
 * node's Ed25519 key up under `/subnet/<subnet_id>/node/<node_id>/public_key`.
 */

export const RESPONSE_DOMAIN_SEPARATOR = new TextEncoder().encode('\x0Bic-response');

export function signedQueryResponse(
  keys: SubnetKeys,
  result: CallResult,
  requestId: Uint8Array,
  timestamp: bigint
): CborEncodableMap {
  const response: HashableMap =
    result.kind === 'replied'
      ? { status: 'replied', reply: { arg: result.reply } }
      : {
          status: 'rejected',
          reject_code: BigInt(result.code),
          reject_message: result.message,
          error_code: errorCodeOf(result)
        };
  const signedHash = hashOfMap({ ...response, timestamp, request_id: requestId });
  const signature = keys.signAsNode(concatBytes(RESPONSE_DOMAIN_SEPARATOR, signedHash));
  return { ...response, signatures: [{ timestamp, signature, identity: keys.nodeId.toUint8Array() }] };
}
