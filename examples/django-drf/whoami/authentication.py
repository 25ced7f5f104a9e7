"""DRF authentication with ic-jwt tokens: `Authorization: Bearer <token>`, verified with PyJWT.

The key comes from the canister's JWK Set (PyJWKClient, cached), the algorithm is the one that
key is for (ES256K or EdDSA, nothing else), and iss, aud, exp are required and checked.
"""
import functools
from urllib.error import URLError

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from django.conf import settings
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

REQUIRED_CLAIMS = ["iss", "sub", "aud", "exp", "iat"]


class CanisterPrincipal:
    """The authenticated caller: an Internet Computer principal, not a Django user row."""

    is_authenticated = True
    is_anonymous = False

    def __init__(self, principal, algorithm):
        self.principal = principal
        self.algorithm = algorithm

    def __str__(self):
        return self.principal


class JwksUnavailable(exceptions.APIException):
    status_code = 503
    default_detail = "The token issuer's keys cannot be fetched right now."
    default_code = "jwks_unavailable"


@functools.lru_cache(maxsize=None)
def jwks_client():
    """One client per process, so the JWK Set is fetched once per lifespan, not per request."""
    config = settings.IC_JWT
    return jwt.PyJWKClient(config["JWKS_URI"], cache_jwk_set=True, lifespan=config["JWKS_CACHE_SECONDS"])


def algorithm_for(key):
    # Security: each key verifies only the algorithm it is for, pinned here rather than read from
    # the token, so a token cannot pick "none", HS256 keyed with the public key, or another curve.
    if isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256K1):
        return "ES256K"
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "EdDSA"
    raise exceptions.AuthenticationFailed("The token's key is not an ic-jwt signing key.")


def signing_key_for(token):
    try:
        return jwks_client().get_signing_key_from_jwt(token).key
    except jwt.PyJWKClientError as error:
        if isinstance(error.__context__, URLError):
            raise JwksUnavailable() from error
        raise exceptions.AuthenticationFailed("The token's key is not in the issuer's key set.") from error
    except jwt.PyJWKSetError as error:  # the set has no key PyJWT can use: not the caller's fault
        raise JwksUnavailable() from error
    except jwt.DecodeError as error:
        raise exceptions.AuthenticationFailed("The token is malformed.") from error


def verify(token):
    """The token's claims, or AuthenticationFailed saying what is wrong with it."""
    config = settings.IC_JWT
    key = signing_key_for(token)
    algorithm = algorithm_for(key)
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[algorithm],
            issuer=config["ISSUER"],
            audience=config["AUDIENCE"],
            leeway=config["LEEWAY_SECONDS"],
            options={"require": REQUIRED_CLAIMS},
        )
    except jwt.ExpiredSignatureError as error:
        raise exceptions.AuthenticationFailed("The token has expired.") from error
    except jwt.InvalidAudienceError as error:
        raise exceptions.AuthenticationFailed("The token is for another audience.") from error
    except jwt.InvalidIssuerError as error:
        raise exceptions.AuthenticationFailed("The token is from another issuer.") from error
    except jwt.InvalidTokenError as error:
        raise exceptions.AuthenticationFailed("The token is invalid.") from error
    return claims, algorithm


class CanisterJwtAuthentication(BaseAuthentication):
    realm = "api"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != b"bearer":
            return None  # no token: IsAuthenticated answers 401 with our WWW-Authenticate
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("The Authorization header must be: Bearer <token>.")
        try:
            token = parts[1].decode("ascii")
        except UnicodeDecodeError as error:
            raise exceptions.AuthenticationFailed("The token is malformed.") from error
        claims, algorithm = verify(token)
        return CanisterPrincipal(claims["sub"], algorithm), claims

    def authenticate_header(self, request):
        # RFC 6750 section 3: an error code only when a token was sent.
        sent_token = get_authorization_header(request).lower().startswith(b"bearer ")
        return f'Bearer realm="{self.realm}"' + (', error="invalid_token"' if sent_token else "")
