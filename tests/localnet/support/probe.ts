import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import type { CallResult, LocalIc, SubnetKind } from '../../../packages/local-ic/src/index.js';
import { decodeReply, encode } from './candid.js';
import { azleFixtureWasm } from './fixtures.js';

export const probeWasm = (): Promise<Uint8Array> => azleFixtureWasm('probe');

export const initArg = (text: string): Uint8Array => encode([IDL.Text], [text]);

export interface CyclesReport {
  accepted: bigint;
  refunded: bigint;
  balanceBefore: bigint;
  balanceAfter: bigint;
}

export interface RawCallOutcome {
  reply: [] | [Uint8Array];
  rejectCode: number;
  rejectMessage: string;
  refunded: bigint;
}

const CyclesReportType = IDL.Record({ accepted: IDL.Nat, refunded: IDL.Nat, balanceBefore: IDL.Nat, balanceAfter: IDL.Nat });
const RawCallOutcomeType = IDL.Record({
  reply: IDL.Opt(IDL.Vec(IDL.Nat8)),
  rejectCode: IDL.Nat32,
  rejectMessage: IDL.Text,
  refunded: IDL.Nat
});

/** Typed calls to the probe fixture canister (tests/fixtures/localnet/probe.ts). */
export class Probe {
  constructor(
    readonly ic: LocalIc,
    readonly id: Principal,
    readonly sender: Principal = Principal.anonymous()
  ) {}

  as(sender: Principal): Probe {
    return new Probe(this.ic, this.id, sender);
  }

  query(method: string, types: IDL.Type[] = [], values: unknown[] = []): Promise<CallResult> {
    return this.ic.queryCall(this.id, method, encode(types, values), { sender: this.sender });
  }

  update(method: string, types: IDL.Type[] = [], values: unknown[] = []): Promise<CallResult> {
    return this.ic.updateCall(this.id, method, encode(types, values), { sender: this.sender });
  }

  async whoami(): Promise<string> {
    return decodeReply(await this.query('whoami'), IDL.Text);
  }

  async lifecycle(): Promise<string> {
    return decodeReply(await this.query('lifecycle'), IDL.Text);
  }

  async counter(): Promise<bigint> {
    return decodeReply(await this.query('counter'), IDL.Nat64);
  }

  async increment(): Promise<bigint> {
    return decodeReply(await this.update('increment'), IDL.Nat64);
  }

  async put(key: string, value: string): Promise<void> {
    decodeReply(await this.update('put', [IDL.Text, IDL.Text], [key, value]), IDL.Null);
  }

  async get(key: string): Promise<string | undefined> {
    return decodeReply<[] | [string]>(await this.query('get', [IDL.Text], [key]), IDL.Opt(IDL.Text))[0];
  }

  async balance(): Promise<bigint> {
    return decodeReply(await this.query('balance'), IDL.Nat);
  }

  async timerFires(): Promise<number> {
    return decodeReply(await this.query('timerFires'), IDL.Nat32);
  }

  async setTimerIn(seconds: number): Promise<void> {
    decodeReply(await this.update('setTimerIn', [IDL.Nat32], [seconds]), IDL.Null);
  }

  async sendCycles(target: Principal, cycles: bigint): Promise<CyclesReport> {
    return decodeReply(await this.update('sendCycles', [IDL.Principal, IDL.Nat], [target, cycles]), CyclesReportType);
  }

  async callRaw(target: Principal, method: string, args: Uint8Array, cycles = 0n): Promise<RawCallOutcome> {
    return decodeReply(
      await this.update('callRaw', [IDL.Principal, IDL.Text, IDL.Vec(IDL.Nat8), IDL.Nat], [target, method, args, cycles]),
      RawCallOutcomeType
    );
  }

  async rawRand(): Promise<Uint8Array> {
    return decodeReply(await this.update('rawRand'), IDL.Vec(IDL.Nat8));
  }
}

export async function installProbe(
  ic: LocalIc,
  options: { controller: Principal; cycles?: bigint; init?: string; subnet?: SubnetKind }
): Promise<Probe> {
  const id = await ic.createCanister({ controllers: [options.controller], sender: options.controller, cycles: options.cycles, subnet: options.subnet });
  await ic.installCode(id, await probeWasm(), initArg(options.init ?? 'test'), { sender: options.controller });
  return new Probe(ic, id);
}
