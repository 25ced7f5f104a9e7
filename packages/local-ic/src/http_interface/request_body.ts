import type { IncomingMessage } from 'node:http';
import { concatBytes } from '../bytes';
import { PayloadTooLargeError } from './errors';

/**
 * Request bodies, read with a cap: a body declared larger than the cap is
 * refused without reading a byte of it, and a body without a length (chunked)
 * is refused as soon as it passes the cap. Nothing beyond the cap is buffered.
 */

/** How long an oversized upload may keep streaming (discarded) after the 413, so that the client reads the answer instead of a reset. */
const LINGER_AFTER_REFUSAL_MS = 2_000;

export function readBoundedBody(request: IncomingMessage, maxBytes: number): Promise<Uint8Array | PayloadTooLargeError> {
  const declared = request.headers['content-length'];
  if (declared !== undefined && Number(declared) > maxBytes) {
    return Promise.resolve(new PayloadTooLargeError(Number(declared), maxBytes));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      stop();
      resolve(new PayloadTooLargeError(size, maxBytes, { lowerBound: true }));
    };
    const onEnd = (): void => {
      stop();
      resolve(concatBytes(chunks, size));
    };
    const onError = (error: Error): void => {
      stop();
      reject(error);
    };
    const stop = (): void => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
    };
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
  });
}

/**
 * After a refused upload: what the client still sends is discarded for a
 * short while, because closing with unread bytes resets the connection and
 * clients then lose the answer; an upload still running after that loses its
 * connection.
 */
export function discardRestOfRefusedBody(request: IncomingMessage): void {
  request.resume();
  const socket = request.socket;
  const timer = setTimeout(() => {
    if (!request.complete) socket.destroy();
  }, LINGER_AFTER_REFUSAL_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}
