#!/usr/bin/env node
// Launches the PocketIC server: the built JavaScript when the package has been built (dist/),
// otherwise the TypeScript sources through tsx (inside this repository's workspace).
import { existsSync } from 'node:fs';

const built = new URL('../dist/pocket_ic/main.js', import.meta.url);
if (existsSync(built)) {
  await import(built.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/pocket_ic/main.ts', import.meta.url).href);
}
