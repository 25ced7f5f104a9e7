#!/usr/bin/env node
// Launches the PocketIC server: the bundle in dist/ (`npm run build`) when it is newer than every
// source file, otherwise the TypeScript sources through tsx (inside this repository's workspace).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = new URL('../dist/pocket_ic/main.js', import.meta.url);
const sources = fileURLToPath(new URL('../src/', import.meta.url));

function newestSource(folder) {
  if (!existsSync(folder)) return 0;
  let newest = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(`${entry.parentPath}/${entry.name}`).mtimeMs);
  }
  return newest;
}

if (existsSync(bundle) && statSync(bundle).mtimeMs >= newestSource(sources)) {
  await import(bundle.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/pocket_ic/main.ts', import.meta.url).href);
}
