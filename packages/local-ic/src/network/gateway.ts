// The HTTP gateway: turns a browser's HTTP request into the canister's http_request query
// (or http_request_update when the canister asks to upgrade), and checks the response's
// certification the way the public gateway does, with @dfinity/response-verification.
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { verifyRequestResponsePair } from '@dfinity/response-verification';

import type { CallResult } from '../call_result';
import { assertBoundedCandid } from '../candid_bounds';
import type { WebReply, WebRequest } from '../http_interface';
import type { LocalIc } from '../local_ic';
import type { CanisterAddress } from './canister_address';
import { rejectionReply } from './gateway_errors';
import { gatewayRequestTarget } from './request_target';

export interface GatewayOptions {
  readonly ic: LocalIc;
  /** The network's root key, DER, as /api/v2/status gives it. */
  readonly rootKey: Uint8Array;
  /**
   * Lets responses that carry no certification through, marked with an
   * x-local-ic-uncertified header. The public gateway (icp0.io) refuses them;
   * off by default so that local runs catch what mainnet would refuse.
   */
  readonly allowUncertifiedResponses: boolean;
}

const HeaderField = IDL.Tuple(IDL.Text, IDL.Text);
const HttpRequest = IDL.Record({
  method: IDL.Text,
  url: IDL.Text,
  headers: IDL.Vec(HeaderField),
  body: IDL.Vec(IDL.Nat8),
  certificate_version: IDL.Opt(IDL.Nat16)
});
const HttpUpdateRequest = IDL.Record({ method: IDL.Text, url: IDL.Text, headers: IDL.Vec(HeaderField), body: IDL.Vec(IDL.Nat8) });
const HttpResponse = IDL.Record({
  status_code: IDL.Nat16,
  headers: IDL.Vec(HeaderField),
  body: IDL.Vec(IDL.Nat8),
  upgrade: IDL.Opt(IDL.Bool)
});

interface CanisterResponse {
  status_code: number;
  headers: [string, string][];
  body: Uint8Array;
  upgrade: [] | [boolean];
}

const CERTIFICATE_VERSION = 2;
/** How old the certificate's time may be, as the public gateway allows. */
const MAX_CERTIFICATE_AGE_NANOS = 5n * 60n * 1_000_000_000n;
const TEXT = 'text/plain; charset=utf-8';

export async function serveThroughGateway(options: GatewayOptions, address: CanisterAddress, request: WebRequest): Promise<WebReply> {
  const { ic } = options;
  const { canisterId } = address;
  if (!ic.hasCanister(canisterId)) return textReply(404, `Canister ${canisterId.toText()} does not exist on this network.`);

  const headers = request.headers.filter(([name]) => name !== 'host');
  const target = gatewayRequestTarget(address.url);
  const url = target.url;
  const marks: [string, string][] = target.rewritten ? [['x-local-ic-rewritten-url', url]] : [];
  const queryArg = IDL.encode([HttpRequest], [
    { method: request.method, url, headers, body: request.body, certificate_version: [CERTIFICATE_VERSION] }
  ]);
  let outcome = await ic.queryCall(canisterId, 'http_request', queryArg, { sender: Principal.anonymous() });
  let response = decodeResponse(outcome, canisterId);
  if ('error' in response) return response.error;

  if (response.upgrade[0] === true) {
    const updateArg = IDL.encode([HttpUpdateRequest], [{ method: request.method, url, headers, body: request.body }]);
    outcome = await ic.updateCall(canisterId, 'http_request_update', updateArg, { sender: Principal.anonymous() });
    response = decodeResponse(outcome, canisterId);
    if ('error' in response) return response.error;
    // Responses of update calls went through consensus: no certification to check.
    return { status: response.status_code, headers: [...response.headers, ...marks], body: response.body };
  }

  const certified = response.headers.some(([name]) => name.toLowerCase() === 'ic-certificate');
  if (!certified) {
    if (!options.allowUncertifiedResponses) {
      return textReply(503, `The response of canister ${canisterId.toText()} carries no IC-Certificate header: the gateway refuses uncertified responses, as icp0.io does.`);
    }
    return { status: response.status_code, headers: [...response.headers, ['x-local-ic-uncertified', 'true'], ...marks], body: response.body };
  }

  try {
    const verification = verifyRequestResponsePair(
      { url, method: request.method, body: request.body, headers, certificate_version: [CERTIFICATE_VERSION] },
      { status_code: response.status_code, headers: response.headers, body: response.body },
      canisterId.toUint8Array(),
      ic.time,
      MAX_CERTIFICATE_AGE_NANOS,
      options.rootKey,
      CERTIFICATE_VERSION
    );
    const verified = verification.response;
    if (verified === undefined) return textReply(503, 'Response verification returned no response.');
    return { status: verified.statusCode ?? response.status_code, headers: [...verified.headers, ...marks], body: verified.body };
  } catch (error) {
    const reason = (error as { message?: string }).message ?? String(error);
    return textReply(503, `Response verification failed for canister ${canisterId.toText()}: ${reason}`);
  }
}

function decodeResponse(outcome: CallResult, canisterId: Principal): CanisterResponse | { error: WebReply } {
  if (outcome.kind === 'rejected') return { error: rejectionReply(outcome.code, outcome.message, canisterId.toText()) };
  try {
    assertBoundedCandid(outcome.reply); // a canister's reply is untrusted input to the gateway
    const [decoded] = IDL.decode([HttpResponse], outcome.reply) as unknown as [CanisterResponse];
    return { ...decoded, body: Uint8Array.from(decoded.body) };
  } catch (error) {
    return { error: textReply(502, `The canister's http_request reply is not a valid HttpResponse: ${(error as Error).message}`) };
  }
}

function textReply(status: number, message: string): WebReply {
  return { status, headers: [['content-type', TEXT]], body: message };
}
