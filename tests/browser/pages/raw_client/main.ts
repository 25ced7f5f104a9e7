// Speaks the client side of the protocol by hand, to send what auth-client never would and to
// record every message the identity provider sends back.
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';

import type { PortableMessage, RawClient, RawRequestSpec } from '../page_api';

function portable(value: unknown): unknown {
  if (value instanceof Uint8Array) return { hex: bytesToHex(value) };
  if (typeof value === 'bigint') return { bigint: value.toString() };
  if (Array.isArray(value)) return value.map(portable);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, portable(inner)]));
  }
  return value;
}

function request(spec: RawRequestSpec): Record<string, unknown> {
  const { maxTimeToLive, derivationOrigin } = spec;
  return {
    kind: 'authorize-client',
    sessionPublicKey: hexToBytes(spec.sessionPublicKeyHex),
    ...(maxTimeToLive === undefined ? {} : { maxTimeToLive: typeof maxTimeToLive === 'string' ? BigInt(maxTimeToLive) : maxTimeToLive }),
    ...(derivationOrigin === undefined ? {} : { derivationOrigin })
  };
}

let identityProvider: Window | null = null;
const messages: PortableMessage[] = [];
window.addEventListener('message', (event) => messages.push({ origin: event.origin, data: portable(event.data) }));

const rawClient: RawClient = {
  messages,
  open(url) {
    identityProvider = window.open(url, 'identityProvider');
  },
  sendAuthorizeClient(spec, targetOrigin) {
    identityProvider?.postMessage(request(spec), targetOrigin);
  },
  sendFromBystander(spec, targetOrigin) {
    const frame = document.getElementById('bystander') as HTMLIFrameElement;
    // Run postMessage inside the frame's realm so the message's source is the frame, not this window.
    const send = (frame.contentWindow as (Window & typeof globalThis) | null)?.Function('target', 'message', 'origin', 'target.postMessage(message, origin)');
    send?.(identityProvider, request(spec), targetOrigin);
  }
};
window.rawClient = rawClient;
