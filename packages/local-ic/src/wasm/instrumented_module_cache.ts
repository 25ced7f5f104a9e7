// Instrumented modules kept on disk between processes: instrumenting Azle's 3 MB module is most of
// a first install's CPU in a new process (a `pocket-ic` server per test run), and the result
// depends only on the module and on the instrumenting code. An entry is found by both (the key
// hashes the module with the code that instruments it, so an edited instrumenter never reads an
// older one's output), is checked against its own SHA-256 when read, and the folder holds a
// bounded number of entries, the least recently used removed first.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sha256Of } from '../shared/bytes.js';
import type { InstrumentedModule } from './instrument.js';

/** Where entries live: LOCAL_IC_MODULE_CACHE, else the user's cache folder. LOCAL_IC_MODULE_CACHE=off keeps nothing on disk. */
export function moduleCacheDirectory(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const setting = env.LOCAL_IC_MODULE_CACHE;
  if (setting === 'off') return undefined;
  if (setting !== undefined && setting !== '') return setting;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'ic-jwt-local-ic', 'instrumented-modules');
}

export const MAX_CACHED_MODULES = 16;
const ENTRY_SUFFIX = '.instrumented';

type Metadata = Omit<InstrumentedModule, 'bytes'> & { readonly sha256: string };

export class InstrumentedModuleCache {
  constructor(
    private readonly directory: string,
    /** Identifies the instrumenting code (see instrumenterIdentity). */
    private readonly instrumenter: string,
    private readonly maxEntries = MAX_CACHED_MODULES
  ) {}

  /** The entry's file name: the module's hash, the metering switch and the instrumenter, hashed together. */
  private entryPath(moduleHashHex: string, metered: boolean): string {
    const key = createHash('sha256').update(`${this.instrumenter}\n${moduleHashHex}\n${metered ? 'metered' : 'unmetered'}`).digest('hex');
    return join(this.directory, `${key}${ENTRY_SUFFIX}`);
  }

  /** The cached instrumentation of the module, or undefined (absent, unreadable or damaged: then it is removed). */
  read(moduleHashHex: string, metered: boolean): InstrumentedModule | undefined {
    const path = this.entryPath(moduleHashHex, metered);
    let file: Buffer;
    try {
      file = readFileSync(path);
    } catch {
      return undefined;
    }
    const entry = decodeEntry(file);
    if (entry === undefined) {
      rmSync(path, { force: true });
      return undefined;
    }
    const now = new Date();
    try {
      utimesSync(path, now, now); // most recently used
    } catch {
      // Removed by another process meanwhile: the entry read is still whole.
    }
    return entry;
  }

  /** Stores an instrumentation (written to a temporary file, then renamed: readers never see half an entry) and trims the folder. */
  write(moduleHashHex: string, metered: boolean, module: InstrumentedModule): void {
    const path = this.entryPath(moduleHashHex, metered);
    const { bytes, ...rest } = module;
    const metadata: Metadata = { ...rest, sha256: Buffer.from(sha256Of(bytes)).toString('hex') };
    const header = Buffer.from(JSON.stringify(metadata), 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(header.length);
    mkdirSync(this.directory, { recursive: true, mode: 0o700 });
    const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
    writeFileSync(temporary, Buffer.concat([length, header, bytes]), { mode: 0o600 });
    renameSync(temporary, path);
    this.trim();
  }

  /** Removes the least recently used entries beyond the bound. */
  private trim(): void {
    const entries = readdirSync(this.directory)
      .filter((name) => name.endsWith(ENTRY_SUFFIX))
      .flatMap((name) => {
        try {
          return [{ path: join(this.directory, name), used: statSync(join(this.directory, name)).mtimeMs }];
        } catch {
          return [];
        }
      })
      .sort((a, b) => b.used - a.used);
    for (const { path } of entries.slice(this.maxEntries)) rmSync(path, { force: true });
  }
}

function decodeEntry(file: Buffer): InstrumentedModule | undefined {
  if (file.length < 4) return undefined;
  const headerEnd = 4 + file.readUInt32BE(0);
  if (headerEnd > file.length) return undefined;
  let metadata: Metadata;
  try {
    metadata = JSON.parse(file.subarray(4, headerEnd).toString('utf8')) as Metadata;
  } catch {
    return undefined;
  }
  const bytes = new Uint8Array(file.subarray(headerEnd));
  if (typeof metadata.sha256 !== 'string' || Buffer.from(sha256Of(bytes)).toString('hex') !== metadata.sha256) return undefined;
  const { sha256: _, ...rest } = metadata;
  return { ...rest, bytes };
}

let identity: string | undefined;

/**
 * SHA-256 of the code that instruments modules: the bundle this runs from (dist/), or, from the
 * sources, every file of this folder (the instrumenter and the parser it uses live here).
 */
export function instrumenterIdentity(): string {
  if (identity !== undefined) return identity;
  const here = fileURLToPath(import.meta.url);
  const files = here.endsWith('.ts')
    ? readdirSync(dirname(here))
        .filter((name) => name.endsWith('.ts'))
        .sort()
        .map((name) => join(dirname(here), name))
    : [here];
  const hash = createHash('sha256');
  for (const file of files) hash.update(file.slice(dirname(here).length)).update('\0').update(readFileSync(file)).update('\0');
  return (identity = hash.digest('hex'));
}
