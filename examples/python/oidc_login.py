#!/usr/bin/env python3
"""Sign in with Internet Identity from a Python program: Authlib as an OpenID Connect native
client (authorization code, PKCE S256, loopback redirect per RFC 8252, no client secret).

    /usr/bin/python3 examples/python/oidc_login.py --issuer https://<canister-id>.icp0.io \
        [--client-id ic-jwt-native-demo] [--no-open]

Prints one JSON line {"authorization_url": ...} as soon as the URL is ready (and opens it in the
browser unless --no-open), then one JSON line {"claims": {...}, "access_token": ...} once the
id_token is verified, or {"error": ..., "error_description": ...} with exit status 1.
"""
import argparse
import json
import os
import socket
import sys
import time
import webbrowser
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlsplit

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, JsonWebToken
from authlib.oidc.core import CodeIDToken

CALLBACK_PATH = '/callback'
PAGE = b'<!doctype html><meta charset="utf-8"><title>Signed in</title><p>You can close this window.</p>'


def is_loopback(host):
    return host in ('localhost', '127.0.0.1', '::1') or host.endswith('.localhost')


def resolve_localhost_names_to_loopback():
    """*.localhost names are loopback names (RFC 6761 section 6.3); browsers resolve them so, the
    system resolver only with nss-myhostname. A local IC's issuer is http://<id>.localhost:<port>."""
    system_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        if isinstance(host, str) and host.lower().endswith('.localhost'):
            host = '127.0.0.1'
        return system_getaddrinfo(host, *args, **kwargs)

    socket.getaddrinfo = getaddrinfo


class Fail(Exception):
    def __init__(self, error, description):
        super().__init__(description)
        self.error = error
        self.description = description


def wait_for_redirect(server, timeout):
    """Serves the loopback redirect until the browser arrives at CALLBACK_PATH; returns that URL."""
    arrived = []

    class Callback(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's naming)
            if urlsplit(self.path).path != CALLBACK_PATH:
                self.send_error(404)
                return
            arrived.append(f'http://127.0.0.1:{server.server_port}{self.path}')
            self.send_response(200)
            self.send_header('content-type', 'text/html; charset=utf-8')
            self.send_header('cache-control', 'no-store')
            self.end_headers()
            self.wfile.write(PAGE)

        def log_message(self, *args):
            pass

    server.RequestHandlerClass = Callback
    deadline = time.monotonic() + timeout
    while not arrived:
        left = deadline - time.monotonic()
        if left <= 0:
            raise Fail('timeout', f'no authorization response within {timeout} s')
        server.timeout = left
        server.handle_request()
    return arrived[0]


def sign_in(issuer, client_id, open_browser, timeout):
    if is_loopback(urlsplit(issuer).hostname or ''):
        resolve_localhost_names_to_loopback()
        # Authlib refuses plain http except for http://localhost:...; this issuer is on this machine too.
        os.environ['AUTHLIB_INSECURE_TRANSPORT'] = '1'
    metadata = requests.get(f'{issuer}/.well-known/openid-configuration', timeout=10).json()
    if metadata.get('issuer') != issuer:
        raise Fail('invalid_issuer', f'the discovery document names issuer {metadata.get("issuer")!r}')

    server = HTTPServer(('127.0.0.1', 0), BaseHTTPRequestHandler)
    try:
        redirect_uri = f'http://127.0.0.1:{server.server_port}{CALLBACK_PATH}'
        session = OAuth2Session(client_id, scope='openid', redirect_uri=redirect_uri,
                                code_challenge_method='S256', token_endpoint_auth_method='none')
        code_verifier = generate_token(64)
        nonce = generate_token(32)
        url, state = session.create_authorization_url(metadata['authorization_endpoint'],
                                                      code_verifier=code_verifier, nonce=nonce)
        print(json.dumps({'authorization_url': url}), flush=True)
        if open_browser:
            webbrowser.open(url)
        callback = wait_for_redirect(server, timeout)
    finally:
        server.server_close()

    params = {name: values[0] for name, values in parse_qs(urlsplit(callback).query).items()}
    if 'error' in params:
        raise Fail(params['error'], params.get('error_description', ''))
    # RFC 9207: the response names its issuer, so a response from another provider is refused.
    if params.get('iss') != issuer:
        raise Fail('invalid_issuer', f'the authorization response names issuer {params.get("iss")!r}')
    # fetch_token checks state against the one sent.
    token = session.fetch_token(metadata['token_endpoint'], authorization_response=callback,
                                state=state, code_verifier=code_verifier)

    keys = JsonWebKey.import_key_set(requests.get(metadata['jwks_uri'], timeout=10).json())
    claims = JsonWebToken(['EdDSA']).decode(  # the algorithm is pinned
        token['id_token'], keys, claims_cls=CodeIDToken,
        claims_options={'iss': {'essential': True, 'value': issuer}, 'aud': {'essential': True, 'value': client_id}},
        claims_params={'nonce': nonce, 'client_id': client_id})
    claims.validate(leeway=30)
    return {'claims': dict(claims), 'access_token': token['access_token']}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--issuer', required=True, help='exactly the tokens\' iss, e.g. https://<canister-id>.icp0.io')
    parser.add_argument('--client-id', default='ic-jwt-native-demo')
    parser.add_argument('--no-open', action='store_true', help='only print the authorization URL')
    parser.add_argument('--timeout', type=int, default=300, help='seconds to wait for the sign-in')
    args = parser.parse_args()
    try:
        result = sign_in(args.issuer, args.client_id, not args.no_open, args.timeout)
    except Fail as failure:
        print(json.dumps({'error': failure.error, 'error_description': failure.description}), flush=True)
        return 1
    except Exception as error:  # noqa: BLE001 (one JSON line for any library error)
        print(json.dumps({'error': type(error).__name__, 'error_description': str(error)}), flush=True)
        return 1
    print(json.dumps(result), flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
