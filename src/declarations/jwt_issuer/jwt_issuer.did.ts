// The canister's own imports still point here; the bindings live in the client package (@ic-jwt/client/candid).
export * from '../../../packages/client/src/candid/jwt_issuer.did';
