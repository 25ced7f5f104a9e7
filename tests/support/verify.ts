// Independent verification of ES256K and EdDSA tokens with node:crypto (OpenSSL), for tests.
import { createPublicKey, verify } from 'node:crypto';

export interface VerifiedToken {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
}

const decodeJson = (part: string): Record<string, unknown> => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));

/** Verifies `token`'s signature, then its exp, iat and nbf at `now` (default: the wall clock); throws on any failure. */
export function verifyWithJwks(token: string, jwks: { keys: Record<string, unknown>[] }, { now = new Date() }: { now?: Date } = {}): VerifiedToken {
  const verified = verifySignatureWithJwks(token, jwks);
  checkTimes(verified.payload, Math.floor(now.getTime() / 1000));
  return verified;
}

/** The signature only, against the key of a JWK Set whose kid the header names: no claim is checked. */
export function verifySignatureWithJwks(token: string, jwks: { keys: Record<string, unknown>[] }): VerifiedToken {
  const [headerPart, payloadPart, signaturePart, ...rest] = token.split('.');
  if (signaturePart === undefined || rest.length > 0) throw new Error('not a compact JWS');
  const header = decodeJson(headerPart!);
  const alg = header['alg'];
  if (alg !== 'ES256K' && alg !== 'EdDSA') throw new Error(`unexpected alg ${String(alg)}`);
  const jwk = jwks.keys.find((key) => key['kid'] === header['kid']);
  if (jwk === undefined) throw new Error(`no key with kid ${String(header['kid'])} in the JWKS`);
  // The key decides the algorithm: an EdDSA header never selects an EC key, nor the reverse.
  if (jwk['alg'] !== alg) throw new Error(`the key ${String(header['kid'])} is for ${String(jwk['alg'])}, not ${alg}`);
  const key = createPublicKey({ key: { ...jwk }, format: 'jwk' });
  const input = Buffer.from(`${headerPart}.${payloadPart}`);
  const signature = Buffer.from(signaturePart, 'base64url');
  const ok = alg === 'ES256K' ? verify('sha256', input, { key, dsaEncoding: 'ieee-p1363' }, signature) : verify(null, input, key, signature);
  if (!ok) throw new Error('bad signature');
  return { header, payload: decodeJson(payloadPart!) };
}

/** RFC 7519 §4.1.4-6, no leeway: a token is good from its nbf (or iat) until just before its exp. */
function checkTimes(payload: Record<string, unknown>, nowSeconds: number): void {
  const { exp, iat, nbf } = payload;
  if (typeof exp !== 'number') throw new Error('the token has no numeric exp');
  if (nowSeconds >= exp) throw new Error(`the token expired at ${exp}; now is ${nowSeconds}`);
  if (typeof iat === 'number' && iat > nowSeconds) throw new Error(`the token was issued at ${iat}, after now (${nowSeconds})`);
  if (typeof nbf === 'number' && nbf > nowSeconds) throw new Error(`the token is not valid before ${nbf}; now is ${nowSeconds}`);
}
