// The built dev identity provider: one self-contained HTML file (script inlined), built with Vite
// in memory on first use, so the local IC can serve it at any path without a build step. Node only.
import { fileURLToPath } from 'node:url';

import { buildToMemory, type StaticAsset } from './in_memory_build';

const SOURCE_DIR = fileURLToPath(new URL('.', import.meta.url));

const decoder = new TextDecoder();

/** Replaces the built page's external module script with the script's own code. */
export function inlineModuleScript(html: string, scriptPath: string, code: string): string {
  const tag = new RegExp(`<script type="module"[^>]*src="\\.?/?${scriptPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"[^>]*></script>`);
  if (!tag.test(html)) throw new Error(`the built page does not load ${scriptPath}`);
  // "</script" would end the inline element early; "<\/script" means the same inside JS strings and regexes.
  const safeCode = code.replace(/<\/script/gi, '<\\/script');
  return html.replace(tag, () => `<script type="module">${safeCode}</script>`);
}

async function buildPage(): Promise<StaticAsset> {
  const files = await buildToMemory({
    root: SOURCE_DIR,
    base: './',
    configFile: false,
    publicDir: false,
    envDir: false,
    build: {
      outDir: 'dist',
      assetsInlineLimit: Number.MAX_SAFE_INTEGER,
      modulePreload: { polyfill: false },
      rolldownOptions: { input: `${SOURCE_DIR}index.html` }
    }
  });
  const html = files.get('index.html');
  const scripts = [...files.keys()].filter((path) => path.endsWith('.js'));
  const [script, ...others] = scripts;
  if (html === undefined || script === undefined || others.length > 0 || files.size !== 2) {
    throw new Error(`expected index.html and one script from the dev identity provider build, got ${[...files.keys()].join(', ')}`);
  }
  const page = inlineModuleScript(decoder.decode(html.body), script, decoder.decode(files.get(script)!.body));
  return { contentType: 'text/html; charset=utf-8', body: new TextEncoder().encode(page) };
}

let cached: Promise<StaticAsset> | undefined;

/**
 * The dev identity provider page. Serve it at any URL of its own origin (e.g.
 * http://127.0.0.1:4943/dev-identity-provider/) and give that URL to auth-client as
 * `identityProvider`; auth-client appends #authorize.
 */
export function devIdentityProviderPage(): Promise<StaticAsset> {
  cached ??= buildPage().catch((error: unknown) => {
    cached = undefined;
    throw error;
  });
  return cached;
}
