// The page's elements and how each state shows in them. No logic beyond putting text in place.
import type { FrontendConfig } from './config';
import { claimRows, type DecodedJwt } from './jwt';

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
  private readonly countdown = element('countdown');
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
    this.apiSection.hidden = !hasApi;
  }

  /** Moves focus to the token section, so keyboard and screen-reader users land on the result. */
  focusToken(): void {
    this.tokenHeading.focus();
  }

  showTokenMessage(text: string, isError = false): void {
    setMessage(this.tokenMessage, text, isError);
  }

  setTokenBusy(busy: boolean): void {
    this.newTokenButton.disabled = busy;
    this.tokenSection.setAttribute('aria-busy', String(busy));
  }

  showToken(token: string, decoded: DecodedJwt): void {
    this.token.value = token;
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
    this.tokenDetails.hidden = true;
    this.decoded.hidden = true;
    this.copyButton.hidden = true;
    this.callApiButton.disabled = true;
    this.showTokenMessage('');
  }

  showCountdown(text: string): void {
    this.countdown.textContent = text;
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
