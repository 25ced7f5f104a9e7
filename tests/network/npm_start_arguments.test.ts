// npm start refuses a --controller that is not a principal it may hand the canister to, before
// it builds or starts anything.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function startWithController(controller: string): { status: number | null; stderr: string; stateFiles: string[] } {
  const state = mkdtempSync(join(tmpdir(), 'ic-jwt-controller-arg-'));
  try {
    const run = spawnSync('npm', ['start', '--silent', '--', '--json', '--port', '0', '--api-port', '0', '--state', state, '--controller', controller], {
      cwd: join(import.meta.dirname, '..', '..'),
      encoding: 'utf8',
      timeout: 120_000
    });
    return { status: run.status, stderr: run.stderr, stateFiles: readdirSync(state) };
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
}

describe('npm start -- --controller', () => {
  it.each([
    ['text that is not a principal', 'not-a-principal', /--controller takes a principal/],
    ['the anonymous principal', '2vxsx-fae', /anonymous principal/]
  ])('refuses %s in one line, exits non-zero and creates nothing', (_, controller, message) => {
    const run = startWithController(controller);
    expect(run.status).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    expect(run.stateFiles).toEqual([]);
  }, 180_000);
});
