// Independent verification of ES256K tokens with node:crypto (OpenSSL), for tests.
import { createPublicKey, verify } from 'node:crypto';

export interface VerifiedToken {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
}

const decodeJson = (part: string): Record<string, unknown> => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));

/** Verifies `token` against the key of a JWK Set whose kid the header names; throws on any failure. */
export function verifyWithJwks(token: string, jwks: { keys: Record<string, unknown>[] }): VerifiedToken {
  const [headerPart, payloadPart, signaturePart, ...rest] = token.split('.');
  if (signaturePart === undefined || rest.length > 0) throw new Error('not a compact JWS');
  const header = decodeJson(headerPart!);
  if (header['alg'] !== 'ES256K') throw new Error(`unexpected alg ${String(header['alg'])}`);
  const jwk = jwks.keys.find((key) => key['kid'] === header['kid']);
  if (jwk === undefined) throw new Error(`no key with kid ${String(header['kid'])} in the JWKS`);
  const ok = verify(
    'sha256',
    Buffer.from(`${headerPart}.${payloadPart}`),
    { key: createPublicKey({ key: { ...jwk }, format: 'jwk' }), dsaEncoding: 'ieee-p1363' },
    Buffer.from(signaturePart, 'base64url')
  );
  if (!ok) throw new Error('bad signature');
  return { header, payload: decodeJson(payloadPart!) };
}
