// A typed client for the jwt_issuer canister on a @dfinity/pic instance, plus install helpers.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IDL } from '@dfinity/candid';
import type { PocketIc } from '@dfinity/pic';
import { Principal } from '@dfinity/principal';

import { configInputToCandid } from '../../../src/backend/core/candid';
import type { ConfigInput } from '../../../src/backend/core/config';
import {
  idlInitArgs,
  idlService,
  type _SERVICE as JwtIssuerService,
  type AuthorizationRequest,
  type AuthorizeResult,
  type CheckAuthorizationResult,
  type ClientResult,
  type Config,
  type IssueResult,
  type OidcClient,
  type Metrics,
  type RotateKeysResult,
  type UpdateConfigResult
} from '@ic-jwt/client/candid';
import { toPic } from '../../pocket_ic/support/pic';
import { verifyWithJwks, type VerifiedToken } from '../../support/verify';
import { callOutcome, replyOrThrow, type CallOutcome } from './call_outcome';
import { ISSUER_KEY_NAME, settle } from './pic_network';

export type { AuthorizationRequest, AuthorizeResult, IssueResult, OidcClient };

export const JWT_ISSUER_WASM = join(import.meta.dirname, '..', '..', '..', '.azle', 'jwt_issuer', 'jwt_issuer.wasm');

export function jwtIssuerWasm(): Uint8Array {
  return readFileSync(JWT_ISSUER_WASM);
}

export function randomPrincipal(): Principal {
  return Principal.selfAuthenticating(crypto.getRandomValues(new Uint8Array(32)));
}

export function initArgument(config?: ConfigInput): Uint8Array {
  return IDL.encode(idlInitArgs, [config === undefined ? [] : [configInputToCandid(config)]]);
}

// Arguments and replies are encoded with the types of src/backend/jwt_issuer.did, the contract
// callers get, not with the canister's own: a canister that drifts from it fails these tests.
export type Method = keyof JwtIssuerService;
export type Args<M extends Method> = Parameters<JwtIssuerService[M]>;
export type Reply<M extends Method> = Awaited<ReturnType<JwtIssuerService[M]>>;

function methodType(method: Method): IDL.FuncClass {
  const found = idlService._fields.find(([name]) => name === method);
  if (found === undefined) throw new Error(`jwt_issuer.did has no method ${method}`);
  return found[1];
}

export function encodeArgs<M extends Method>(method: M, args: Args<M>): Uint8Array {
  return new Uint8Array(IDL.encode(methodType(method).argTypes, args));
}

export function decodeReply<M extends Method>(method: M, reply: Uint8Array): Reply<M> {
  return IDL.decode(methodType(method).retTypes, reply)[0] as unknown as Reply<M>;
}

export interface IssueOptionsInput {
  audience?: string;
  ttlSeconds?: number;
  extraClaims?: string;
  algorithm?: string;
}

export interface HttpResult {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const opt = <T>(value: T | undefined): [] | [T] => (value === undefined ? [] : [value]);

export function httpResult(response: { status_code: number; headers: [string, string][]; body: Uint8Array | number[] }): HttpResult {
  return {
    status: response.status_code,
    headers: Object.fromEntries(response.headers),
    body: new TextDecoder().decode(Uint8Array.from(response.body))
  };
}

/** A canister on the instance's default (application) subnet, controlled by a fresh principal. */
export async function createControlledCanister(pic: PocketIc, cycles = 100_000_000_000_000n): Promise<{ canisterId: Principal; controller: Principal }> {
  const controller = randomPrincipal();
  const id = await pic.createCanister({ controllers: [toPic(controller)], cycles, sender: toPic(controller) });
  return { canisterId: Principal.fromText(id.toText()), controller };
}

/** issue_jwt's argument; `options` undefined sends no argument at all. */
export function issueArgument(options?: IssueOptionsInput): Uint8Array {
  if (options === undefined) return new Uint8Array(IDL.encode([], []));
  const { audience, ttlSeconds, extraClaims, algorithm } = options;
  return encodeArgs('issue_jwt', [[{ audience: opt(audience), ttl_seconds: opt(ttlSeconds), extra_claims: opt(extraClaims), algorithm: opt(algorithm) }]]);
}

export function tokenOf(result: IssueResult): string {
  if ('Err' in result) throw new Error(`issue_jwt failed: ${JSON.stringify(result.Err, (_, v) => (typeof v === 'bigint' ? String(v) : v))}`);
  return result.Ok.token;
}

export class JwtIssuer {
  constructor(
    readonly pic: PocketIc,
    readonly canisterId: Principal,
    readonly controller: Principal
  ) {}

  /**
   * Installs with the key the suite's subnet layout holds unless `config` names another.
   * `waitForKey: false` returns without waiting for the signing key (for a canister that cannot get one).
   */
  static async install(pic: PocketIc, options: { config?: ConfigInput; cycles?: bigint; waitForKey?: boolean } = {}): Promise<JwtIssuer> {
    const { canisterId, controller } = await createControlledCanister(pic, options.cycles);
    const config = { keyName: ISSUER_KEY_NAME, ...options.config };
    await pic.installCode({ canisterId: toPic(canisterId), wasm: jwtIssuerWasm(), arg: initArgument(config), sender: toPic(controller) });
    const issuer = new JwtIssuer(pic, canisterId, controller);
    if (options.waitForKey !== false) await issuer.waitForSigningKey();
    return issuer;
  }

