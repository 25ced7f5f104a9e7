// What the page does: log in, get a token right after, show it, refresh it, use it, log out.
import type { AuthClient } from '@dfinity/auth-client';

import { algorithmOptions } from './algorithm_choice';
import { describeCallFailure } from './call_failure';
import type { FrontendConfig } from './config';
import { describeExpiry, describeRetryWait, formatExpiryDate, utcInstant } from './countdown';
import { callWhoami } from './demo_api';
import { describeIssueError } from './issue_error';
import { issuerDocuments } from './issuer_documents';
import { connectJwtIssuer, forgetTokens, type IssuerSettings, type JwtIssuer } from './jwt_issuer';
import { decodeJwt, type DecodedJwt } from './jwt';
import { describeLoginFailure } from './login_failure';
import { verifySnippets, type Snippet } from './verify_snippets';
import type { View } from './view';

/** How long a login lasts (auth-client's maxTimeToLive, nanoseconds). */
const SESSION_TIME_TO_LIVE = 8n * 3_600_000_000_000n;

interface CurrentToken {
  token: string;
  expiresAtSeconds: number;
}

export class DemoPage {
  private issuer: Promise<JwtIssuer> | undefined;
  // Security: the token lives in memory only (not in localStorage), so it is gone when the tab
  // closes and no other page of this origin can pick it up later.
  private current: CurrentToken | undefined;
  private busy = false;
  /** While set, the issuer said RateLimited: no new request before this instant (ms since 1970). */
  private retryAtMillis: number | undefined;

  constructor(
    private readonly view: View,
    private readonly config: FrontendConfig,
    private readonly auth: AuthClient
  ) {
    view.loginButton.addEventListener('click', () => this.login());
    view.logoutButton.addEventListener('click', () => void this.logout());
    view.newTokenButton.addEventListener('click', () => void this.newToken(true));
    view.copyButton.addEventListener('click', () => void this.copy());
    view.callApiButton.addEventListener('click', () => void this.callApi());
    window.setInterval(() => this.tick(), 1000);
  }

  private principal(): string {
    return this.auth.getIdentity().getPrincipal().toText();
  }

  /** Shows a session restored from an earlier visit, without spending a signature on it. */
  async restore(): Promise<void> {
    if (await this.auth.isAuthenticated()) {
      this.view.showSignedIn(this.principal(), this.config.apiUrl !== null);
      this.view.showTokenMessage('No token yet: press “New token” to get one.');
      await this.loadSettings();
    } else {
      this.view.showSignedOut('Not logged in.');
    }
  }

  private login(): void {
    this.view.loginButton.disabled = true;
    this.view.showSessionMessage('Finish logging in in the identity provider’s window…');
    void this.auth.login({
      identityProvider: this.config.identityProvider,
      maxTimeToLive: SESSION_TIME_TO_LIVE,
      ...(this.config.derivationOrigin === null ? {} : { derivationOrigin: this.config.derivationOrigin }),
      onSuccess: () => {
        this.view.showSignedIn(this.principal(), this.config.apiUrl !== null);
        this.view.focusToken();
        // The algorithms offered decide the first token's; without them, the issuer's default.
        void this.loadSettings().then(() => this.newToken(false));
      },
      onError: (error) => {
        this.view.loginButton.disabled = false;
        this.view.showSessionMessage(describeLoginFailure(error), true);
      }
    });
  }

  private connect(): Promise<JwtIssuer> {
    this.issuer ??= connectJwtIssuer(this.auth.getIdentity(), this.config);
    return this.issuer;
  }

  /** The issuer's enabled algorithms and its documents' URLs (get_config, a query). */
  private async loadSettings(): Promise<void> {
    let settings: IssuerSettings;
    try {
      settings = await (await this.connect()).settings();
    } catch (error) {
      this.issuer = undefined;
      this.view.showSnippetMessage(`Could not read the issuer's settings: ${describeCallFailure(error, this.config.host)}`, true);
      return;
    }
    this.view.showAlgorithms(algorithmOptions(settings, this.view.chosenAlgorithm()));
    this.view.showIssuerDocuments(issuerDocuments(this.config, settings.issuer));
    this.view.showSnippetMessage('');
  }

