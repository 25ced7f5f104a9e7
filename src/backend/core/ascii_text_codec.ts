// TextEncoder / TextDecoder subclasses that copy ASCII byte for byte and leave everything else
// (and streaming) to their base class, so every result is the base class's own. Azle 0.33's
// globals are a JavaScript polyfill that costs thousands of instructions per character in the
// canister (bench/instruction_breakdown.ts); see text_codec.ts, which installs these.
import { asciiString } from './bytes';

export function asciiFastPath(Encoder: typeof TextEncoder, Decoder: typeof TextDecoder): { Encoder: typeof TextEncoder; Decoder: typeof TextDecoder } {
  class AsciiTextEncoder extends Encoder {
    override encode(text = ''): Uint8Array<ArrayBuffer> {
      const out = new Uint8Array(text.length);
      for (let i = 0; i < text.length; i++) {
        const unit = text.charCodeAt(i);
        if (unit >= 0x80) return super.encode(text);
        out[i] = unit;
      }
      return out;
    }
  }

  class AsciiTextDecoder extends Decoder {
    override decode(input?: AllowSharedBufferSource, options?: TextDecodeOptions): string {
      if (input === undefined || options?.stream === true) return super.decode(input, options);
      const bytes = ArrayBuffer.isView(input) ? new Uint8Array(input.buffer, input.byteOffset, input.byteLength) : new Uint8Array(input);
      for (let i = 0; i < bytes.length; i++) if (bytes[i]! >= 0x80) return super.decode(input, options);
      return asciiString(bytes);
    }
  }

  return { Encoder: AsciiTextEncoder, Decoder: AsciiTextDecoder };
}
