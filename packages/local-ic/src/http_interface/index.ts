export type {
  CallRejection,
  CallResult,
  CanisterCall,
  CanisterMetadataSection,
  CertifiedCanister,
  IngressCall,
  QueryCall,
  ReplicaBackend
} from './backend';
export { IcHttpInterface, IC_API_VERSION, type HttpReply, type IcHttpInterfaceOptions } from './ic_http_interface';
export {
  startReplicaServer,
  LOOPBACK_HOST,
  type ReplicaServerOptions,
  type RunningReplicaServer,
  type WebHandler,
  type WebReply,
  type WebRequest
} from './server';
export { routeRequest, type HttpRequestInput, type RouterOptions } from './router';
export {
  BLS_PUBLIC_KEY_DER_PREFIX,
  BLS_SIGNATURE_DST,
  generateNetworkSecret,
  NETWORK_SECRET_LENGTH,
  NetworkKeys,
  SubnetKeys
} from './network_keys';
export type { CanisterRange } from './state_tree';
export {
  authenticateRequest,
  DelegationTargets,
  MAX_DELEGATIONS,
  MAX_INGRESS_TTL_NANOS,
  MAX_NONCE_BYTES,
  MAX_TARGETS_PER_DELEGATION,
  PERMITTED_DRIFT_AT_VALIDATOR_NANOS
} from './authentication';
export { decodeEnvelope, type Envelope, type RequestType } from './envelope';
export { decodeCbor, encodeCbor, CborDecodeError, type CborValue, type CborEncodable } from './cbor';
export { hashOfMap, hashValue, requestIdOf, type HashableValue, type HashableMap } from './request_id';
export {
  decodeHashTree,
  encodeHashTree,
  HashTreeBuilder,
  lookupPath,
  reconstruct,
  type HashTree,
  type LabeledTree,
  type LookupResult
} from './hash_tree';
export { Certifier, STATE_ROOT_DOMAIN_SEPARATOR } from './certificate';
export { RESPONSE_DOMAIN_SEPARATOR } from './query_response';
export {
  EffectiveCanisterIdError,
  HttpInterfaceError,
  InvalidReadStatePathError,
  MalformedRequestError,
  PayloadTooLargeError,
  ReadStateForbiddenError,
  RequestValidationError,
  UnsupportedContentTypeError,
  type RequestValidationReason
} from './errors';