  /** `fresh`: a newly signed token, not the one @ic-jwt/client still holds for this algorithm. */
  private async newToken(fresh: boolean): Promise<void> {
    if (this.busy || this.retryAtMillis !== undefined) return;
    this.busy = true;
    this.updateNewTokenButton();
    this.view.showTokenMessage('Asking jwt_issuer for a token…');
    try {
      const algorithm = this.view.chosenAlgorithm();
      const outcome = await (await this.connect()).issueJwt({ fresh, ...(algorithm === undefined ? {} : { algorithm }) });
      if (!outcome.ok) {
        const { error } = outcome;
        if (error.is('RateLimited')) this.retryAtMillis = Date.now() + error.details.retryAfterSeconds * 1000;
        this.view.showTokenMessage(describeIssueError(error), true);
        return;
      }
      const decoded = decodeJwt(outcome.token);
      this.current = { token: outcome.token, expiresAtSeconds: outcome.expiresAtSeconds };
      this.view.showToken(outcome.token, decoded);
      this.view.showExpiryDate(formatExpiryDate(outcome.expiresAtSeconds), utcInstant(outcome.expiresAtSeconds));
      this.showSnippets(outcome.token, decoded);
      this.view.showTokenMessage(`New token issued, signed with key ${outcome.kid}.`);
    } catch (error) {
      this.issuer = undefined;
      this.view.showTokenMessage(describeCallFailure(error, this.config.host), true);
    } finally {
      this.busy = false;
      this.tick();
    }
  }

  /** The snippets take iss, aud and alg from the token itself, so they check exactly what it claims. */
  private showSnippets(token: string, decoded: DecodedJwt): void {
    const { iss, aud } = decoded.claims;
    const alg = decoded.header['alg'];
    if (typeof iss !== 'string' || typeof aud !== 'string' || (alg !== 'ES256K' && alg !== 'EdDSA')) {
      this.view.showSnippets([], () => undefined);
      return;
    }
    const documents = issuerDocuments(this.config, iss);
    this.view.showIssuerDocuments(documents);
    this.view.showSnippets(verifySnippets({ ...documents, token, algorithm: alg, issuer: iss, audience: aud }), (snippet) => void this.copySnippet(snippet));
  }

  private updateNewTokenButton(): void {
    this.view.setTokenBusy(this.busy, !this.busy && this.retryAtMillis === undefined);
  }

  private tick(): void {
    const now = Date.now();
    if (this.current !== undefined) this.view.showCountdown(describeExpiry(this.current.expiresAtSeconds, now));
    if (this.retryAtMillis !== undefined) {
      const wait = describeRetryWait(this.retryAtMillis, now);
      if (wait === null) {
        this.retryAtMillis = undefined;
        this.view.showTokenMessage('The issuer accepts requests again: press “New token”.');
      }
      this.view.showRetryWait(wait);
    }
    this.updateNewTokenButton();
  }

  private async copySnippet(snippet: Snippet): Promise<void> {
    try {
      await navigator.clipboard.writeText(snippet.text);
      this.view.showSnippetMessage(`The ${snippet.title} snippet is copied: paste it into a terminal.`);
    } catch {
      this.view.selectSnippet(snippet);
      this.view.showSnippetMessage('The browser did not allow copying. The snippet is selected: copy it with Ctrl+C (⌘C on a Mac).', true);
    }
  }

  private async copy(): Promise<void> {
    if (this.current === undefined) return;
    try {
      await navigator.clipboard.writeText(this.current.token);
      this.view.showTokenMessage('Token copied to the clipboard.');
    } catch {
      this.view.selectToken();
      this.view.showTokenMessage('The browser did not allow copying. The token is selected: copy it with Ctrl+C (⌘C on a Mac).', true);
    }
  }

  private async callApi(): Promise<void> {
    if (this.current === undefined || this.config.apiUrl === null) return;
    this.view.callApiButton.disabled = true;
    this.view.showApiResult('Calling the demo API…', false, null);
    const result = await callWhoami(this.config.apiUrl, this.current.token, this.principal());
    this.view.showApiResult(result.summary, !result.ok || !result.matchesPrincipal, result.ok ? result.claims : null);
    this.view.callApiButton.disabled = false;
  }

  private async logout(): Promise<void> {
    await this.auth.logout();
    forgetTokens();
    this.issuer = undefined;
    this.current = undefined;
    this.retryAtMillis = undefined;
    this.view.showSignedOut('Logged out. The session key and its delegation are deleted from this browser.');
    this.view.loginButton.focus();
  }
}
