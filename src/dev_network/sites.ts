// Static sites the local network serves next to the IC: the dapp frontend and the dev identity provider.
import { fileURLToPath } from 'node:url';

import { buildToMemory, type StaticAsset } from '../../packages/local-ic/src/dev_identity_provider/in_memory_build';
import { devIdentityProviderPage } from '../../packages/local-ic/src/dev_identity_provider/page';
import type { WebReply, WebRequest } from '../../packages/local-ic/src/http_interface';
import type { Site } from '../../packages/local-ic/src/network/local_network';

export const DEV_IDENTITY_PROVIDER_PATH = '/_/identity/';
const FRONTEND_VITE_CONFIG = fileURLToPath(new URL('../frontend/vite.config.ts', import.meta.url));

const notFound = (): WebReply => ({ status: 404, headers: [['content-type', 'text/plain; charset=utf-8']], body: 'Not found.' });
const methodNotAllowed = (): WebReply => ({ status: 405, headers: [['allow', 'GET, HEAD']], body: '' });

function asset(file: StaticAsset, cacheControl: string): WebReply {
  return { status: 200, headers: [['content-type', file.contentType], ['cache-control', cacheControl]], body: file.body };
}

export async function devIdentityProviderSite(): Promise<Site> {
  const page = await devIdentityProviderPage();
  return {
    claims: (_host, path) => path.startsWith(DEV_IDENTITY_PROVIDER_PATH),
    async handle(request: WebRequest) {
      if (request.method !== 'GET' && request.method !== 'HEAD') return methodNotAllowed();
      return asset(page, 'no-store');
    }
  };
}

/** The frontend, built in memory, with `config` served as /config.json (the page reads it at start). */
export async function frontendSite(config: Record<string, string>): Promise<Site> {
  const files = await buildToMemory({ configFile: FRONTEND_VITE_CONFIG });
  const configJson: StaticAsset = { contentType: 'application/json', body: new TextEncoder().encode(JSON.stringify(config)) };
  return {
    claims: (_host, path) => !path.startsWith('/_/'),
    async handle(request: WebRequest) {
      if (request.method !== 'GET' && request.method !== 'HEAD') return methodNotAllowed();
      const path = decodeURIComponent(request.url.split('?', 1)[0] ?? '/').replace(/^\/+/, '');
      if (path === 'config.json') return asset(configJson, 'no-store');
      const file = files.get(path === '' ? 'index.html' : path);
      return file === undefined ? notFound() : asset(file, path.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    }
  };
}
