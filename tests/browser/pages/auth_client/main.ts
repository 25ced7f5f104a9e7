// Logs in with the real @dfinity/auth-client against the identity provider named by ?idp=,
// with ?ttl= (nanoseconds) and ?derivationOrigin= passed on when present.
import { AuthClient } from '@dfinity/auth-client';
import { DelegationIdentity } from '@dfinity/identity';
import { bytesToHex } from '@noble/hashes/utils.js';

import type { LoginOutcome } from '../page_api';

const params = new URLSearchParams(window.location.search);
const identityProvider = params.get('idp');
if (identityProvider === null) throw new Error('the test page needs ?idp=<identity provider URL>');
const ttl = params.get('ttl');
const derivationOrigin = params.get('derivationOrigin');

const client = await AuthClient.create({ idleOptions: { disableIdle: true } });

async function describeIdentity(): Promise<LoginOutcome> {
  const identity = client.getIdentity();
  if (!(identity instanceof DelegationIdentity)) return { ok: false, error: 'auth-client did not produce a DelegationIdentity' };
  const challenge = crypto.getRandomValues(new Uint8Array(32));
  const signature = await identity.sign(challenge);
  return {
    ok: true,
    principal: identity.getPrincipal().toText(),
    chain: identity.getDelegation().toJSON(),
    challengeHex: bytesToHex(challenge),
    signatureHex: bytesToHex(new Uint8Array(signature))
  };
}

document.getElementById('login')?.addEventListener('click', () => {
  window.loginOutcome = new Promise((resolve) => {
    void client.login({
      identityProvider,
      ...(ttl === null ? {} : { maxTimeToLive: BigInt(ttl) }),
      ...(derivationOrigin === null ? {} : { derivationOrigin }),
      onSuccess: () => void describeIdentity().then(resolve),
      onError: (error) => resolve({ ok: false, error: error ?? '' })
    });
  });
});
document.getElementById('result')!.textContent = 'ready';
