import { open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { syncFolder } from './durable_copy.js';

/** Replaces `path` with `bytes` so that a kill at any moment leaves either the old or the new file, never a part. */
export async function writeFileDurably(path: string, bytes: Uint8Array, mode = 0o644): Promise<void> {
  const temporary = `${path}.writing-${process.pid}`;
  await rm(temporary, { force: true });
  const handle = await open(temporary, 'wx', mode);
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, path);
  await syncFolder(dirname(path));
}
