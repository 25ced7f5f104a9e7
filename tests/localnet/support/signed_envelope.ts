// Hand-built request envelopes for the IC HTTP interface, signed by an agent-js identity.
import { AnonymousIdentity, Cbor, Endpoint, Expiry, SignIdentity, type CallRequest } from '@dfinity/agent';

/** Four minutes ahead; agent-js keeps Expiry's constructor private, its JSON form states an exact expiry. */
export function expiry(): Expiry {
  const nanos = BigInt(Date.now() + 4 * 60_000) * 1_000_000n;
  return Expiry.fromJSON(JSON.stringify({ __expiry__: nanos.toString() }));
}

/** The CBOR envelope of `content` (any request type) as `identity` signs it. */
export async function envelope(identity: SignIdentity | AnonymousIdentity, content: Record<string, unknown>): Promise<Uint8Array<ArrayBuffer>> {
  const signed = (await identity.transformRequest({ request: {}, endpoint: Endpoint.Call, body: content as unknown as CallRequest })) as {
    body: object;
  };
  return new Uint8Array(Cbor.encode(signed.body));
}
