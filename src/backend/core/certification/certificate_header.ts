// The IC-Certificate header (HTTP Gateway Protocol, "The Certificate Header"): the subnet's
// certificate, the witness and the expression path, each base64 of self-described CBOR.
import { base64Encode, base64EncodeAscii } from '../base64url';
import { asciiString, concatBytes, utf8 } from '../bytes';
import { encodeSelfDescribedCbor } from './cbor';
import { hashTreeToCbor, type HashTree } from './hash_tree';

export const CERTIFICATION_VERSION = 2;

/** Everything after the certificate, which is the only part that changes from query to query. */
export function certificateHeaderTail(witness: HashTree, expressionPath: readonly string[]): string {
  const tree = base64Encode(encodeSelfDescribedCbor(hashTreeToCbor(witness)));
  const path = base64Encode(encodeSelfDescribedCbor(expressionPath));
  return `tree=:${tree}:, expr_path=:${path}:, version=${CERTIFICATION_VERSION}`;
}

/** `dataCertificate` is ic0.data_certificate_copy's bytes (already CBOR), passed on unchanged. */
export function certificateHeaderValue(dataCertificate: Uint8Array, tail: string): string {
  return asciiString(certificateHeaderValueAscii(dataCertificate, utf8(tail)));
}

const BEFORE_CERTIFICATE = utf8('certificate=:');
const AFTER_CERTIFICATE = utf8(':, ');

/** certificateHeaderValue as ASCII bytes, from the tail's ASCII bytes: what a query builds. */
export function certificateHeaderValueAscii(dataCertificate: Uint8Array, tail: Uint8Array): Uint8Array {
  return concatBytes(BEFORE_CERTIFICATE, base64EncodeAscii(dataCertificate), AFTER_CERTIFICATE, tail);
}
