import { Certificate, LookupPathStatus, lookupResultToBuffer } from '@dfinity/agent';
import { Principal } from '@dfinity/principal';
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, hexToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import {
  BLS_PUBLIC_KEY_DER_PREFIX,
  decodeCbor,
  decodeHashTree,
  encodeCbor,
  encodeHashTree,
  generateNetworkSecret,
  IcHttpInterface,
  lookupPath,
  NetworkKeys,
  reconstruct,
  STATE_ROOT_DOMAIN_SEPARATOR,
  type CertifiedCanister,
  type HashTree,
  type ReplicaBackend
} from '../../packages/local-ic/src/http_interface';
import { encodeUnsignedLeb128 } from '../../packages/local-ic/src/http_interface/leb128';

const CANISTER = Principal.fromText('auamu-4x777-77775-aaaaa-cai');
const CONTROLLER = Principal.fromText('2vxsx-fae');

function staticBackend(certifiedData: Uint8Array): ReplicaBackend {
  const canister: CertifiedCanister = {
    id: CANISTER,
    certifiedData,
    moduleHash: sha256(new TextEncoder().encode('module')),
    controllers: [CONTROLLER]
  };
  return {
    nowNanos: () => BigInt(Date.now()) * 1_000_000n,
    inspectIngress: () => Promise.resolve(undefined),
    update: () => Promise.resolve({ kind: 'replied', reply: new Uint8Array() }),
    query: () => Promise.resolve({ kind: 'replied', reply: new Uint8Array() }),
    certifiedCanisters: () => [canister]
  };
}

interface DecodedCertificate {
  tree: HashTree;
  signature: Uint8Array;
}

function decodeCertificate(bytes: Uint8Array): DecodedCertificate {
  const value = decodeCbor(bytes);
  if (value.type !== 'map') throw new Error('not a map');
  const tree = value.entries.get('tree');
  const signature = value.entries.get('signature');
  if (tree === undefined || signature?.type !== 'bytes') throw new Error('not a certificate');
  return { tree: decodeHashTree(tree), signature: signature.value };
}

function encodeCertificate(certificate: DecodedCertificate): Uint8Array {
  return encodeCbor({ tree: encodeHashTree(certificate.tree), signature: certificate.signature }, { selfDescribe: true });
}

/** The same tree with one bit of its first leaf flipped (undefined if it has no leaf). */
function withFlippedLeaf(tree: HashTree): HashTree | undefined {
  switch (tree[0]) {
    case 1: {
      const left = withFlippedLeaf(tree[1]);
      if (left !== undefined) return [1, left, tree[2]];
      const right = withFlippedLeaf(tree[2]);
      return right === undefined ? undefined : [1, tree[1], right];
    }
    case 2: {
      const subtree = withFlippedLeaf(tree[2]);
      return subtree === undefined ? undefined : [2, tree[1], subtree];
    }
    case 3: {
      const value = tree[1].slice();
      value[0] = (value[0] ?? 0) ^ 1;
      return [3, value];
    }
    default:
      return undefined;
  }
}

describe('network keys', () => {
  it('export the root key with the DER prefix agent-js expects', () => {
    const keys = NetworkKeys.fromSecret(generateNetworkSecret());
    expect(keys.rootPublicKeyDer.length).toBe(133);
    expect(bytesToHex(BLS_PUBLIC_KEY_DER_PREFIX)).toBe(
      '308182301d060d2b0601040182dc7c0503010201060c2b0601040182dc7c05030201036100'
    );
    expect(bytesToHex(keys.rootPublicKeyDer.subarray(0, 37))).toBe(bytesToHex(BLS_PUBLIC_KEY_DER_PREFIX));
    expect(keys.subnetId.toText()).toBe(Principal.selfAuthenticating(keys.rootPublicKeyDer).toText());
    expect(keys.root.nodePublicKeyDer.length).toBe(44);
  });

  it('derive the same keys from the same secret and different keys from another', () => {
    const secret = generateNetworkSecret();
    const a = NetworkKeys.fromSecret(secret);
    const b = NetworkKeys.fromSecret(secret.slice());
    const c = NetworkKeys.fromSecret(generateNetworkSecret());
    expect(bytesToHex(a.rootPublicKeyDer)).toBe(bytesToHex(b.rootPublicKeyDer));
    expect(a.root.nodeId.toText()).toBe(b.root.nodeId.toText());
    expect(bytesToHex(a.subnet('application').publicKeyDer)).toBe(bytesToHex(b.subnet('application').publicKeyDer));
    expect(bytesToHex(a.rootPublicKeyDer)).not.toBe(bytesToHex(c.rootPublicKeyDer));
    expect(() => NetworkKeys.fromSecret(new Uint8Array(16))).toThrow(/32 bytes/);
  });

  it('do not show their secrets', () => {
    const keys = NetworkKeys.fromSecret(generateNetworkSecret());
    expect(Object.keys(keys)).toEqual(['root']);
    expect(Object.keys(keys.subnet('fiduciary'))).toEqual(['publicKey', 'publicKeyDer', 'subnetId', 'nodePublicKeyDer', 'nodeId']);
    expect(JSON.stringify(keys)).not.toMatch(/Secret/i);
  });
});

