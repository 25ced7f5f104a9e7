// The dev identity provider page: answers the window that opened it at #authorize, as Internet
// Identity does, with a delegation from the chosen development user to the dapp's session key.
import { signDelegation } from './delegation';
import { describeDuration } from './duration';
import {
  delegationExpiration,
  delegationTimeToLive,
  failureMessage,
  isAuthorizeClientMessage,
  parseAuthorizeClient,
  principalOrigin,
  READY_MESSAGE,
  successMessage,
  type AuthorizeRequest,
  type FailureMessage,
  type SuccessMessage
} from './protocol';
import { userKey } from './user_keys';
import { DevUserStore } from './user_store';

interface Client {
  opener: Window;
  clientOrigin: string;
}

interface PendingLogin extends Client {
  request: AuthorizeRequest;
}

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`the page lacks #${id}`);
  return found as T;
}

const title = element<HTMLHeadingElement>('title');
const status = element<HTMLParagraphElement>('status');
const choices = element<HTMLElement>('choices');
const userList = element<HTMLUListElement>('users');
const newUserButton = element<HTMLButtonElement>('new-user');
const cancelButton = element<HTMLButtonElement>('cancel');

const store = new DevUserStore(window.localStorage);
let pending: PendingLogin | undefined;

function showStatus(text: string, isError = false): void {
  status.textContent = text;
  status.classList.toggle('error', isError);
}

function respond(client: Client, message: SuccessMessage | FailureMessage): void {
  // Security: the target origin pins the answer to the origin that sent the request; if the opener
  // has navigated to another origin since, the browser drops the message.
  client.opener.postMessage(message, client.clientOrigin);
}

function finish(): void {
  pending = undefined;
  choices.querySelectorAll('button').forEach((button) => (button.disabled = true));
}

function continueAs(userNumber: number): void {
  const login = pending;
  if (login === undefined) return;
  try {
    const derivationOrigin = principalOrigin(login.clientOrigin, login.request);
    const user = userKey(store.masterSeed(), userNumber, derivationOrigin);
    const nowNanos = BigInt(Date.now()) * 1_000_000n;
    const signed = signDelegation(user, login.request.sessionPublicKey, delegationExpiration(nowNanos, login.request.maxTimeToLive));
    respond(login, successMessage(signed, user.publicKeyDer));
    finish();
    showStatus(`Signed in to ${login.clientOrigin} as user ${userNumber} (${user.principal.toText()}). This window closes by itself.`);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    respond(login, failureMessage(`The development identity provider failed: ${reason}`));
    finish();
    showStatus(`Sign-in failed: ${reason}`, true);
  }
}

function userChoice(userNumber: number, derivationOrigin: string, seed: Uint8Array): HTMLLIElement {
  const item = document.createElement('li');
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'primary';
  button.textContent = `Continue as user ${userNumber}`;
  const principal = document.createElement('span');
  principal.className = 'principal';
  principal.id = `principal-${userNumber}`;
  principal.textContent = `principal ${userKey(seed, userNumber, derivationOrigin).principal.toText()}`;
  button.setAttribute('aria-describedby', principal.id);
  button.addEventListener('click', () => continueAs(userNumber));
  item.append(button, principal);
  return item;
}

function renderChoices(login: PendingLogin): void {
  const derivationOrigin = principalOrigin(login.clientOrigin, login.request);
  const seed = store.masterSeed();
  title.textContent = `Sign in to ${login.clientOrigin}`;
  const lifetime = describeDuration(delegationTimeToLive(login.request.maxTimeToLive));
  const derivedFor = derivationOrigin === login.clientOrigin ? '' : ` Principals are those of ${derivationOrigin}, as the dapp asked.`;
  showStatus(`Choose a user. The session will last ${lifetime}.${derivedFor}`);
  const count = store.userCount();
  userList.replaceChildren(...Array.from({ length: count }, (_, index) => userChoice(index + 1, derivationOrigin, seed)));
  choices.querySelectorAll('button').forEach((button) => (button.disabled = false));
  choices.hidden = false;
  userList.querySelector('button')?.focus();
}

function onMessage(event: MessageEvent, opener: Window): void {
  // Security: only the window that opened this page may ask for a delegation; messages from any
  // other window or frame (other tabs, embedded frames, extensions) are ignored.
  if (event.source !== opener || !isAuthorizeClientMessage(event.data)) return;
  if (event.origin === 'null') {
    showStatus('A page without an origin (sandboxed or file://) asked to sign in; there is no origin to derive a principal for.', true);
    return;
  }
  const parsed = parseAuthorizeClient(event.data);
  const client: Client = { opener, clientOrigin: event.origin };
  if (!parsed.ok) {
    pending = undefined;
    respond(client, failureMessage(`Invalid authorize-client request: ${parsed.reason}`));
    choices.hidden = true;
    showStatus(`The dapp sent an invalid request: ${parsed.reason}`, true);
    return;
  }
  pending = { ...client, request: parsed.request };
  renderChoices(pending);
}

function start(): void {
  if (window.location.hash !== '#authorize') {
    showStatus('Dapps open this page at …#authorize through @dfinity/auth-client; there is nothing to do here otherwise.');
    return;
  }
  const opener = window.opener as Window | null;
  if (opener === null) {
    showStatus('No dapp opened this window, so there is nobody to sign in to. Use the login button of a dapp.', true);
    return;
  }
  window.addEventListener('message', (event) => onMessage(event, opener));
  newUserButton.addEventListener('click', () => continueAs(store.addUser()));
  cancelButton.addEventListener('click', () => {
    if (pending === undefined) return;
    respond(pending, failureMessage('The user cancelled sign-in.'));
    finish();
    showStatus('Sign-in cancelled.');
  });
  // authorize-ready carries nothing, so like Internet Identity it may go to any origin; the dapp's
  // origin is only known from its reply.
  opener.postMessage(READY_MESSAGE, '*');
  showStatus('Waiting for the dapp’s request…');
}

start();
