// HTTP certification v2, response-only, for http_request. Build time (init, post_upgrade, any
// update or timer that rebuilds the responses): give every response CERTIFICATE_EXPRESSION_HEADER,
// certifyResponses(...), then certified_data_set(rootHash). Query time: route on
// canonicalRequestPath(url) and add withCertificate(url, response, data_certificate()).
export {
  CERTIFICATE_EXPRESSION,
  CERTIFICATE_EXPRESSION_HEADER,
  CERTIFICATE_EXPRESSION_HEADER_NAME,
  CERTIFIED_RESPONSE_HEADERS
} from './cel_expression';
export {
  certifyResponses,
  ResponseNotCertifiedError,
  UncertifiableResponseError,
  type CertifiedResponses,
  type ResponsesToCertify
} from './certified_responses';
export { canonicalRequestPath, isOverlongUrl, REQUEST_PATH_LIMITS } from './expression_path';
export { CERTIFICATE_HEADER_NAME, rememberBodyHash, type CertifiableResponse } from './response_hash';
