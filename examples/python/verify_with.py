#!/usr/bin/env python3
"""Verify ic-jwt tokens with one of four Python JOSE libraries, each the way its docs intend.

    /usr/bin/python3 examples/python/verify_with.py <library> <jwks-url> <token> [<token> ...] \
        --issuer https://<canister-id>.icp0.io --audience <audience> --algorithm EdDSA

<library> is one of: pyjwt, jwcrypto, authlib, python-jose. Every recipe pins the accepted
algorithms (--algorithm, repeatable), takes the key from the issuer's JWK Set by the token's
kid, and requires iss, aud and exp (checked with --leeway seconds of clock tolerance).

Pass "-" instead of tokens to read one token per line from stdin. Prints one JSON line per
token, {"ok": true, "claims": {...}} or {"ok": false, "error": <exception class>, "message": ...},
and exits 0 only if every token verified. A library that cannot handle an algorithm fails
with its own exception: that is what the README's verifier table reports.

Debian: python3-jwt python3-cryptography python3-jwcrypto python3-authlib python3-jose.
"""
import argparse
import json
import sys
import urllib.request

REQUIRED_CLAIMS = ["iss", "sub", "aud", "exp"]


def fetch_jwks(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


class PyJwtVerifier:
    def __init__(self, jwks_url, issuer, audience, algorithms, leeway):
        import jwt

        self._jwt = jwt
        self._client = jwt.PyJWKClient(jwks_url)  # caches the JWK Set, refetches on an unknown kid
        self._options = dict(algorithms=algorithms, audience=audience, issuer=issuer, leeway=leeway)

    def verify(self, token):
        key = self._client.get_signing_key_from_jwt(token).key
        return self._jwt.decode(token, key, options={"require": REQUIRED_CLAIMS}, **self._options)


class JwcryptoVerifier:
    def __init__(self, jwks_url, issuer, audience, algorithms, leeway):
        from jwcrypto import jwk, jwt

        self._jwt = jwt
        self._keys = jwk.JWKSet.from_json(json.dumps(fetch_jwks(jwks_url)))
        # A claim mapped to None must be present; exp and nbf are then checked against the clock.
        self._check_claims = {"iss": issuer, "aud": audience, "exp": None, "sub": None}
        self._algorithms = algorithms
        self._leeway = leeway

    def verify(self, token):
        checked = self._jwt.JWT(algs=self._algorithms, check_claims=self._check_claims)
        checked.leeway = self._leeway
        checked.deserialize(token, self._keys)  # picks the key by kid
        return json.loads(checked.claims)


class AuthlibVerifier:
    def __init__(self, jwks_url, issuer, audience, algorithms, leeway):
        from authlib.jose import JsonWebKey, JsonWebToken

        self._jwt = JsonWebToken(algorithms)  # the only algorithms this instance accepts
        self._keys = JsonWebKey.import_key_set(fetch_jwks(jwks_url))
        self._claims_options = {
            "iss": {"essential": True, "value": issuer},
            "aud": {"essential": True, "value": audience},
            "exp": {"essential": True},
            "sub": {"essential": True},
        }
        self._leeway = leeway

    def verify(self, token):
        claims = self._jwt.decode(token, self._keys, claims_options=self._claims_options)
        claims.validate(leeway=self._leeway)  # decode checks only the signature
        return dict(claims)


class PythonJoseVerifier:
    def __init__(self, jwks_url, issuer, audience, algorithms, leeway):
        from jose import jwt

        self._jwt = jwt
        self._keys = fetch_jwks(jwks_url)
        self._options = dict(algorithms=algorithms, audience=audience, issuer=issuer)
        self._checks = {"leeway": leeway, **{"require_" + claim: True for claim in REQUIRED_CLAIMS}}

    def verify(self, token):
        # Given the whole set, python-jose tries to load every key in it; pick the token's by kid.
        kid = self._jwt.get_unverified_header(token).get("kid")
        key = next((key for key in self._keys["keys"] if key.get("kid") == kid), None)
        if key is None:
            raise LookupError("no key with kid %r in the JWK Set" % kid)
        return self._jwt.decode(token, key, options=self._checks, **self._options)


LIBRARIES = {
    "pyjwt": PyJwtVerifier,
    "jwcrypto": JwcryptoVerifier,
    "authlib": AuthlibVerifier,
    "python-jose": PythonJoseVerifier,
}


def read_tokens(arguments):
    if arguments == ["-"]:
        return [line.strip() for line in sys.stdin if line.strip()]
    return arguments


def main():
    parser = argparse.ArgumentParser(description="Verify ic-jwt tokens with a Python JOSE library.")
    parser.add_argument("library", choices=sorted(LIBRARIES))
    parser.add_argument("jwks_url", help="e.g. https://<canister-id>.icp0.io/.well-known/jwks.json")
    parser.add_argument("tokens", nargs="+", help='tokens, or "-" to read one per line from stdin')
    parser.add_argument("--issuer", required=True, help="exactly the tokens' iss")
    parser.add_argument("--audience", required=True, help="the audience this service accepts")
    parser.add_argument("--algorithm", required=True, action="append", choices=["ES256K", "EdDSA"])
    parser.add_argument("--leeway", type=int, default=30, help="clock tolerance in seconds (default 30)")
    args = parser.parse_args()

    verifier = LIBRARIES[args.library](args.jwks_url, args.issuer, args.audience, args.algorithm, args.leeway)
    all_ok = True
    for token in read_tokens(args.tokens):
        try:
            print(json.dumps({"ok": True, "claims": verifier.verify(token)}), flush=True)
        except Exception as error:  # each library's own errors, and anything a hostile token provokes
            all_ok = False
            print(json.dumps({"ok": False, "error": type(error).__name__, "message": str(error)}), flush=True)
    sys.exit(0 if all_ok else 1)


if __name__ == "__main__":
    main()
