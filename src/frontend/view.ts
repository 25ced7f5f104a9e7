// The page's elements and how each state shows in them. No logic beyond putting text in place.
import type { JwtAlgorithm } from '@ic-jwt/client';

import type { AlgorithmOption } from './algorithm_choice';
import type { FrontendConfig } from './config';
import type { IssuerDocuments } from './issuer_documents';
import { claimRows, type DecodedJwt } from './jwt';
import type { Snippet } from './verify_snippets';

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`the page lacks #${id}`);
  return found as T;
}

function setMessage(target: HTMLElement, text: string, isError: boolean): void {
  target.textContent = text;
  target.classList.toggle('error', isError);
}

function factRows(list: HTMLDListElement, rows: { name: string; value: string; note?: string }[]): void {
  list.replaceChildren(
    ...rows.flatMap(({ name, value, note }) => {
      const term = document.createElement('dt');
      term.textContent = name;
      const detail = document.createElement('dd');
      const code = document.createElement('code');
      code.textContent = value;
      detail.append(code);
      if (note !== undefined) {
        const small = document.createElement('span');
        small.className = 'note';
        small.textContent = note;
        detail.append(small);
      }
      return [term, detail];
    })
  );
}

export class View {
  readonly loginButton = element<HTMLButtonElement>('login');
  readonly logoutButton = element<HTMLButtonElement>('logout');
  readonly copyButton = element<HTMLButtonElement>('copy');
  readonly newTokenButton = element<HTMLButtonElement>('new-token');
  readonly callApiButton = element<HTMLButtonElement>('call-api');
  private readonly sessionMessage = element('session-message');
  private readonly principalRow = element('principal-row');
  private readonly principal = element('principal');
  private readonly tokenSection = element('token-section');
  private readonly tokenHeading = element('token-heading');
  private readonly tokenMessage = element('token-message');
  private readonly tokenDetails = element('token-details');
  private readonly token = element<HTMLTextAreaElement>('token');
  private readonly tokenLabel = element('token-label');
  private readonly countdown = element('countdown');
  private readonly expiryDate = element<HTMLTimeElement>('expiry-date');
  private readonly retryWait = element('retry-wait');
  private readonly algorithmChoice = element('algorithm-choice');
  private readonly algorithmOptions = element('algorithm-options');
  private readonly verifySection = element('verify-section');
  private readonly jwksLink = element<HTMLAnchorElement>('jwks-link');
  private readonly discoveryLink = element<HTMLAnchorElement>('discovery-link');
  private readonly snippets = element('snippets');
  private readonly snippetList = element('snippet-list');
  private readonly snippetMessage = element('snippet-message');
  private readonly decoded = element('decoded');
  private readonly header = element('header');
  private readonly claims = element<HTMLDListElement>('claims');
  private readonly apiSection = element('api-section');
  private readonly whoamiUrl = element('whoami-url');
  private readonly apiMessage = element('api-message');
  private readonly apiClaims = element('api-claims');
  private readonly configSummary = element<HTMLDListElement>('config-summary');

  showConfig(config: FrontendConfig): void {
    factRows(this.configSummary, [
      { name: 'jwt_issuer', value: config.canisterId },
      { name: 'Replica', value: config.host },
      { name: 'Identity provider', value: config.identityProvider },
      ...(config.apiUrl === null ? [] : [{ name: 'Demo API', value: config.apiUrl }])
    ]);
    if (config.apiUrl !== null) this.whoamiUrl.textContent = `${config.apiUrl}/api/whoami`;
  }

  showSessionMessage(text: string, isError = false): void {
    setMessage(this.sessionMessage, text, isError);
  }

  showSignedOut(message: string): void {
    this.showSessionMessage(message);
    this.principalRow.hidden = true;
    this.principal.textContent = '';
    this.loginButton.hidden = false;
    this.loginButton.disabled = false;
    this.logoutButton.hidden = true;
    this.tokenSection.hidden = true;
    this.apiSection.hidden = true;
    this.verifySection.hidden = true;
    this.algorithmChoice.hidden = true;
    this.algorithmOptions.replaceChildren();
    this.showRetryWait(null);
    this.clearToken();
    this.showApiResult('', false, null);
  }

  showSignedIn(principal: string, hasApi: boolean): void {
    this.showSessionMessage('Logged in.');
    this.principal.textContent = principal;
    this.principalRow.hidden = false;
    this.loginButton.hidden = true;
    this.logoutButton.hidden = false;
    this.tokenSection.hidden = false;
    this.verifySection.hidden = false;
    this.apiSection.hidden = !hasApi;
  }

  /** Radio buttons, one per enabled algorithm, each described by who verifies it. */
  showAlgorithms(options: AlgorithmOption[]): void {
    this.algorithmOptions.replaceChildren(
      ...options.map(({ algorithm, hint, checked }) => {
        const input = document.createElement('input');
        Object.assign(input, { type: 'radio', name: 'algorithm', id: `algorithm-${algorithm}`, value: algorithm, checked });
        input.setAttribute('aria-describedby', `algorithm-${algorithm}-hint`);
        const label = document.createElement('label');
        label.htmlFor = input.id;
        label.textContent = algorithm;
        const note = document.createElement('span');
        note.id = `algorithm-${algorithm}-hint`;
        note.className = 'note';
        note.textContent = hint;
        const row = document.createElement('div');
        row.className = 'choice';
        row.append(input, label, note);
        return row;
      })
    );
    this.algorithmChoice.hidden = options.length === 0;
  }