describe('certificates', () => {
  const certifiedData = hexToBytes('c0ffee'.repeat(10));
  const api = new IcHttpInterface({ backend: staticBackend(certifiedData), networkSecret: generateNetworkSecret() });
  const certificatePaths = [['canister', CANISTER.toUint8Array(), 'controllers'], ['canister', CANISTER.toUint8Array(), 'module_hash']];

  it('are accepted by agent-js with the network root key', async () => {
    // agent-js 3.4 speaks the deprecated endpoints: it finds a subnet's ranges only at /subnet/<id>/canister_ranges.
    const certificate = await Certificate.create({
      certificate: api.certificate(certificatePaths, {}, { canisterId: CANISTER, generation: 'deprecated' }),
      rootKey: api.rootKeyDer,
      canisterId: CANISTER
    });
    const controllers = lookupResultToBuffer(certificate.lookup_path(['canister', CANISTER.toUint8Array(), 'controllers']));
    const decoded = decodeCbor(controllers ?? new Uint8Array());
    expect(decoded).toEqual({ type: 'array', items: [{ type: 'bytes', value: CONTROLLER.toUint8Array() }] });
    expect(certificate.lookup_path(['time']).status).toBe(LookupPathStatus.Found);
    // Not requested, so pruned: the certificate cannot tell. (agent-js's own lookup says Absent here: its
    // label comparison treats "any byte greater" as "greater", so it misreads pruned neighbourhoods.)
    const tree = decodeCertificate(api.certificate(certificatePaths, {}, { canisterId: CANISTER })).tree;
    expect(lookupPath(['canister', CANISTER.toUint8Array(), 'certified_data'], tree).status).toBe('unknown');
  });

  it('carry a BLS signature over the domain-separated root hash', () => {
    const { tree, signature } = decodeCertificate(api.certificate([]));
    const message = concatBytes(STATE_ROOT_DOMAIN_SEPARATOR, reconstruct(tree));
    expect(bls12_381.verifyShortSignature(signature, message, api.keys.root.publicKey)).toBe(true);
    expect(signature.length).toBe(48);
  });

  it('are refused when a bit of the tree or of the signature is flipped', async () => {
    const original = decodeCertificate(api.certificate(certificatePaths, {}, { canisterId: CANISTER }));
    const flippedSignature = original.signature.slice();
    flippedSignature[10] = (flippedSignature[10] ?? 0) ^ 0x01;
    const tampered = [
      encodeCertificate({ tree: withFlippedLeaf(original.tree) ?? original.tree, signature: original.signature }),
      encodeCertificate({ tree: original.tree, signature: flippedSignature })
    ];
    for (const certificate of tampered) {
      await expect(Certificate.create({ certificate, rootKey: api.rootKeyDer, canisterId: CANISTER })).rejects.toThrow(
        /signature/i
      );
    }
  });

  it('are refused under another network root key', async () => {
    const other = new IcHttpInterface({ backend: staticBackend(certifiedData), networkSecret: generateNetworkSecret() });
    await expect(
      Certificate.create({ certificate: api.certificate([]), rootKey: other.rootKeyDer, canisterId: CANISTER })
    ).rejects.toThrow(/signature/i);
  });

  it('give a query its data certificate: certified data and time only', async () => {
    const certificate = await Certificate.create({
      certificate: api.dataCertificate(CANISTER),
      rootKey: api.rootKeyDer,
      canisterId: CANISTER
    });
    const found = lookupResultToBuffer(certificate.lookup_path(['canister', CANISTER.toUint8Array(), 'certified_data']));
    expect(bytesToHex(found ?? new Uint8Array())).toBe(bytesToHex(certifiedData));
    expect(certificate.lookup_path(['time']).status).toBe(LookupPathStatus.Found);
    const tree = decodeCertificate(api.dataCertificate(CANISTER)).tree;
    expect(lookupPath(['subnet'], tree).status).toBe('unknown');
    expect(lookupPath(['request_status'], tree).status).toBe('unknown');
    expect(lookupPath(['canister', CANISTER.toUint8Array(), 'module_hash'], tree).status).toBe('unknown');
  });

  it('can certify the certified data and time an engine hands in', async () => {
    const time = BigInt(Date.now() - 1_000) * 1_000_000n;
    const bytes = api.dataCertificateAt(CANISTER, new Uint8Array([9, 9]), time);
    const certificate = await Certificate.create({ certificate: bytes, rootKey: api.rootKeyDer, canisterId: CANISTER });
    const found = lookupResultToBuffer(certificate.lookup_path(['canister', CANISTER.toUint8Array(), 'certified_data']));
    expect(found).toEqual(new Uint8Array([9, 9]));
    expect(lookupPath(['time'], decodeCertificate(bytes).tree)).toEqual({ status: 'found', value: encodeUnsignedLeb128(time) });
  });

  it('take milliseconds to sign (figure for the report)', () => {
    const runs = 20;
    const started = performance.now();
    for (let i = 0; i < runs; i++) api.certificate([['request_status', new Uint8Array(32).fill(i)]]);
    const perCertificate = (performance.now() - started) / runs;
    console.info(`certificate build + BLS signing: ${perCertificate.toFixed(1)} ms each`);
    expect(perCertificate).toBeLessThan(500);
  });
});
