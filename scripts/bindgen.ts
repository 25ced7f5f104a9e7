// `npm run bindgen`: regenerates the TypeScript bindings from the hand-written Candid interface.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, relative } from 'node:path';
import { JWT_ISSUER_BINDINGS, JWT_ISSUER_DID, renderBindings } from './candid';

await mkdir(dirname(JWT_ISSUER_BINDINGS), { recursive: true });
await writeFile(JWT_ISSUER_BINDINGS, await renderBindings(JWT_ISSUER_DID));
console.log(`wrote ${relative(process.cwd(), JWT_ISSUER_BINDINGS)} from ${relative(process.cwd(), JWT_ISSUER_DID)}`);
