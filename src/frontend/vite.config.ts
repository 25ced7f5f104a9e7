// Builds the frontend: `npx vite build --config src/frontend/vite.config.ts` writes dist/frontend/.
// Build-time configuration: VITE_JWT_ISSUER_CANISTER_ID, VITE_IC_HOST, VITE_IDENTITY_PROVIDER,
// VITE_DEMO_API_URL, VITE_DERIVATION_ORIGIN (see config.ts; a served config.json overrides them).
import { fileURLToPath } from 'node:url';
import { defaultClientConditions, defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: './',
  publicDir: false,
  envDir: root,
  // The workspace packages (@ic-jwt/client) from their TypeScript sources: no prior package build.
  resolve: { conditions: ['ic-jwt-source', ...defaultClientConditions] },
  build: {
    outDir: fileURLToPath(new URL('../../dist/frontend', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022'
  }
});
