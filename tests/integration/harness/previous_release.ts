// The previous release (tests/fixtures/previous_release, commit ad0ff1f): its Wasm, and a client
// with its own Candid types, transcribed from jwt_issuer-ad0ff1f.did, where its replies differ
// from the current interface (metrics, rotate_keys, issue_jwt's SigningKeyNotReady).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { IDL } from '@dfinity/candid';
import type { PocketIc } from '@dfinity/pic';
import type { Principal } from '@dfinity/principal';

import { toPic } from '../../pocket_ic/support/pic';
import { callOutcome, replyOrThrow } from './call_outcome';
import { createControlledCanister } from './jwt_issuer';
import { ISSUER_KEY_NAME, settle } from './pic_network';

const FIXTURE = join(import.meta.dirname, '..', '..', 'fixtures', 'previous_release', 'jwt_issuer-ad0ff1f.wasm.gz');

export function previousReleaseWasm(): Uint8Array {
  return gunzipSync(readFileSync(FIXTURE));
}

const RateLimit = IDL.Record({ capacity: IDL.Nat32, refill_interval_seconds: IDL.Nat32 });

export const ConfigInputV1 = IDL.Record({
  key_name: IDL.Opt(IDL.Text),
  issuer: IDL.Opt(IDL.Text),
  audiences: IDL.Opt(IDL.Vec(IDL.Text)),
  default_audience: IDL.Opt(IDL.Text),
  default_ttl_seconds: IDL.Opt(IDL.Nat32),
  max_ttl_seconds: IDL.Opt(IDL.Nat32),
  rate_limit: IDL.Opt(RateLimit),
  global_limit_per_minute: IDL.Opt(IDL.Nat32),
  cycle_floor: IDL.Opt(IDL.Nat),
  algorithms: IDL.Opt(IDL.Vec(IDL.Text)),
  default_algorithm: IDL.Opt(IDL.Text)
});

const ConfigV1 = IDL.Record({
  key_name: IDL.Text,
  issuer: IDL.Text,
  audiences: IDL.Vec(IDL.Text),
  default_audience: IDL.Text,
  default_ttl_seconds: IDL.Nat32,
  max_ttl_seconds: IDL.Nat32,
  rate_limit: RateLimit,
  global_limit_per_minute: IDL.Nat32,
  cycle_floor: IDL.Nat,
  algorithms: IDL.Vec(IDL.Text),
  default_algorithm: IDL.Text
});

const KidV1 = IDL.Record({ algorithm: IDL.Text, kid: IDL.Text });

const MetricsV1 = IDL.Record({
  tokens_issued: IDL.Nat64,
  signatures_requested: IDL.Nat64,
  rejections: IDL.Vec(IDL.Record({ reason: IDL.Text, count: IDL.Nat64 })),
  cycle_balance: IDL.Nat,
  active_kid: IDL.Opt(IDL.Text),
  key_version: IDL.Nat32,
  active_keys: IDL.Vec(KidV1)
});

const RotateKeysResultV1 = IDL.Variant({
  Ok: IDL.Record({ key_version: IDL.Nat32, active_keys: IDL.Vec(KidV1) }),
  Err: IDL.Variant({
    NotController: IDL.Record({ caller: IDL.Principal }),
    KeyFetchFailed: IDL.Record({ algorithm: IDL.Text, reject_code: IDL.Nat32, message: IDL.Text }),
    RotationInProgress: IDL.Null
  })
});

const IssueOptionsV1 = IDL.Record({
  audience: IDL.Opt(IDL.Text),
  ttl_seconds: IDL.Opt(IDL.Nat32),
  extra_claims: IDL.Opt(IDL.Text),
  algorithm: IDL.Opt(IDL.Text)
});

const IssueResultV1 = IDL.Variant({
  Ok: IDL.Record({ token: IDL.Text, expires_at: IDL.Nat64, kid: IDL.Text }),
  Err: IDL.Variant({
    AnonymousCaller: IDL.Null,
    AudienceNotAllowed: IDL.Record({ audience: IDL.Text, allowed: IDL.Vec(IDL.Text) }),
    TtlOutOfRange: IDL.Record({ requested: IDL.Nat32, min: IDL.Nat32, max: IDL.Nat32 }),
    ClaimsInvalid: IDL.Record({ reason: IDL.Text }),
    RateLimited: IDL.Record({ scope: IDL.Variant({ Caller: IDL.Null, Global: IDL.Null }), retry_after_seconds: IDL.Nat32 }),
    AlgorithmNotEnabled: IDL.Record({ algorithm: IDL.Text, enabled: IDL.Vec(IDL.Text) }),
    SigningKeyNotReady: IDL.Null,
    SigningFailed: IDL.Record({ reject_code: IDL.Nat32, message: IDL.Text }),
    CyclesBelowFloor: IDL.Record({ balance: IDL.Nat, floor: IDL.Nat, fee: IDL.Nat })
  })
});

