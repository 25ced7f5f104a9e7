// The API: GET /api/whoami answers with the caller's principal, for a valid ic-jwt token only.
import express, { type Express, type NextFunction, type Request, type Response } from 'express';

import type { Verifier } from '@ic-jwt/verifier';
import { jwtClaims, requireJwt } from '@ic-jwt/verifier/express';

export interface ApiAppOptions {
  verifier: Verifier;
  /** Origins of the frontends allowed to call the API from a browser; ['*'] for any. */
  corsOrigins: readonly string[];
}

export function createApiApp({ verifier, corsOrigins }: ApiAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(cors(corsOrigins));

  app.get('/api/health', (_req, res) => {
    res.json({ ok: true });
  });

  app.get('/api/whoami', requireJwt(verifier), (req, res) => {
    const claims = jwtClaims(req);
    res.json({ principal: claims.sub, claims });
  });

  app.use((_req, res) => {
    res.status(404).json({ error: 'not_found' });
  });
  // Express's default handler prints stack traces outside production; ours never does.
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    console.error('express-api: unhandled error', error);
    res.status(500).json({ error: 'server_error' });
  });
  return app;
}

/** Bearer tokens are not cookies, so allowing an origin lets it send only tokens it holds. */
function cors(origins: readonly string[]) {
  const any = origins.includes('*');
  return (req: Request, res: Response, next: NextFunction): void => {
    const origin = req.headers.origin;
    if (origin !== undefined && (any || origins.includes(origin))) {
      res.set({
        'Access-Control-Allow-Origin': any ? '*' : origin,
        'Access-Control-Allow-Headers': 'Authorization, Content-Type',
        'Access-Control-Allow-Methods': 'GET, OPTIONS',
        'Access-Control-Expose-Headers': 'WWW-Authenticate',
        'Access-Control-Max-Age': '600'
      });
      if (!any) res.vary('Origin');
    }
    if (req.method === 'OPTIONS') {
      res.status(204).end();
      return;
    }
    next();
  };
}
