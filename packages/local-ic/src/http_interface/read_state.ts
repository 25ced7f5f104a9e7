import { Principal } from '@dfinity/principal';
import { bytesToHex } from '@noble/hashes/utils.js';
import { MAX_PRINCIPAL_LENGTH } from '../ids';
import type { DelegationTargets } from './authentication';
import type { CertifiedCanister } from './backend';
import { InvalidReadStatePathError, ReadStateForbiddenError } from './errors';
import type { RequestStatusStore } from './request_status';

/**
 * Which paths a read_state request may ask for (interface spec, "Request:
 * Read state" and "Certified state reads"), checked as the replica does:
 * unsupported paths are answered 404, malformed principals or request ids
 * and canister ids other than the effective one 400, and another sender's
 * request status, or one outside the sender's delegation targets, 403.
 * `/canister/<id>/certified_data` cannot be read this way: it is only for
 * the canister itself, through its data certificate.
 *
 * Since spec 0.50.0 the routing table comes in two forms: the legacy
 * `/subnet/<id>/canister_ranges` on the deprecated (v2) endpoints, or on the
 * current (v3) ones only for the root subnet, and the sharded
 * `/canister_ranges/<subnet_id>/<shard>` only on the current ones.
 */

export type ApiGeneration = 'deprecated' | 'current';

export interface RoutingTableScope {
  readonly generation: ApiGeneration;
  readonly rootSubnetId: Principal;
}

export interface CanisterReadStateScope extends RoutingTableScope {
  readonly effectiveCanisterId: Principal;
  readonly sender: Principal;
  readonly targets: DelegationTargets;
  readonly requests: RequestStatusStore;
  readonly findCanister: (id: Principal) => CertifiedCanister | undefined;
}

const REQUEST_ID_LENGTH = 32;
const REQUEST_STATUS_FIELDS = new Set(['status', 'reply', 'reject_code', 'reject_message', 'error_code']);
const textDecoder = new TextDecoder('utf-8', { fatal: true });

export function authorizeCanisterPaths(paths: readonly (readonly Uint8Array[])[], scope: CanisterReadStateScope): void {
  let requestIdOfPaths: string | undefined;
  for (const path of paths) {
    const labels = path.map(labelText);
    const [first, , third, fourth] = labels;
    const length = labels.length;
    if (first === 'time' && length === 1) continue;
    if (first === 'api_boundary_nodes' && (length <= 2 || (length === 3 && isBoundaryNodeField(third)))) continue;
    if (isRoutingTablePath(path, labels, scope)) continue;
    if (first === 'subnet' && isSubnetPath(labels)) continue;
    if (first === 'canister' && length === 3 && (third === 'controllers' || third === 'module_hash')) {
      requireEffectiveCanister(path[1] as Uint8Array, scope.effectiveCanisterId);
      continue;
    }
    if (first === 'canister' && length === 4 && third === 'metadata') {
      const canisterId = requireEffectiveCanister(path[1] as Uint8Array, scope.effectiveCanisterId);
      if (fourth === undefined) {
        throw new InvalidReadStatePathError(400, 'Could not parse the custom section name: it is not valid UTF-8.');
      }
      authorizeMetadata(scope, canisterId, fourth);
      continue;
    }
    if (first === 'request_status' && (length === 2 || (length === 3 && REQUEST_STATUS_FIELDS.has(third ?? '')))) {
      const requestId = path[1] as Uint8Array;
      if (requestId.length !== REQUEST_ID_LENGTH) {
        throw new InvalidReadStatePathError(
          400,
          `Invalid request id in paths. Maybe the request ID is not of ${REQUEST_ID_LENGTH} bytes in length?!`
        );
      }
      const key = bytesToHex(requestId);
      if (requestIdOfPaths !== undefined && requestIdOfPaths !== key) {
        throw new InvalidReadStatePathError(
          400,
          `More than one non-unique request ID exists in request_status paths: 0x${requestIdOfPaths} and 0x${key}.`
        );
      }
      requestIdOfPaths = key;
      authorizeRequestStatus(scope, requestId);
      continue;
    }
    throw new InvalidReadStatePathError(404, 'Invalid path requested.');
  }
}

