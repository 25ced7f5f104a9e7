// The `pocket-ic` executable as @dfinity/pic starts it: --port-file written once listening (the
// port and a newline) and removed on exit, --ttl idle shutdown, a second server on the same port
// file exiting quietly, SIGTERM (pic's stop()) shutting down cleanly.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { POCKET_IC_BIN } from './support/pic';

const folder = mkdtempSync(join(tmpdir(), 'pocket-ic-process-'));
const started: ChildProcess[] = [];

afterAll(() => {
  for (const child of started) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(folder, { recursive: true, force: true });
});

function startServer(portFile: string, ...args: string[]): { child: ChildProcess; exited: Promise<number | null> } {
  const child = spawn(POCKET_IC_BIN, ['--port-file', portFile, ...args], { stdio: 'ignore' });
  started.push(child);
  return { child, exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
}

async function until<T>(probe: () => T | undefined, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const portIn = (file: string): number | undefined => {
  if (!existsSync(file)) return undefined;
  const text = readFileSync(file, 'utf8');
  expect(text).toMatch(/^\d+\n$/);
  return Number(text.trim());
};

describe('the pocket-ic executable', () => {
  it('writes the port file once it listens, lets a second server on that file exit quietly, and stops after --ttl idle seconds', async () => {
    const portFile = join(folder, 'ttl.port');
    const first = startServer(portFile, '--ttl', '2');
    const port = await until(() => portIn(portFile), 'the port file');
    expect((await fetch(`http://127.0.0.1:${port}/status`)).status).toBe(200);

    // Requests keep the first server alive (its TTL counts idle time) while the second one starts.
    const keepAlive = setInterval(() => void fetch(`http://127.0.0.1:${port}/status`).catch(() => undefined), 300);
    try {
      const second = startServer(portFile);
      expect(await second.exited).toBe(0);
      expect(portIn(portFile)).toBe(port);
      expect((await fetch(`http://127.0.0.1:${port}/status`)).status).toBe(200);
    } finally {
      clearInterval(keepAlive);
    }

    expect(await first.exited).toBe(0);
    expect(existsSync(portFile)).toBe(false);
  });

  it('shuts down on SIGTERM, deleting its instances and the port file', async () => {
    const portFile = join(folder, 'term.port');
    const server = startServer(portFile);
    const port = await until(() => portIn(portFile), 'the port file');
    const created = await fetch(`http://127.0.0.1:${port}/instances`, {
      method: 'POST',
      body: JSON.stringify({ subnet_config_set: { application: [{ state_config: 'New', unknown_field: 1 }] }, another_unknown_field: true })
    });
    expect(Object.keys((await created.json()) as object)).toEqual(['Created']);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(existsSync(portFile)).toBe(false);
  });

  it('refuses to bind anything but 127.0.0.1', async () => {
    const server = startServer(join(folder, 'any.port'), '--ip-addr', '0.0.0.0');
    expect(await server.exited).toBe(2);
    expect(existsSync(join(folder, 'any.port'))).toBe(false);
  });
});