  chosenAlgorithm(): JwtAlgorithm | undefined {
    const checked = this.algorithmOptions.querySelector<HTMLInputElement>('input[name="algorithm"]:checked');
    return (checked?.value as JwtAlgorithm | undefined) ?? undefined;
  }

  showIssuerDocuments(documents: IssuerDocuments): void {
    this.jwksLink.href = documents.jwksUrl;
    this.discoveryLink.href = documents.discoveryUrl;
  }

  showSnippetMessage(text: string, isError = false): void {
    setMessage(this.snippetMessage, text, isError);
  }

  /** One collapsible block per snippet (the first one open), each with its own copy button. */
  showSnippets(snippets: Snippet[], onCopy: (snippet: Snippet) => void): void {
    this.snippetList.replaceChildren(
      ...snippets.map((snippet, index) => {
        const summary = document.createElement('summary');
        summary.id = `snippet-${snippet.id}-title`;
        summary.textContent = snippet.title;
        const needs = document.createElement('p');
        needs.className = 'small';
        needs.textContent = `Needs ${snippet.needs}.`;
        const pre = document.createElement('pre');
        pre.id = `snippet-${snippet.id}`;
        pre.setAttribute('aria-labelledby', summary.id);
        pre.tabIndex = 0;
        const code = document.createElement('code');
        code.textContent = snippet.text;
        pre.append(code);
        const copy = document.createElement('button');
        copy.type = 'button';
        copy.textContent = 'Copy';
        copy.setAttribute('aria-label', `Copy the ${snippet.title} snippet`);
        copy.addEventListener('click', () => onCopy(snippet));
        const actions = document.createElement('div');
        actions.className = 'actions';
        actions.append(copy);
        const block = document.createElement('details');
        block.className = 'snippet';
        block.open = index === 0;
        block.append(summary, needs, pre, actions);
        return block;
      })
    );
    this.snippets.hidden = snippets.length === 0;
  }

  /** Selects a snippet's text so the user can copy it by hand. */
  selectSnippet(snippet: Snippet): void {
    const pre = document.getElementById(`snippet-${snippet.id}`);
    if (pre === null) return;
    (pre.parentElement as HTMLDetailsElement).open = true;
    pre.focus();
    window.getSelection()?.selectAllChildren(pre);
  }

  /** Moves focus to the token section, so keyboard and screen-reader users land on the result. */
  focusToken(): void {
    this.tokenHeading.focus();
  }

  showTokenMessage(text: string, isError = false): void {
    setMessage(this.tokenMessage, text, isError);
  }

  /** `available` is false while a request is under way or the issuer asked to wait. */
  setTokenBusy(busy: boolean, available: boolean): void {
    this.newTokenButton.disabled = !available;
    this.tokenSection.setAttribute('aria-busy', String(busy));
  }

  showRetryWait(text: string | null): void {
    this.retryWait.textContent = text ?? '';
    this.retryWait.hidden = text === null;
  }

  showToken(token: string, decoded: DecodedJwt): void {
    this.token.value = token;
    const alg = decoded.header['alg'];
    this.tokenLabel.textContent = `JWT (${typeof alg === 'string' ? `${alg}, ` : ''}compact form)`;
    this.header.textContent = JSON.stringify(decoded.header, null, 2);
    factRows(this.claims, claimRows(decoded.claims));
    this.tokenDetails.hidden = false;
    this.decoded.hidden = false;
    this.copyButton.hidden = false;
    this.callApiButton.disabled = false;
  }

  clearToken(): void {
    this.token.value = '';
    this.header.textContent = '';
    this.claims.replaceChildren();
    this.countdown.textContent = '';
    this.expiryDate.textContent = '';
    this.expiryDate.removeAttribute('datetime');
    this.snippetList.replaceChildren();
    this.snippets.hidden = true;
    this.showSnippetMessage('');
    this.tokenDetails.hidden = true;
    this.decoded.hidden = true;
    this.copyButton.hidden = true;
    this.callApiButton.disabled = true;
    this.showTokenMessage('');
  }

  showCountdown(text: string): void {
    this.countdown.textContent = text;
  }

  /** `text` in the browser's words, `instant` as ISO 8601 for machines. */
  showExpiryDate(text: string, instant: string): void {
    this.expiryDate.textContent = text;
    this.expiryDate.dateTime = instant;
  }

  /** Selects the token so the user can copy it by hand. */
  selectToken(): void {
    this.token.focus();
    this.token.select();
  }

  showApiResult(text: string, isError: boolean, claims: Record<string, unknown> | null): void {
    setMessage(this.apiMessage, text, isError);
    this.apiClaims.textContent = claims === null ? '' : JSON.stringify(claims, null, 2);
    this.apiClaims.hidden = claims === null;
  }
}
