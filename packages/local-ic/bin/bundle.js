// Whether dist/ holds a bundle of the server at least as new as every source file (a published
// package has no src/, so its bundle always counts as fresh).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const SERVER_BUNDLE = new URL('../dist/pocket_ic/main.js', import.meta.url);
const SOURCES = fileURLToPath(new URL('../src/', import.meta.url));

function newestSourceMs() {
  if (!existsSync(SOURCES)) return 0;
  let newest = 0;
  for (const entry of readdirSync(SOURCES, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(`${entry.parentPath}/${entry.name}`).mtimeMs);
  }
  return newest;
}

export function serverBundleIsFresh() {
  return existsSync(SERVER_BUNDLE) && statSync(SERVER_BUNDLE).mtimeMs >= newestSourceMs();
}
