// What the test pages expose on `window` for the tests to read, in forms Playwright can carry
// (hex strings and decimal strings instead of Uint8Array and bigint).
import type { JsonnableDelegationChain } from '@dfinity/identity';

export type LoginOutcome =
  | {
      ok: true;
      principal: string;
      chain: JsonnableDelegationChain;
      /** Random bytes signed by the logged-in identity, i.e. by auth-client's session key. */
      challengeHex: string;
      signatureHex: string;
    }
  | { ok: false; error: string };

export interface PortableMessage {
  origin: string;
  data: unknown;
}

export interface RawRequestSpec {
  sessionPublicKeyHex: string;
  /** A decimal string is sent as a bigint; anything else is sent as it is. */
  maxTimeToLive?: unknown;
  derivationOrigin?: unknown;
}

export interface RawClient {
  messages: PortableMessage[];
  open(identityProviderUrl: string): void;
  sendAuthorizeClient(spec: RawRequestSpec, targetOrigin: string): void;
  /** Sends from the bystander iframe, a window that did not open the identity provider. */
  sendFromBystander(spec: RawRequestSpec, targetOrigin: string): void;
}

declare global {
  interface Window {
    loginOutcome?: Promise<LoginOutcome>;
    rawClient?: RawClient;
  }
}
