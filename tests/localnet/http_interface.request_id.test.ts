import { Cbor, Expiry, requestIdOf as agentRequestIdOf, SubmitRequestType, ReadRequestType } from '@dfinity/agent';
import { Ed25519KeyIdentity, DelegationChain } from '@dfinity/identity';
import { Principal } from '@dfinity/principal';
import { bytesToHex, hexToBytes, randomBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import {
  CborDecodeError,
  decodeCbor,
  decodeEnvelope,
  encodeCbor,
  hashValue,
  MalformedRequestError,
  requestIdOf
} from '../../packages/local-ic/src/http_interface';
import { encodeSignedLeb128, encodeUnsignedLeb128 } from '../../packages/local-ic/src/http_interface/leb128';

function ourRequestId(content: object): string {
  const decoded = decodeCbor(Cbor.encode(content));
  if (decoded.type !== 'map') throw new Error('expected a map');
  return bytesToHex(requestIdOf(decoded));
}

function agentRequestId(content: Record<string, unknown>): string {
  return bytesToHex(agentRequestIdOf(content));
}

const CANISTER = Principal.fromText('auamu-4x777-77775-aaaaa-cai');

/** agent-js keeps Expiry's constructor private; its JSON form is the public way to state an exact expiry. */
function expiryAt(nanos: bigint): Expiry {
  return Expiry.fromJSON(JSON.stringify({ __expiry__: nanos.toString() }));
}


describe('request ids', () => {
  it('match the worked example of the interface spec', () => {
    const content = {
      request_type: 'call',
      sender: Principal.anonymous(),
      ingress_expiry: 1685570400000000000n,
      canister_id: Principal.fromHex('00000000000004D2'),
      method_name: 'hello',
      arg: hexToBytes('4449444c00fd2a') // "DIDL\x00\xFD*"
    };
    expect(ourRequestId(content)).toBe('1d1091364d6bb8a6c16b203ee75467d59ead468f523eb058880ae8ec80e2b101');
  });

  it('match agent-js on call contents of many shapes', () => {
    for (let i = 0; i < 50; i++) {
      const content: Record<string, unknown> = {
        request_type: SubmitRequestType.Call,
        canister_id: i % 3 === 0 ? Principal.managementCanister() : CANISTER,
        method_name: ['greet', '', 'ünïcødé ✓', 'a'.repeat(200)][i % 4],
        arg: randomBytes(i * 37),
        sender: i % 2 === 0 ? Principal.anonymous() : Ed25519KeyIdentity.generate().getPrincipal(),
        ingress_expiry: expiryAt(BigInt(Date.now()) * 1_000_000n + BigInt(i) * 123_456_789n)
      };
      if (i % 5 !== 0) content['nonce'] = randomBytes(i % 33);
      expect(ourRequestId(content)).toBe(agentRequestId(content));
    }
  });

  it('match agent-js on read_state paths and numbers of every width', () => {
    const numbers = [0n, 1n, 23n, 24n, 255n, 256n, 65_535n, 65_536n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 63n, 2n ** 64n - 1n];
    for (const expiry of numbers) {
      const content = {
        request_type: ReadRequestType.ReadState,
        paths: [
          [new TextEncoder().encode('time')],
          [new TextEncoder().encode('request_status'), randomBytes(32)],
          [],
          [new TextEncoder().encode('canister'), CANISTER.toUint8Array(), new TextEncoder().encode('module_hash')]
        ],
        sender: Principal.anonymous(),
        ingress_expiry: expiryAt(expiry)
      };
      expect(ourRequestId(content)).toBe(agentRequestId(content));
    }
  });

  it('match agent-js on maps with small integers and extra fields', () => {
    const content = { request_type: 'query', ingress_expiry: 5, count: 624485, nested: { a: 'b', n: 7 } };
    expect(ourRequestId(content)).toBe(agentRequestId(content));
  });

  it('hash delegations the way @dfinity/identity signs them', async () => {
    const root = Ed25519KeyIdentity.generate();
    const session = Ed25519KeyIdentity.generate();
    for (const targets of [undefined, [CANISTER], [CANISTER, Principal.fromText('aaaaa-aa')]]) {
      const chain = await DelegationChain.create(root, session.getPublicKey(), new Date(Date.now() + 60_000), { targets });
      const signed = chain.delegations[0];
      if (signed === undefined) throw new Error('no delegation');
      const envelope = decodeEnvelope(
        Cbor.encode({
          content: { request_type: 'query', sender: root.getPrincipal(), ingress_expiry: 1n, canister_id: CANISTER, method_name: 'm', arg: new Uint8Array() },
          sender_delegation: chain.delegations
        }),
        'query'
      );
      const ours = envelope.senderDelegation?.[0];
      expect(bytesToHex(ours?.delegationHash ?? new Uint8Array())).toBe(bytesToHex(agentRequestIdOf({ ...signed.delegation })));
      expect(ours?.delegation.targets?.map((t) => t.toText())).toEqual(targets?.map((t) => t.toText()));
    }
  });

  it('encode naturals and integers as the spec examples say', () => {
    expect(bytesToHex(encodeUnsignedLeb128(0n))).toBe('00');
    expect(bytesToHex(encodeUnsignedLeb128(624485n))).toBe('e58e26');
    expect(bytesToHex(encodeSignedLeb128(0n))).toBe('00');
    expect(bytesToHex(encodeSignedLeb128(-123456n))).toBe('c0bb78');
    expect(bytesToHex(hashValue(-123456n))).not.toBe(bytesToHex(hashValue(123456n)));
  });
});

describe('envelope decoding', () => {
  const content = {
    request_type: 'call',
    canister_id: CANISTER,
    method_name: 'greet',
    arg: new Uint8Array([1, 2, 3]),
    sender: Principal.anonymous(),
    ingress_expiry: 10n
  };

  it('reads a call with and without the self-describe tag', () => {
    const tagged = decodeEnvelope(Cbor.encode({ content }), 'call');
    const untagged = decodeEnvelope(encodeCbor({ content: { ...content, canister_id: CANISTER.toUint8Array(), sender: new Uint8Array([4]) } }), 'call');
    expect(tagged.content.methodName).toBe('greet');
    expect(tagged.content.canisterId.toText()).toBe(CANISTER.toText());
    expect(bytesToHex(untagged.requestId)).toBe(bytesToHex(tagged.requestId));
  });

  it('refuses another request type than the endpoint expects', () => {
    expect(() => decodeEnvelope(Cbor.encode({ content }), 'query')).toThrow(/expected request_type "query"/);
  });

  it('refuses missing fields, wrong types and oversized principals', () => {
    const { arg: _arg, ...withoutArg } = content;
    expect(() => decodeEnvelope(Cbor.encode({ content: withoutArg }), 'call')).toThrow(/missing field arg/);
    expect(() => decodeEnvelope(Cbor.encode({ content: { ...content, arg: 'text' } }), 'call')).toThrow(/arg must be a blob/);
    expect(() => decodeEnvelope(Cbor.encode({ content: { ...content, sender: new Uint8Array(30) } }), 'call')).toThrow(
      /at most 29/
    );
    expect(() => decodeEnvelope(Cbor.encode({ content: { ...content, ingress_expiry: -1 } }), 'call')).toThrow(
      MalformedRequestError
    );
  });

  it('refuses CBOR a strict decoder must not accept', () => {
    const valid = Cbor.encode({ content });
    expect(() => decodeCbor(valid.slice(0, valid.length - 1))).toThrow(CborDecodeError);
    expect(() => decodeCbor(new Uint8Array([...valid, 0]))).toThrow(/trailing bytes/);
    // {"a": 1, "a": 2}
    expect(() => decodeCbor(hexToBytes('a2616101616102'))).toThrow(/duplicate/);
    // {1: 2}
    expect(() => decodeCbor(hexToBytes('a10102'))).toThrow(/text strings/);
    // 1.5 as a half float
    expect(() => decodeCbor(hexToBytes('f93e00'))).toThrow(/floating-point/);
    // tag 1 (epoch time)
    expect(() => decodeCbor(hexToBytes('c101'))).toThrow(/unsupported CBOR tag/);
    // 40 nested arrays
    expect(() => decodeCbor(new Uint8Array([...new Array<number>(40).fill(0x81), 0x00]))).toThrow(/nesting/);
    expect(() => decodeEnvelope(new Uint8Array([0xff]), 'call')).toThrow(/Failed to deserialize cbor request/);
  });

  it('reads bignums up to 64 bits and indefinite lengths', () => {
    // 2(h'ffffffffffffffff') = 2^64 - 1 and 3(h'00ff') = -256; 2(h'010000000000000000') = 2^64 is wider than any IC integer
    expect(decodeCbor(hexToBytes('c248ffffffffffffffff'))).toEqual({ type: 'unsigned', value: 2n ** 64n - 1n });
    expect(decodeCbor(hexToBytes('c34200ff'))).toEqual({ type: 'negative', value: -256n });
    expect(() => decodeCbor(hexToBytes('c249010000000000000000'))).toThrow(/bignum of 9 bytes/);
    expect(decodeCbor(hexToBytes('5f4201024103ff'))).toEqual({ type: 'bytes', value: new Uint8Array([1, 2, 3]) });
    expect(decodeCbor(hexToBytes('9f0102ff'))).toEqual({
      type: 'array',
      items: [
        { type: 'unsigned', value: 1n },
        { type: 'unsigned', value: 2n }
      ]
    });
  });
});
