// The server's blob store (POST /blobstore): blobs by the hex of their SHA-256, gzip-compressed
// ones kept as sent and inflated when used.
import { gunzipSync } from 'node:zlib';
import { sha256Of } from '../shared/bytes.js';

interface Blob {
  readonly data: Uint8Array;
  readonly gzip: boolean;
}

export class BlobStore {
  private readonly blobs = new Map<string, Blob>();

  /** Returns the blob id, hex. */
  store(data: Uint8Array, gzip: boolean): string {
    const id = Buffer.from(sha256Of(data)).toString('hex');
    this.blobs.set(id, { data, gzip });
    return id;
  }

  /** The stored bytes as sent, or undefined. */
  raw(id: string): Blob | undefined {
    return this.blobs.get(id);
  }

  /** The blob's content (inflated if it was sent gzip-compressed), or undefined. */
  content(id: string): Uint8Array | undefined {
    const blob = this.blobs.get(id);
    if (blob === undefined) return undefined;
    return blob.gzip ? new Uint8Array(gunzipSync(blob.data)) : blob.data;
  }
}