const UpdateConfigResultV1 = IDL.Variant({
  Ok: ConfigV1,
  Err: IDL.Variant({ NotController: IDL.Record({ caller: IDL.Principal }), InvalidConfig: IDL.Record({ field: IDL.Text, reason: IDL.Text }) })
});

export interface MetricsV1 {
  tokens_issued: bigint;
  signatures_requested: bigint;
  rejections: { reason: string; count: bigint }[];
  active_kid: [] | [string];
  key_version: number;
  active_keys: { algorithm: string; kid: string }[];
}

type Opt<T> = [] | [T];

const FIELDS = ['key_name', 'issuer', 'audiences', 'default_audience', 'default_ttl_seconds', 'max_ttl_seconds', 'rate_limit', 'global_limit_per_minute', 'cycle_floor', 'algorithms', 'default_algorithm'];

/** A Candid ConfigInput of the previous release: fields left out are `null`. */
export function configInputV1(fields: Record<string, unknown>): Record<string, Opt<unknown>> {
  return Object.fromEntries(FIELDS.map((name): [string, Opt<unknown>] => [name, name in fields ? [fields[name]] : []]));
}

/** The previous release's canister, spoken to in its own Candid. */
export class PreviousRelease {
  constructor(
    readonly pic: PocketIc,
    readonly canisterId: Principal,
    readonly controller: Principal
  ) {}

  /** With the key the suite's subnet layout holds unless `config` names another. */
  static async install(pic: PocketIc, config: Record<string, unknown>): Promise<PreviousRelease> {
    const { canisterId, controller } = await createControlledCanister(pic);
    const arg = IDL.encode([IDL.Opt(ConfigInputV1)], [[configInputV1({ key_name: ISSUER_KEY_NAME, ...config })]]);
    await pic.installCode({ canisterId: toPic(canisterId), wasm: previousReleaseWasm(), arg, sender: toPic(controller) });
    const release = new PreviousRelease(pic, canisterId, controller);
    for (let attempt = 0; attempt < 20 && (await release.metrics()).active_keys.length < 2; attempt++) await settle(pic);
    return release;
  }

  private async call(kind: 'query' | 'update', method: string, arg: ArrayBuffer | Uint8Array, sender: Principal = this.controller): Promise<Uint8Array> {
    const request = { canisterId: toPic(this.canisterId), method, arg: new Uint8Array(arg), sender: toPic(sender) };
    const outcome = await callOutcome(() => (kind === 'query' ? this.pic.queryCall(request) : this.pic.updateCall(request)));
    return replyOrThrow(outcome, method);
  }

  async metrics(): Promise<MetricsV1> {
    const reply = await this.call('query', 'metrics', IDL.encode([], []));
    return IDL.decode([MetricsV1], reply)[0] as unknown as MetricsV1;
  }

  async issueToken(sender: Principal, options: { algorithm?: string; ttlSeconds?: number } = {}): Promise<string> {
    const arg = IDL.encode(
      [IDL.Opt(IssueOptionsV1)],
      [[{ audience: [], ttl_seconds: options.ttlSeconds === undefined ? [] : [options.ttlSeconds], extra_claims: [], algorithm: options.algorithm === undefined ? [] : [options.algorithm] }]]
    );
    const reply = await this.call('update', 'issue_jwt', arg, sender);
    const result = IDL.decode([IssueResultV1], reply)[0] as { Ok?: { token: string }; Err?: unknown };
    if (result.Ok === undefined) throw new Error(`issue_jwt failed: ${Object.keys(result.Err as object)[0]}`);
    return result.Ok.token;
  }

  async rotateKeys(): Promise<Record<string, unknown>> {
    const reply = await this.call('update', 'rotate_keys', IDL.encode([], []));
    return IDL.decode([RotateKeysResultV1], reply)[0] as Record<string, unknown>;
  }

  async updateConfig(fields: Record<string, unknown>): Promise<Record<string, unknown>> {
    const arg = IDL.encode([ConfigInputV1], [configInputV1(fields)]);
    const reply = await this.call('update', 'update_config', arg);
    return IDL.decode([UpdateConfigResultV1], reply)[0] as Record<string, unknown>;
  }

  async getConfig(): Promise<Record<string, unknown>> {
    const reply = await this.call('query', 'get_config', IDL.encode([], []));
    return IDL.decode([ConfigV1], reply)[0] as Record<string, unknown>;
  }
}
