// Gathers the configuration sources: ./config.json next to the page (if the server provides one),
// the page URL and Vite's build-time variables.
import { resolveConfig, type ConfigResult } from './config';

async function servedConfig(): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(new URL('config.json', document.baseURI), { cache: 'no-store' });
  } catch {
    return undefined;
  }
  // A dev server answers unknown paths with index.html; only JSON counts as a config.
  if (!response.ok || !(response.headers.get('content-type') ?? '').includes('json')) return undefined;
  const text = await response.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export async function loadConfig(): Promise<ConfigResult> {
  const buildEnv = (import.meta as unknown as { env?: Record<string, unknown> }).env ?? {};
  return resolveConfig({ pageUrl: window.location.href, served: await servedConfig(), buildEnv });
}
