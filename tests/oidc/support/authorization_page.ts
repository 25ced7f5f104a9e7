// Acting as the user on the issuer's authorization page in Chromium: log in with the dev identity
// provider, let the page authorize, and follow its redirect back to the app.
import type { Browser, Page } from 'playwright-core';

import { choose, principalShownFor, usersOffered } from '../../browser/support/identity_provider_window';

export interface Approval {
  /** The principal the identity provider offered and the user chose. */
  principal: string;
  /** Where the page sent the browser (the app's redirect URI with code, state, iss). */
  landedOn: URL;
}

export const LOGIN_BUTTON = { name: 'Sign in', exact: true } as const;
/** The page's message once it reports an error. */
export const ERROR_MESSAGE = '#message[data-error]';

/** Opens `authorizationUrl` in a fresh browser context; the caller closes the context. */
export async function openAuthorizationPage(browser: Browser, authorizationUrl: URL | string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(authorizationUrl.toString());
  return page;
}

/** Logs in as dev user 1 and waits until the page redirects to `redirectUri` (any query). */
export async function approveAsUser(browser: Browser, authorizationUrl: URL | string, redirectUri: string, timeoutMs = 60_000): Promise<Approval> {
  const page = await openAuthorizationPage(browser, authorizationUrl);
  try {
    const [popup] = await Promise.all([page.waitForEvent('popup'), page.getByRole('button', LOGIN_BUTTON).click()]);
    await usersOffered(popup);
    const principal = await principalShownFor(popup, 1);
    await choose(popup, { user: 1 });
    await page.waitForURL((url) => url.toString().startsWith(`${redirectUri}?`), { timeout: timeoutMs });
    return { principal, landedOn: new URL(page.url()) };
  } finally {
    await page.context().close();
  }
}
