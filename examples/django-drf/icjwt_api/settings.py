"""Settings of an API whose only users are ic-jwt token holders: no database, no sessions.

Configured from the environment:
    JWKS_URI   the issuer's JWK Set, e.g. https://<canister-id>.icp0.io/.well-known/jwks.json
    ISSUER     exactly the tokens' iss, e.g. https://<canister-id>.icp0.io
    AUDIENCE   the audience this API accepts (one of the canister's configured audiences)
    ALLOWED_HOSTS (optional, comma-separated; default 127.0.0.1,localhost)
    DJANGO_SECRET_KEY (optional; nothing here signs with it, so a random one is used by default)
"""
import os
import secrets

from django.core.exceptions import ImproperlyConfigured


def required(name):
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"set the {name} environment variable (see examples/django-drf/README.md)")
    return value


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(50)
DEBUG = False
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")

INSTALLED_APPS = ["rest_framework", "whoami"]
MIDDLEWARE = ["django.middleware.security.SecurityMiddleware", "django.middleware.common.CommonMiddleware"]
ROOT_URLCONF = "icjwt_api.urls"
WSGI_APPLICATION = "icjwt_api.wsgi.application"
DATABASES = {}
USE_TZ = True
TIME_ZONE = "UTC"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["whoami.authentication.CanisterJwtAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    # django.contrib.auth is not installed: a request without a token has no user at all.
    "UNAUTHENTICATED_USER": None,
}

IC_JWT = {
    "JWKS_URI": required("JWKS_URI"),
    "ISSUER": required("ISSUER"),
    "AUDIENCE": required("AUDIENCE"),
    "LEEWAY_SECONDS": int(os.environ.get("LEEWAY_SECONDS", "30")),
    # PyJWKClient keeps the JWK Set this long (the canister serves it with max-age=300).
    "JWKS_CACHE_SECONDS": 300,
}
