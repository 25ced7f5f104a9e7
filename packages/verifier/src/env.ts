// Verifier options from environment variables, for servers configured by env (see the examples).
import { VerifierConfigError } from './errors.js';
import type { VerifierOptions } from './options.js';

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * ISSUER              exactly the tokens' iss, e.g. https://<canister-id>.icp0.io
 * CANISTER_ID         instead of ISSUER: the issuer canister (issuer https://<id>.icp0.io unless ISSUER is set too)
 * GATEWAY             with CANISTER_ID: icp0.io (default), http://localhost:4943, http://127.0.0.1:4943
 * AUDIENCE            accepted audience(s), comma-separated; default CANISTER_ID (the canister's default audience)
 * JWKS_URI            optional: fetch the JWK Set from here
 * DISCOVERY=1         optional, with ISSUER only: find the JWK Set through OpenID discovery
 * ALGORITHMS          optional, comma-separated: ES256K (default), EdDSA
 * TOKEN_TYPE          optional: jwt (default, ic-jwt tokens) or at+jwt (the OpenID provider's access tokens)
 */
export function verifierOptionsFromEnv(env: Env): VerifierOptions {
  const value = (name: string) => (env[name]?.trim() === '' ? undefined : env[name]?.trim());
  const canisterId = value('CANISTER_ID');
  const issuer = value('ISSUER');
  const audienceList = value('AUDIENCE')?.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  const audience = audienceList ?? (canisterId === undefined ? undefined : [canisterId]);
  if (audience === undefined || audience.length === 0) {
    throw new VerifierConfigError('AUDIENCE', 'set AUDIENCE (or CANISTER_ID, whose id is the default audience)');
  }
  const algorithms = value('ALGORITHMS')?.split(',').map((entry) => entry.trim()) as VerifierOptions['algorithms'];
  const jwksUri = value('JWKS_URI');
  const tokenType = value('TOKEN_TYPE') as VerifierOptions['tokenType'];
  const common = {
    audience,
    ...(algorithms === undefined ? {} : { algorithms }),
    ...(tokenType === undefined ? {} : { tokenType }),
    ...(jwksUri === undefined ? {} : { jwksUri })
  };
  if (canisterId !== undefined) {
    const gatewayHost = value('GATEWAY');
    return { ...common, canisterId, ...(issuer === undefined ? {} : { issuer }), ...(gatewayHost === undefined ? {} : { gatewayHost }) };
  }
  if (issuer === undefined) throw new VerifierConfigError('ISSUER', 'set ISSUER or CANISTER_ID');
  return { ...common, issuer, discovery: value('DISCOVERY') === '1' };
}