  async upgrade(config?: ConfigInput): Promise<void> {
    await this.pic.upgradeCanister({ canisterId: toPic(this.canisterId), wasm: jwtIssuerWasm(), arg: initArgument(config), sender: toPic(this.controller) });
  }

  /** The instance's time, which every verifier in the suite checks exp, nbf and iat against. */
  async now(): Promise<Date> {
    return new Date(await this.pic.getTime());
  }

  /** Verifies with node:crypto against the served JWK Set (or `jwks`), at the instance's time. */
  async verify(token: string, jwks?: { keys: Record<string, unknown>[] }): Promise<VerifiedToken> {
    return verifyWithJwks(token, jwks ?? (await this.jwks()), { now: await this.now() });
  }

  /** The key is fetched by a timer right after install and upgrade. */
  async waitForSigningKey(): Promise<string> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const kid = (await this.metrics()).active_kid[0];
      if (kid !== undefined) return kid;
      await settle(this.pic);
    }
    throw new Error('the signing key never became ready');
  }

  /** An update call with a raw argument, its reject kept (not thrown). */
  updateRaw(method: string, arg: Uint8Array, sender: Principal): Promise<CallOutcome> {
    return callOutcome(() => this.pic.updateCall({ canisterId: toPic(this.canisterId), method, arg, sender: toPic(sender) }));
  }

  queryRaw(method: string, arg: Uint8Array, sender: Principal): Promise<CallOutcome> {
    return callOutcome(() => this.pic.queryCall({ canisterId: toPic(this.canisterId), method, arg, sender: toPic(sender) }));
  }

  issueRaw(sender: Principal, arg: Uint8Array): Promise<CallOutcome> {
    return this.updateRaw('issue_jwt', arg, sender);
  }

  /** `options` undefined sends no argument at all. */
  async issue(sender: Principal, options?: IssueOptionsInput): Promise<IssueResult> {
    return decodeReply('issue_jwt', replyOrThrow(await this.issueRaw(sender, issueArgument(options)), 'issue_jwt'));
  }

  async issueToken(sender: Principal, options?: IssueOptionsInput): Promise<string> {
    return tokenOf(await this.issue(sender, options));
  }

  getConfig(): Promise<Config> {
    return this.query('get_config', []);
  }

  updateConfig(sender: Principal, input: ConfigInput): Promise<UpdateConfigResult> {
    return this.update('update_config', [configInputToCandid(input)], sender);
  }

  metrics(): Promise<Metrics> {
    return this.query('metrics', []);
  }

  async http(method: string, url: string): Promise<HttpResult> {
    const request = { method, url, headers: [], body: new Uint8Array(), certificate_version: [2] as [number] };
    return httpResult(await this.query('http_request', [request], randomPrincipal()));
  }

  /** The query the gateway sends first; `upgrade` true when the canister asks for http_request_update. */
  async httpRequest(method: string, url: string, headers: [string, string][] = [], body = new Uint8Array()): Promise<HttpResult & { upgrade: boolean }> {
    const response = await this.query('http_request', [{ method, url, headers, body, certificate_version: [2] }], randomPrincipal());
    return { ...httpResult(response), upgrade: response.upgrade[0] === true };
  }

  /** What the gateway sends after an upgrade: an update call from the anonymous principal. */
  async httpRequestUpdate(method: string, url: string, headers: [string, string][], body: Uint8Array): Promise<HttpResult> {
    return httpResult(await this.update('http_request_update', [{ method, url, headers, body }], Principal.anonymous()));
  }

  /** POST /token as the gateway does it: the query, which must ask to upgrade, then the update call. */
  async postToken(form: Record<string, string> | string, contentType = 'application/x-www-form-urlencoded'): Promise<HttpResult> {
    const body = new TextEncoder().encode(typeof form === 'string' ? form : new URLSearchParams(form).toString());
    const headers: [string, string][] = [['content-type', contentType]];
    const query = await this.httpRequest('POST', '/token', headers, body);
    if (!query.upgrade) throw new Error(`POST /token was not upgraded: ${query.status} ${query.body}`);
    return this.httpRequestUpdate('POST', '/token', headers, body);
  }

  registerClient(client: OidcClient, sender: Principal = this.controller): Promise<ClientResult> {
    return this.update('register_client', [client], sender);
  }

  removeClient(clientId: string, sender: Principal = this.controller): Promise<ClientResult> {
    return this.update('remove_client', [clientId], sender);
  }

  listClients(): Promise<OidcClient[]> {
    return this.query('list_clients', []);
  }

  checkAuthorization(request: AuthorizationRequest): Promise<CheckAuthorizationResult> {
    return this.query('check_authorization', [request]);
  }

  authorize(sender: Principal, request: AuthorizationRequest): Promise<AuthorizeResult> {
    return this.update('authorize', [request], sender);
  }

  rotateKeys(sender: Principal = this.controller): Promise<RotateKeysResult> {
    return this.update('rotate_keys', [], sender);
  }

  private async query<M extends Method>(method: M, args: Args<M>, sender: Principal = this.controller): Promise<Reply<M>> {
    return decodeReply(method, replyOrThrow(await this.queryRaw(method, encodeArgs(method, args), sender), method));
  }

  private async update<M extends Method>(method: M, args: Args<M>, sender: Principal): Promise<Reply<M>> {
    return decodeReply(method, replyOrThrow(await this.updateRaw(method, encodeArgs(method, args), sender), method));
  }

  async jwks(): Promise<{ keys: Record<string, string>[] }> {
    return JSON.parse((await this.http('GET', '/.well-known/jwks.json')).body);
  }
}
