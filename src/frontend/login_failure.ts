// Words for auth-client's login errors. Pure.

/** auth-client reports a closed login window as "UserInterrupt" (its ERROR_USER_INTERRUPT). */
const USER_INTERRUPT = 'UserInterrupt';

export function describeLoginFailure(error: string | undefined): string {
  if (error === USER_INTERRUPT) return 'The login window was closed before you finished. Press “Log in” to try again.';
  return `The identity provider did not log you in: ${error === undefined || error === '' ? 'no reason given' : error}`;
}
