#!/usr/bin/env python3
"""Verify ic-jwt tokens with PyJWT: ES256K pinned, issuer and audience checked.

    /usr/bin/python3 examples/python/verify.py <jwks-url> <token> [<token> ...] \
        --issuer https://<canister-id>.icp0.io --audience <audience>

Pass "-" instead of tokens to read one token per line from stdin. Prints one JSON line
per token ({"ok": true, "claims": {...}} or {"ok": false, "error": ..., "message": ...})
and exits 0 only if every token verified.

Needs PyJWT >= 2.4 with the cryptography package (Debian: python3-jwt python3-cryptography).
"""
import argparse
import json
import sys

import jwt
from jwt import PyJWKClient

# Every ic-jwt token carries these; requiring them turns a missing one into an error.
REQUIRED_CLAIMS = ["iss", "sub", "aud", "iat", "nbf", "exp", "jti"]


def verify_token(client, token, issuer, audience, algorithms, leeway):
    # Security: the key comes from the issuer's JWK Set by kid, and the algorithm list is
    # pinned: the token's own "alg" only selects among these (never "none" or HS256).
    signing_key = client.get_signing_key_from_jwt(token)
    return jwt.decode(
        token,
        signing_key.key,
        algorithms=algorithms,
        audience=audience,
        issuer=issuer,
        leeway=leeway,
        options={"require": REQUIRED_CLAIMS},
    )


def read_tokens(arguments):
    if arguments == ["-"]:
        return [line.strip() for line in sys.stdin if line.strip()]
    return arguments


def main():
    parser = argparse.ArgumentParser(description="Verify ic-jwt tokens with PyJWT.")
    parser.add_argument("jwks_url", help="e.g. https://<canister-id>.icp0.io/.well-known/jwks.json")
    parser.add_argument("tokens", nargs="+", help='tokens, or "-" to read one per line from stdin')
    parser.add_argument("--issuer", required=True, help="exactly the tokens' iss")
    parser.add_argument("--audience", required=True, action="append", help="accepted audience (repeatable)")
    parser.add_argument("--algorithm", action="append", choices=["ES256K", "EdDSA"], help="default: ES256K")
    parser.add_argument("--leeway", type=int, default=30, help="clock tolerance in seconds (default 30)")
    args = parser.parse_args()

    client = PyJWKClient(args.jwks_url)  # caches the JWK Set; refetches on an unknown kid
    algorithms = args.algorithm or ["ES256K"]
    audience = args.audience[0] if len(args.audience) == 1 else args.audience
    all_ok = True
    for token in read_tokens(args.tokens):
        try:
            claims = verify_token(client, token, args.issuer, audience, algorithms, args.leeway)
            print(json.dumps({"ok": True, "claims": claims}), flush=True)
        except Exception as error:  # PyJWTError subclasses, and anything a hostile token provokes
            all_ok = False
            print(json.dumps({"ok": False, "error": type(error).__name__, "message": str(error)}), flush=True)
    sys.exit(0 if all_ok else 1)


if __name__ == "__main__":
    main()
