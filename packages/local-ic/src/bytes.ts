/**
 * Joins chunks into a Uint8Array with its own ArrayBuffer. (Buffer.concat may
 * return a view into Node's shared pool, which decoders such as @dfinity/candid
 * misread because they use `.buffer`.)
 */
export function concatBytes(chunks: readonly Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
