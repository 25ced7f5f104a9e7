// @dfinity/pic, unmodified, against this repository's `pocket-ic` server (node_modules/.bin).
import { join } from 'node:path';
import type { PocketIc } from '@dfinity/pic';
import type { Principal } from '@dfinity/principal';

export const POCKET_IC_BIN = join(import.meta.dirname, '..', '..', '..', 'node_modules', '.bin', 'pocket-ic');

/** pic's Principal type comes from its own @icp-sdk/core; ours has the same shape (toUint8Array, toText). */
export type PicPrincipal = Parameters<PocketIc['getCyclesBalance']>[0];
export const toPic = (principal: Principal): PicPrincipal => principal as unknown as PicPrincipal;
