// Runs one of the examples/python scripts as a single process: tokens go in on stdin, one JSON
// line per token comes out ({"ok": true, "claims": ...} or {"ok": false, "error": ..., "message": ...}).
import { spawn } from 'node:child_process';

export const SYSTEM_PYTHON = '/usr/bin/python3';

export interface PythonResult {
  ok: boolean;
  claims?: Record<string, unknown>;
  error?: string;
  message?: string;
}

/** `label` names the script in the error thrown when it prints a line count other than one per token. */
export async function runPythonVerifier(label: string, args: readonly string[], tokens: readonly string[]): Promise<PythonResult[]> {
  const child = spawn(SYSTEM_PYTHON, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(tokens.join('\n') + '\n');
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  const lines = stdout.split('\n').filter((line) => line.trim() !== '');
  if (lines.length !== tokens.length) {
    throw new Error(`${label} printed ${lines.length} results for ${tokens.length} tokens (exit ${exitCode}): ${stderr.slice(0, 2000)}`);
  }
  return lines.map((line) => JSON.parse(line) as PythonResult);
}
