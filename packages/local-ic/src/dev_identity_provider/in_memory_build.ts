// Builds a Vite project without writing to disk: every output file as bytes, by its path
// relative to the site's root (e.g. "index.html", "assets/main-1a2b3c.js"). Node only.
import { extname } from 'node:path';
import { build, type InlineConfig, type Rolldown } from 'vite';

export interface StaticAsset {
  contentType: string;
  body: Uint8Array;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.map': 'application/json'
};

export function contentTypeOf(path: string): string {
  return CONTENT_TYPES[extname(path)] ?? 'application/octet-stream';
}

function outputsOf(result: Awaited<ReturnType<typeof build>>): Rolldown.RolldownOutput[] {
  if (Array.isArray(result)) return result;
  if ('output' in result) return [result];
  throw new Error('the Vite build started a watcher instead of building once');
}

/** Runs `vite build` with `config` (write: false is forced) and returns its output files. */
export async function buildToMemory(config: InlineConfig): Promise<Map<string, StaticAsset>> {
  const result = await build({
    logLevel: 'warn',
    ...config,
    build: { ...config.build, write: false }
  });
  const assets = new Map<string, StaticAsset>();
  for (const output of outputsOf(result)) {
    for (const file of output.output) {
      const body = file.type === 'chunk' ? new TextEncoder().encode(file.code) : typeof file.source === 'string' ? new TextEncoder().encode(file.source) : file.source;
      assets.set(file.fileName, { contentType: contentTypeOf(file.fileName), body });
    }
  }
  return assets;
}
