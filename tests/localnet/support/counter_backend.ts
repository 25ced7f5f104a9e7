// A counter "canister" written in plain TypeScript that stands in for the engine behind the HTTP interface.
import { IDL } from '@dfinity/candid';
import { Ed25519KeyIdentity } from '@dfinity/identity';
import { Principal } from '@dfinity/principal';
import { sha256 } from '@noble/hashes/sha2.js';
import type { CallResult, CertifiedCanister, IngressCall, QueryCall, ReplicaBackend } from '../../../packages/local-ic/src/http_interface';
import { encodeUnsignedLeb128 } from '../../../packages/local-ic/src/http_interface/leb128';

export const COUNTER = Principal.fromText('auamu-4x777-77775-aaaaa-cai');
export const OTHER_CANISTER = Principal.fromText('bd3sg-teaaa-aaaaa-qaaba-cai');
export const CONTROLLER = Ed25519KeyIdentity.generate().getPrincipal();

export class CounterBackend implements ReplicaBackend {
  count = 0n;
  inspections = 0;
  updates = 0;
  queries = 0;
  /** Moves the network clock away from the wall clock. */
  clockOffsetNanos = 0n;
  /** `slow` finishes when this settles. */
  slowGate: Promise<void> = Promise.resolve();

  nowNanos(): bigint {
    return BigInt(Date.now()) * 1_000_000n + this.clockOffsetNanos;
  }

  inspectIngress(call: IngressCall): Promise<Extract<CallResult, { kind: 'rejected' }> | undefined> {
    this.inspections += 1;
    if (call.canisterId.toText() !== COUNTER.toText()) {
      return Promise.resolve({ kind: 'rejected', code: 3, message: `Canister ${call.canisterId.toText()} not found`, errorCode: 'IC0301' });
    }
    if (call.methodName === 'refused') {
      return Promise.resolve({
        kind: 'rejected',
        code: 4,
        message: `Canister ${COUNTER.toText()} rejected the message`,
        errorCode: 'IC0406'
      });
    }
    return Promise.resolve(undefined);
  }

  update(call: IngressCall): Promise<CallResult> {
    this.updates += 1;
    switch (call.methodName) {
      case 'increment':
        this.count += 1n;
        return replied([IDL.Nat], [this.count]);
      case 'whoami':
        return replied([IDL.Principal], [call.caller]);
      case 'fail':
        return Promise.resolve({ kind: 'rejected', code: 4, message: 'the counter says no' });
      case 'slow':
        return this.slowGate.then(() => replied([IDL.Nat], [this.count]));
      default:
        return Promise.resolve({ kind: 'rejected', code: 5, message: `no update method ${call.methodName}`, errorCode: 'IC0536' });
    }
  }

  query(call: QueryCall): Promise<CallResult> {
    this.queries += 1;
    switch (call.methodName) {
      case 'read':
        return replied([IDL.Nat], [this.count]);
      case 'whoami_query':
        return replied([IDL.Principal], [call.caller]);
      case 'data_certificate':
        return replied([IDL.Vec(IDL.Nat8)], [call.dataCertificate()]);
      case 'fail_query':
        return Promise.resolve({ kind: 'rejected', code: 4, message: 'the counter says no to queries' });
      default:
        return Promise.resolve({ kind: 'rejected', code: 5, message: `no query method ${call.methodName}`, errorCode: 'IC0536' });
    }
  }

  certifiedCanisters(): CertifiedCanister[] {
    return [
      {
        id: COUNTER,
        certifiedData: encodeUnsignedLeb128(this.count),
        moduleHash: sha256(new TextEncoder().encode('counter')),
        controllers: [CONTROLLER]
      }
    ];
  }
}

function replied(types: IDL.Type[], values: unknown[]): Promise<CallResult> {
  return Promise.resolve({ kind: 'replied', reply: new Uint8Array(IDL.encode(types, values)) });
}
