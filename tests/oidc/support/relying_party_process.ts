// Runs a relying party as its own process (the native CLI, the Authlib script) and picks the
// authorization URL it prints, so that Chromium can act as the user's browser.
import { spawn } from 'node:child_process';

export interface RelyingPartyProcess {
  /** The first `<issuer>/authorize?...` URL the process prints, on either stream. */
  readonly authorizationUrl: Promise<URL>;
  /** Resolves when the process exits. */
  readonly exited: Promise<{ code: number | null; stdout: string; stderr: string }>;
  kill(): void;
}

const AUTHORIZATION_URL = /https?:\/\/[^\s"]+\/authorize\?[^\s"]+/;

export function startRelyingParty(command: string, args: readonly string[]): RelyingPartyProcess {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let found: ((url: URL) => void) | undefined;
  const authorizationUrl = new Promise<URL>((resolve) => (found = resolve));
  const look = () => {
    const match = AUTHORIZATION_URL.exec(stdout) ?? AUTHORIZATION_URL.exec(stderr);
    if (match !== null && found !== undefined) {
      found(new URL(match[0]));
      found = undefined;
    }
  };
  child.stdout.on('data', (chunk: Buffer) => ((stdout += chunk.toString()), look()));
  child.stderr.on('data', (chunk: Buffer) => ((stderr += chunk.toString()), look()));
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
  // A process that ends before printing a URL fails the wait instead of leaving it hanging.
  const withExit = Promise.race([
    authorizationUrl,
    exited.then(({ code }) => Promise.reject(new Error(`the relying party exited (${code}) before printing an authorization URL:\n${stdout}${stderr}`)))
  ]);
  withExit.catch(() => undefined);
  return { authorizationUrl: withExit, exited, kill: () => child.kill() };
}

/** The redirect_uri the relying party asked for. */
export function redirectUriOf(authorizationUrl: URL): string {
  const redirectUri = authorizationUrl.searchParams.get('redirect_uri');
  if (redirectUri === null) throw new Error(`no redirect_uri in ${authorizationUrl.toString()}`);
  return redirectUri;
}
