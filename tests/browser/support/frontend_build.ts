// The frontend built with its own Vite config (src/frontend/vite.config.ts), in memory.
import { fileURLToPath } from 'node:url';

import { buildToMemory, type StaticAsset } from '../../../packages/local-ic/src/dev_identity_provider/in_memory_build';

export const FRONTEND_VITE_CONFIG = fileURLToPath(new URL('../../../src/frontend/vite.config.ts', import.meta.url));

export function buildFrontend(): Promise<Map<string, StaticAsset>> {
  return buildToMemory({ configFile: FRONTEND_VITE_CONFIG });
}