/** At `/api/v{2,3}/subnet/<subnet_id>/read_state`: only time, subnet information and the routing table. */
export function authorizeSubnetPaths(paths: readonly (readonly Uint8Array[])[], scope: RoutingTableScope): void {
  for (const path of paths) {
    const labels = path.map(labelText);
    if (labels[0] === 'time' && labels.length === 1) continue;
    if (isRoutingTablePath(path, labels, scope)) continue;
    if (labels[0] === 'subnet' && (isSubnetPath(labels) || (labels.length === 3 && labels[2] === 'metrics'))) continue;
    throw new InvalidReadStatePathError(404, 'Invalid path requested.');
  }
}

/**
 * True for a routing-table path this endpoint may read, false for a path
 * that is not about the routing table; throws 404 for one it may not read.
 */
function isRoutingTablePath(
  path: readonly Uint8Array[],
  labels: readonly (string | undefined)[],
  scope: RoutingTableScope
): boolean {
  const legacy = labels[0] === 'subnet' && labels.length === 3 && labels[2] === 'canister_ranges';
  const sharded = labels[0] === 'canister_ranges' && labels.length <= 3;
  if (!legacy && !sharded) return false;
  const allowed = legacy
    ? scope.generation === 'deprecated' || isRootSubnet(path[1], scope.rootSubnetId)
    : scope.generation === 'current';
  if (!allowed) throw new InvalidReadStatePathError(404, 'Invalid path requested.');
  return true;
}

function isRootSubnet(label: Uint8Array | undefined, rootSubnetId: Principal): boolean {
  return label !== undefined && bytesToHex(label) === rootSubnetId.toHex().toLowerCase();
}

function labelText(label: Uint8Array): string | undefined {
  try {
    return textDecoder.decode(label);
  } catch {
    return undefined;
  }
}

function isBoundaryNodeField(label: string | undefined): boolean {
  return label === 'domain' || label === 'ipv4_address' || label === 'ipv6_address';
}

function isSubnetPath(labels: readonly (string | undefined)[]): boolean {
  const [, , field, , nodeField] = labels;
  switch (labels.length) {
    case 1:
    case 2:
      return true;
    case 3:
      return field === 'public_key' || field === 'canister_ranges' || field === 'node';
    case 4:
      return field === 'node';
    case 5:
      return field === 'node' && nodeField === 'public_key';
    default:
      return false;
  }
}

function requireEffectiveCanister(label: Uint8Array, effectiveCanisterId: Principal): Principal {
  if (label.length > MAX_PRINCIPAL_LENGTH) {
    throw new InvalidReadStatePathError(400, `Could not parse principal ID: ${label.length} bytes is longer than a principal.`);
  }
  const canisterId = Principal.fromUint8Array(label);
  if (canisterId.toHex() !== effectiveCanisterId.toHex()) {
    throw new InvalidReadStatePathError(
      400,
      `Effective principal id in URL ${effectiveCanisterId.toText()} does not match requested principal id: ${canisterId.toText()}.`
    );
  }
  return canisterId;
}

function authorizeMetadata(scope: CanisterReadStateScope, canisterId: Principal, name: string): void {
  const canister = scope.findCanister(canisterId);
  const section = canister?.metadata?.get(name);
  if (canister === undefined || section === undefined || section.visibility === 'public') return;
  if (!canister.controllers.some((controller) => controller.toHex() === scope.sender.toHex())) {
    throw new ReadStateForbiddenError(
      `Custom section ${name.slice(0, 100)} can only be requested by the controllers of the canister.`
    );
  }
}

function authorizeRequestStatus(scope: CanisterReadStateScope, requestId: Uint8Array): void {
  const request = scope.requests.get(requestId);
  if (request === undefined) return; // absent: the certificate proves it
  // SECURITY: a request's status and reply are readable only by its sender, within its delegation targets.
  if (request.sender.toHex() !== scope.sender.toHex()) {
    throw new ReadStateForbiddenError('The user tries to access Request ID not signed by the caller.');
  }
  if (!scope.targets.contains(request.canisterId)) {
    throw new ReadStateForbiddenError(
      'The user tries to access request IDs for canisters not belonging to sender delegation targets.'
    );
  }
}
