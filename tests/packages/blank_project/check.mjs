// Runs in a blank project where only the packed tarballs (and their dependencies from the npm
// registry) are installed: the client gets tokens from the canister, the verifier checks them.
// Arguments: host, canister id, issuer, JWK Set URL. Prints what happened as JSON.
import { Ed25519KeyIdentity } from '@dfinity/identity';
import { HttpAgent as CoreHttpAgent } from '@icp-sdk/core/agent';
import { Ed25519KeyIdentity as CoreEd25519KeyIdentity } from '@icp-sdk/core/identity';
import { getJwt, IcJwtError } from '@ic-jwt/client';
import { createVerifier } from '@ic-jwt/verifier';

const [host, canisterId, issuer, jwksUrl] = process.argv.slice(2);
const identity = Ed25519KeyIdentity.generate();
const caller = { identity, host, canisterId };
const es256k = await getJwt({ ...caller, algorithm: 'ES256K' });
const eddsa = await getJwt({ ...caller, algorithm: 'EdDSA' });
const reused = await getJwt({ ...caller, algorithm: 'ES256K' });
// An agent of @icp-sdk/core 6 (v4 calls, delegated certificates), made by the dapp.
const coreAgent = await CoreHttpAgent.create({ host, shouldFetchRootKey: true, identity: CoreEd25519KeyIdentity.generate() });
const fromCoreAgent = await getJwt({ agent: coreAgent, canisterId, algorithm: 'ES256K', cache: false });
const verifier = createVerifier({ issuer, jwksUri: jwksUrl, audience: canisterId, algorithms: ['ES256K', 'EdDSA'] });
const claims = [await verifier.verify(es256k.token), await verifier.verify(eddsa.token)];
const coreAgentSubject = (await verifier.verify(fromCoreAgent.token)).sub === (await coreAgent.getPrincipal()).toText();
const refusal = await getJwt({ ...caller, audience: 'not-allowed' }).catch((error) => ({ isIcJwtError: error instanceof IcJwtError, code: error.code }));
const tampered = await verifier.verify(`${es256k.token.slice(0, -4)}AAAA`).catch((error) => error.code);
const { requireJwt } = await import('@ic-jwt/verifier/express');
const { socketJwtAuth } = await import('@ic-jwt/verifier/socketio');
const { idlFactory } = await import('@ic-jwt/client/candid');

console.log(
  JSON.stringify({
    principal: identity.getPrincipal().toText(),
    subjects: claims.map((c) => c.sub),
    reused: reused.token === es256k.token,
    coreAgentSubject,
    refusal,
    tampered,
    adapters: [typeof requireJwt, typeof socketJwtAuth, typeof idlFactory],
    resolved: [import.meta.resolve('@ic-jwt/verifier'), import.meta.resolve('@ic-jwt/client')]
  })
);
