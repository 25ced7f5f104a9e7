// ic-jwt native sign-in: logs you in with Internet Identity in your browser and prints the
// id_token's claims.
//   npx tsx examples/native-cli/cli.ts --issuer https://<canister-id>.icp0.io [--client-id <id>] [--no-open]
// ISSUER, CLIENT_ID and IC_JWT_NO_OPEN=1 work as the options do.
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { signIn } from './sign_in';
import { openInSystemBrowser } from './system_browser';

export const DEFAULT_CLIENT_ID = 'ic-jwt-native-demo';

export interface CliOptions {
  issuer: URL;
  clientId: string;
  open: boolean;
  timeoutMs: number;
}

export function cliOptions(argv: readonly string[], env: NodeJS.ProcessEnv): CliOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      issuer: { type: 'string' },
      'client-id': { type: 'string' },
      'no-open': { type: 'boolean', default: false },
      timeout: { type: 'string', default: '300' }
    }
  });
  const issuer = values.issuer ?? env['ISSUER'];
  if (issuer === undefined || !URL.canParse(issuer)) throw new Error('give the issuer: --issuer https://<canister-id>.icp0.io (or ISSUER=...)');
  const timeoutSeconds = Number(values.timeout);
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1 || timeoutSeconds > 3600) throw new Error('--timeout takes 1 to 3600 seconds');
  return {
    issuer: new URL(issuer),
    clientId: values['client-id'] ?? env['CLIENT_ID'] ?? DEFAULT_CLIENT_ID,
    open: !values['no-open'] && env['IC_JWT_NO_OPEN'] !== '1',
    timeoutMs: timeoutSeconds * 1000
  };
}

async function main(): Promise<void> {
  const options = cliOptions(process.argv.slice(2), process.env);
  const signedIn = await signIn({
    issuer: options.issuer,
    clientId: options.clientId,
    timeoutMs: options.timeoutMs,
    async openAuthorizationPage(url) {
      // Always printed: the browser may not open, or may open on another screen.
      console.error(`Sign in with Internet Identity: ${url.toString()}`);
      if (options.open && !(await openInSystemBrowser(url))) console.error('(no browser could be opened: visit the URL above)');
    }
  });
  console.log(JSON.stringify(signedIn.claims, null, 2));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error: Error) => {
    console.error(`sign-in failed: ${error.message}`);
    process.exit(1);
  });
}
