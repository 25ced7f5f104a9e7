// Lets a test wait for the verifier's background JWK Set refresh.
import { randomBytes } from 'node:crypto';

import type { Verifier } from '@ic-jwt/verifier';
import { withHeader } from './forge';

/**
 * Resolves once the background refresh under way (if any) has ended: a token with an unknown
 * kid joins the fetch in flight, and starts none of its own while the refresh cooldown lasts,
 * so call it at the same (test) clock time as the verification that started the refresh.
 */
export async function backgroundRefreshDone(verifier: Verifier, token: string): Promise<void> {
  const unknownKid = withHeader(token, (header) => ({ ...header, kid: `unknown-${randomBytes(8).toString('hex')}` }));
  await verifier.verify(unknownKid).catch(() => undefined);
}
