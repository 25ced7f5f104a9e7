// Acting as the user in the dev identity provider's window.
import type { Page } from 'playwright-core';

export type IdentityProviderChoice = { user: number } | 'new user' | 'cancel';

function buttonFor(window: Page, choice: IdentityProviderChoice) {
  const name = choice === 'new user' ? 'New user' : choice === 'cancel' ? 'Cancel' : `Continue as user ${choice.user}`;
  return window.getByRole('button', { name, exact: true });
}

/** Waits for the provider to show its choices; returns how many users it offers. */
export async function usersOffered(window: Page): Promise<number> {
  await buttonFor(window, { user: 1 }).waitFor();
  return window.getByRole('button', { name: /^Continue as user \d+$/ }).count();
}

/** The principal the provider shows under "Continue as user N". */
export async function principalShownFor(window: Page, userNumber: number): Promise<string> {
  const text = (await window.locator(`#principal-${userNumber}`).textContent()) ?? '';
  return text.replace(/^principal /, '');
}

/** Clicks the choice, or with `useKeyboard` presses Enter on it once it has the focus (the first user has it on arrival). */
export async function choose(window: Page, choice: IdentityProviderChoice, useKeyboard = false): Promise<void> {
  const button = buttonFor(window, choice);
  await button.waitFor();
  if (!useKeyboard) {
    await button.click();
    return;
  }
  for (let attempt = 0; attempt < 20 && !(await button.evaluate((element) => element === document.activeElement)); attempt++) {
    await window.keyboard.press('Tab');
  }
  // Enter's keydown already signs in, and auth-client closes this window right away: often before
  // the keyup, which then has no page to go to. A window that closed has done what Enter asked.
  await window.keyboard.press('Enter').catch((error: Error) => {
    if (!window.isClosed()) throw error;
  });
}
