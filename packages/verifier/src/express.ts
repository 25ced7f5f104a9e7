// Express middleware: `Authorization: Bearer <jwt>` in, verified claims on `req.jwt` out,
// or 401 with an RFC 6750 challenge saying why.
import type { Request, RequestHandler, Response } from 'express';

import { asVerifier, logUnexpected } from './adapter_support.js';
import type { VerifiedClaims } from './claims.js';
import { JwtVerifierError } from './errors.js';
import type { VerifierOptions } from './options.js';
import type { Verifier } from './verifier.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The verified claims of the bearer token, set by requireJwt. */
      jwt?: VerifiedClaims;
    }
  }
}

export interface RequireJwtOptions {
  /** The realm in WWW-Authenticate challenges. Default "api". */
  realm?: string;
  /** Called with errors that are not verification failures (bugs); the client gets a bare 500. Default: console.error. */
  onUnexpectedError?: (error: unknown) => void;
}

const BEARER = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i;

export function requireJwt(verifierOrOptions: Verifier | VerifierOptions, options: RequireJwtOptions = {}): RequestHandler {
  const verifier = asVerifier(verifierOrOptions);
  const realm = headerText(options.realm ?? 'api');
  const onUnexpectedError = options.onUnexpectedError ?? logUnexpected('requireJwt');

  return async (req, res, next) => {
    const authorization = req.headers.authorization;
    // RFC 6750 §3.1: a request without credentials gets a challenge but no error code.
    if (authorization === undefined || !/^bearer(\s|$)/i.test(authorization)) {
      res.status(401).set('WWW-Authenticate', `Bearer realm="${realm}"`).json({ error: 'unauthorized', error_description: 'a bearer token is required' });
      return;
    }
    const token = BEARER.exec(authorization)?.[1];
    if (token === undefined) {
      reject(res, 400, realm, 'invalid_request', 'the Authorization header must be "Bearer <token>"');
      return;
    }
    let claims: VerifiedClaims;
    try {
      claims = await verifier.verify(token);
    } catch (error) {
      if (error instanceof JwtVerifierError && error.tokenRejected) {
        reject(res, 401, realm, 'invalid_token', error.message);
      } else if (error instanceof JwtVerifierError) {
        // The token may be fine; the issuer's keys could not be had. Details stay in the server log.
        onUnexpectedError(error);
        res.status(503).set('Retry-After', '30').json({ error: 'temporarily_unavailable', error_description: 'the token issuer\'s keys cannot be fetched right now' });
      } else {
        onUnexpectedError(error);
        res.status(500).json({ error: 'server_error' });
      }
      return;
    }
    req.jwt = claims;
    next();
  };
}

/** The claims requireJwt put on the request; throws when the route is not behind requireJwt. */
export function jwtClaims(req: Request): VerifiedClaims {
  if (req.jwt === undefined) throw new Error('jwtClaims: this route is not behind requireJwt');
  return req.jwt;
}

function reject(res: Response, status: 400 | 401, realm: string, error: string, description: string): void {
  const text = headerText(description);
  res
    .status(status)
    .set('WWW-Authenticate', `Bearer realm="${realm}", error="${error}", error_description="${text}"`)
    .json({ error, error_description: text });
}

/**
 * RFC 6750 §3: error_description may hold %x20-21 / %x23-5B / %x5D-7E only. Messages quote
 * parts of the token, so anything else (quotes, backslashes, CR/LF, non-ASCII) is replaced:
 * nothing a client sends can break out of the header.
 */
function headerText(text: string): string {
  return text
    .replace(/"/g, "'")
    .replace(/\\/g, '/')
    .replace(/…/g, '...')
    .replace(/[^\x20-\x7e]/g, '?')
    .slice(0, 240);
}
