// A dapp page in miniature: a logged-in identity kept in sessionStorage (as a login would keep
// its delegation), and a token from getJwt cached in sessionStorage. Reloading the page must
// give the same token without asking the canister again. The query string names the network.
import { Ed25519KeyIdentity } from '@dfinity/identity';
import { getJwt, TokenCache, type IssuedJwt } from '@ic-jwt/client';

declare global {
  interface Window {
    jwtResult?: { jwt: IssuedJwt } | { error: string };
  }
}

const params = new URLSearchParams(location.search);
const saved = sessionStorage.getItem('test-identity');
const identity = saved === null ? Ed25519KeyIdentity.generate() : Ed25519KeyIdentity.fromJSON(saved);
sessionStorage.setItem('test-identity', JSON.stringify(identity.toJSON()));

getJwt({ identity, host: params.get('host')!, canisterId: params.get('canisterId')!, cache: new TokenCache({ storage: sessionStorage }) }).then(
  (jwt) => (window.jwtResult = { jwt }),
  (error: unknown) => (window.jwtResult = { error: String(error) })
);
