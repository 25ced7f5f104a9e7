// What the page does: log in, get a token right after, show it, refresh it, use it, log out.
import type { AuthClient } from '@dfinity/auth-client';

import { describeCallFailure } from './call_failure';
import type { FrontendConfig } from './config';
import { describeExpiry } from './countdown';
import { callWhoami } from './demo_api';
import { describeIssueError } from './issue_error';
import { connectJwtIssuer, type JwtIssuer } from './jwt_issuer';
import { decodeJwt } from './jwt';
import { describeLoginFailure } from './login_failure';
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

  constructor(
    private readonly view: View,
    private readonly config: FrontendConfig,
    private readonly auth: AuthClient
  ) {
    view.loginButton.addEventListener('click', () => this.login());
    view.logoutButton.addEventListener('click', () => void this.logout());
    view.newTokenButton.addEventListener('click', () => void this.newToken());
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
        void this.newToken();
      },
      onError: (error) => {
        this.view.loginButton.disabled = false;
        this.view.showSessionMessage(describeLoginFailure(error), true);
      }
    });
  }

  private async newToken(): Promise<void> {
    this.view.setTokenBusy(true);
    this.view.showTokenMessage('Asking jwt_issuer for a token…');
    try {
      this.issuer ??= connectJwtIssuer(this.auth.getIdentity(), this.config);
      const outcome = await (await this.issuer).issueJwt();
      if (!outcome.ok) {
        this.view.showTokenMessage(describeIssueError(outcome.error), true);
        return;
      }
      const decoded = decodeJwt(outcome.token);
      this.current = { token: outcome.token, expiresAtSeconds: outcome.expiresAtSeconds };
      this.view.showToken(outcome.token, decoded);
      this.view.showTokenMessage(`New token issued, signed with key ${outcome.kid}.`);
      this.tick();
    } catch (error) {
      this.issuer = undefined;
      this.view.showTokenMessage(describeCallFailure(error, this.config.host), true);
    } finally {
      this.view.setTokenBusy(false);
    }
  }

  private tick(): void {
    if (this.current !== undefined) this.view.showCountdown(describeExpiry(this.current.expiresAtSeconds, Date.now()));
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
    this.issuer = undefined;
    this.current = undefined;
    this.view.showSignedOut('Logged out. The session key and its delegation are deleted from this browser.');
    this.view.loginButton.focus();
  }
}
