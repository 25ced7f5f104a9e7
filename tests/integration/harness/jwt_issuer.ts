// A typed client for the jwt_issuer canister over the TestIc interface, plus install helpers.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';

import {
  ConfigInputType,
  configInputToCandid,
  ConfigType,
  IssueOptionsType,
  IssueResultType,
  MetricsType,
  RotateKeysResultType,
  HttpRequestType,
  HttpResponseType,
  UpdateConfigResultType,
  type CandidConfig
} from '../../../src/backend/core/candid';
import type { ConfigInput } from '../../../src/backend/core/config';
import { replyOrThrow, type CallOutcome, type InstallMode, type TestIc } from './test_ic';

export const JWT_ISSUER_WASM = join(import.meta.dirname, '..', '..', '..', '.azle', 'jwt_issuer', 'jwt_issuer.wasm');

export function jwtIssuerWasm(): Uint8Array {
  return readFileSync(JWT_ISSUER_WASM);
}

export function randomPrincipal(): Principal {
  return Principal.selfAuthenticating(crypto.getRandomValues(new Uint8Array(32)));
}

export function initArgument(config?: ConfigInput): Uint8Array {
  return IDL.encode([IDL.Opt(ConfigInputType)], [config === undefined ? [] : [configInputToCandid(config)]]);
}

export interface IssueOptionsInput {
  audience?: string;
  ttlSeconds?: number;
  extraClaims?: string;
  algorithm?: string;
}

export type IssueResult =
  | { Ok: { token: string; expires_at: bigint; kid: string } }
  | { Err: Record<string, unknown> };

export interface Metrics {
  tokens_issued: bigint;
  signatures_requested: bigint;
  rejections: { reason: string; count: bigint }[];
  cycle_balance: bigint;
  active_kid: [] | [string];
  key_version: number;
  active_keys: { algorithm: string; kid: string }[];
  pending_keys: { algorithm: string; kid: string; activates_at: bigint }[];
  signing_keys: { algorithm: string; status: SigningKeyStatus }[];
}

export type SigningKeyStatus =
  | { Ready: null }
  | { Fetching: null }
  | { Failed: { reject_code: number; message: string; attempts: number; next_retry_at: bigint } };

export interface HttpResult {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const opt = <T>(value: T | undefined): [] | [T] => (value === undefined ? [] : [value]);

export class JwtIssuer {
  constructor(
    readonly ic: TestIc,
    readonly canisterId: Principal,
    readonly controller: Principal
  ) {}

  /** `waitForKey: false` returns without waiting for the signing key (for a canister that cannot get one). */
  static async install(ic: TestIc, options: { config?: ConfigInput; cycles?: bigint; waitForKey?: boolean } = {}): Promise<JwtIssuer> {
    const controller = randomPrincipal();
    const canisterId = await ic.createCanister({ controllers: [controller], cycles: options.cycles ?? 100_000_000_000_000n, sender: controller });
    await ic.installCode(canisterId, jwtIssuerWasm(), initArgument(options.config), 'install', controller);
    const issuer = new JwtIssuer(ic, canisterId, controller);
    if (options.waitForKey !== false) await issuer.waitForSigningKey();
    return issuer;
  }

  async upgrade(config?: ConfigInput, mode: InstallMode = 'upgrade'): Promise<void> {
    await this.ic.installCode(this.canisterId, jwtIssuerWasm(), initArgument(config), mode, this.controller);
  }

  /** The key is fetched by a timer right after install and upgrade. */
  async waitForSigningKey(): Promise<string> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const kid = (await this.metrics()).active_kid[0];
      if (kid !== undefined) return kid;
      await this.ic.settle();
    }
    throw new Error('the signing key never became ready');
  }

  issueRaw(sender: Principal, arg: Uint8Array): Promise<CallOutcome> {
    return this.ic.update(this.canisterId, 'issue_jwt', arg, sender);
  }

  /** `options` undefined sends no argument at all. */
  async issue(sender: Principal, options?: IssueOptionsInput): Promise<IssueResult> {
    const arg =
      options === undefined
        ? IDL.encode([], [])
        : IDL.encode(
            [IDL.Opt(IssueOptionsType)],
            [
              [
                {
                  audience: opt(options.audience),
                  ttl_seconds: opt(options.ttlSeconds),
                  extra_claims: opt(options.extraClaims),
                  algorithm: opt(options.algorithm)
                }
              ]
            ]
          );
    const reply = replyOrThrow(await this.issueRaw(sender, arg), 'issue_jwt');
    return IDL.decode([IssueResultType], reply)[0] as unknown as IssueResult;
  }

  async issueToken(sender: Principal, options?: IssueOptionsInput): Promise<string> {
    const result = await this.issue(sender, options);
    if ('Err' in result) throw new Error(`issue_jwt failed: ${JSON.stringify(result.Err, (_, v) => (typeof v === 'bigint' ? String(v) : v))}`);
    return result.Ok.token;
  }

  async getConfig(): Promise<CandidConfig> {
    const reply = replyOrThrow(await this.ic.query(this.canisterId, 'get_config', IDL.encode([], []), this.controller), 'get_config');
    return IDL.decode([ConfigType], reply)[0] as unknown as CandidConfig;
  }

  async updateConfig(sender: Principal, input: ConfigInput): Promise<Record<string, unknown>> {
    const arg = IDL.encode([ConfigInputType], [configInputToCandid(input)]);
    const reply = replyOrThrow(await this.ic.update(this.canisterId, 'update_config', arg, sender), 'update_config');
    return IDL.decode([UpdateConfigResultType], reply)[0] as unknown as Record<string, unknown>;
  }

  async metrics(): Promise<Metrics> {
    const reply = replyOrThrow(await this.ic.query(this.canisterId, 'metrics', IDL.encode([], []), this.controller), 'metrics');
    return IDL.decode([MetricsType], reply)[0] as unknown as Metrics;
  }

  async http(method: string, url: string): Promise<HttpResult> {
    const arg = IDL.encode([HttpRequestType], [{ method, url, headers: [], body: new Uint8Array(), certificate_version: [2] }]);
    const reply = replyOrThrow(await this.ic.query(this.canisterId, 'http_request', arg, randomPrincipal()), 'http_request');
    const response = IDL.decode([HttpResponseType], reply)[0] as unknown as {
      status_code: number;
      headers: [string, string][];
      body: Uint8Array | number[];
    };
    return {
      status: response.status_code,
      headers: Object.fromEntries(response.headers),
      body: new TextDecoder().decode(Uint8Array.from(response.body))
    };
  }

  async rotateKeys(sender: Principal = this.controller): Promise<Record<string, unknown>> {
    const reply = replyOrThrow(await this.ic.update(this.canisterId, 'rotate_keys', IDL.encode([], []), sender), 'rotate_keys');
    return IDL.decode([RotateKeysResultType], reply)[0] as unknown as Record<string, unknown>;
  }

  async jwks(): Promise<{ keys: Record<string, string>[] }> {
    return JSON.parse((await this.http('GET', '/.well-known/jwks.json')).body);
  }
}
