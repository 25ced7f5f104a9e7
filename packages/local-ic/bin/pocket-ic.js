#!/usr/bin/env node
// Launches the PocketIC server: the bundle in dist/ (`npm run build`) when it is fresh, otherwise
// the TypeScript sources through tsx (inside this repository's workspace).
import { SERVER_BUNDLE, serverBundleIsFresh } from './bundle.js';

if (serverBundleIsFresh()) {
  await import(SERVER_BUNDLE.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/pocket_ic/main.ts', import.meta.url).href);
}
