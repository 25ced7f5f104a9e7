// Runs a "verify it yourself" snippet copied from the page, as a user pastes it into a terminal:
// bash in the repository (so that `npm install`ed packages resolve), Debian's python3 first on PATH,
// and node resolving the workspace's @ic-jwt/verifier from its TypeScript sources (through tsx), as
// it would resolve the installed package's built files.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { SYSTEM_PYTHON } from '../../support/python';

const REPOSITORY = fileURLToPath(new URL('../../../', import.meta.url));

export interface SnippetRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

export async function runSnippet(text: string, timeoutMs = 30_000): Promise<SnippetRun> {
  const systemBin = SYSTEM_PYTHON.replace(/\/python3$/, '');
  const child = spawn('bash', ['-e', '-c', text], {
    cwd: REPOSITORY,
    env: { ...process.env, PATH: `${systemBin}:${process.env['PATH'] ?? ''}`, NODE_OPTIONS: '--conditions=ic-jwt-source --import tsx' },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: timeoutMs
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  return { exitCode, stdout, stderr };
}
