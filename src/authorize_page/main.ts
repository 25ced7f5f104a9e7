// The authorization page of the issuer's OpenID provider: checks the request, logs the user in
// with Internet Identity, asks the canister for a code as that user, and sends the browser back
// to the client. Served by the issuer canister itself (certified, one HTML file, CSP-pinned).
import './styles.css';

import { Actor, HttpAgent, type ActorSubclass, type Identity } from '@dfinity/agent';
import { AuthClient } from '@dfinity/auth-client';

import { idlFactory, type _SERVICE as JwtIssuerService } from '../declarations/jwt_issuer/jwt_issuer.did';
import { endpointsFor, readAuthorizationRequest, type AuthorizationRequest, type PageEndpoints } from './request';

/** The delegation only has to last for the authorize call. */
const DELEGATION_TIME_TO_LIVE_NS = BigInt(10 * 60) * 1_000_000_000n;

const message = document.getElementById('message')!;
const loginButton = document.getElementById('login') as HTMLButtonElement;

function show(text: string, isError = false): void {
  message.textContent = text;
  if (isError) message.setAttribute('data-error', '');
  else message.removeAttribute('data-error');
}

async function issuer(endpoints: PageEndpoints, identity?: Identity): Promise<ActorSubclass<JwtIssuerService>> {
  const agent = await HttpAgent.create({ host: endpoints.icHost, shouldFetchRootKey: endpoints.fetchRootKey, ...(identity === undefined ? {} : { identity }) });
  return Actor.createActor<JwtIssuerService>(idlFactory, { agent, canisterId: endpoints.canisterId });
}

/** An error the canister may send back to the client (only to a known-good redirect URI), else shown here. */
function fail(error: { error: string; error_description: string; redirect_to: [] | [string] }): void {
  const redirect = error.redirect_to[0];
  if (redirect !== undefined) {
    window.location.replace(redirect);
    return;
  }
  show(`This sign-in request cannot be served (${error.error}): ${error.error_description}.`, true);
}

async function start(): Promise<void> {
  const endpoints = endpointsFor(window.location.origin);
  if (endpoints === undefined) return show('This page must be opened on the issuer canister’s own domain.', true);
  const read = readAuthorizationRequest(window.location.search);
  if (!read.ok) return show(`This sign-in request cannot be served (invalid_request): ${read.repeated} appears more than once.`, true);
  const request: AuthorizationRequest = read.request;

  const checked = await (await issuer(endpoints)).check_authorization(request);
  if ('Err' in checked) return fail(checked.Err);

  const auth = await AuthClient.create({ idleOptions: { disableIdle: true } });
  show(`${checked.Ok.client_id} asks you to sign in with Internet Identity.`);
  loginButton.hidden = false;
  // The login opens the identity provider's window: it must follow a click, or browsers block it.
  loginButton.addEventListener('click', () => {
    loginButton.disabled = true;
    show('Finish signing in in the identity provider’s window…');
    void auth.login({
      identityProvider: endpoints.identityProvider,
      maxTimeToLive: DELEGATION_TIME_TO_LIVE_NS,
      onSuccess: () => void authorize(endpoints, auth.getIdentity(), request),
      onError: (reason) => {
        loginButton.disabled = false;
        show(`Signing in did not finish (${reason ?? 'closed'}). Try again.`, true);
      }
    });
  });
}

async function authorize(endpoints: PageEndpoints, identity: Identity, request: AuthorizationRequest): Promise<void> {
  show('Signing you in…');
  const result = await (await issuer(endpoints, identity)).authorize(request);
  if ('Err' in result) return fail(result.Err);
  show('Signed in. Returning to the application…');
  window.location.replace(result.Ok.redirect_to);
}

start().catch((error: unknown) => {
  loginButton.disabled = false;
  show(`The sign-in page failed: ${(error as Error).message}`, true);
});
