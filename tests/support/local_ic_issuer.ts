// The built jwt_issuer on an in-process local IC, for the few tests that need what a PocketIC
// instance cannot give them: a clock behind the wall clock (tokens already expired for verifiers
// that read the wall clock; a new PocketIC instance starts at the wall clock and its time never
// goes backwards), a replaced management canister reply, free execution. Everything else about
// the canister runs through @dfinity/pic (tests/integration).
import type { Principal } from '@dfinity/principal';

import type { LocalIc } from '../../packages/local-ic/src';
import type { ConfigInput } from '../../src/backend/core/config';
import {
  decodeReply,
  encodeArgs,
  httpResult,
  initArgument,
  issueArgument,
  jwtIssuerWasm,
  randomPrincipal,
  tokenOf,
  type Args,
  type HttpResult,
  type IssueOptionsInput,
  type Method,
  type Reply
} from '../integration/harness/jwt_issuer';

/** A round fires due timers; running until idle finishes the calls they make. */
export async function settleLocalIc(ic: LocalIc): Promise<void> {
  await ic.tick();
  await ic.runUntilIdle();
}

export class LocalIcIssuer {
  private constructor(
    readonly ic: LocalIc,
    readonly canisterId: Principal,
    readonly controller: Principal
  ) {}

  /** `waitForKey: false` returns without waiting for the signing key (for a canister that cannot get one). */
  static async install(ic: LocalIc, config: ConfigInput = {}, { waitForKey = true } = {}): Promise<LocalIcIssuer> {
    const controller = randomPrincipal();
    const canisterId = await ic.createCanister({ controllers: [controller], cycles: 100_000_000_000_000n, sender: controller });
    await ic.installCode(canisterId, jwtIssuerWasm(), initArgument(config), { mode: 'install', sender: controller });
    const issuer = new LocalIcIssuer(ic, canisterId, controller);
    if (waitForKey) await issuer.waitForSigningKey();
    return issuer;
  }

  /** The key is fetched by a timer right after install and after a change of key name. */
  async waitForSigningKey(): Promise<void> {
    for (let attempt = 0; attempt < 20; attempt++) {
      if ((await this.call('metrics', [])).active_kid.length > 0) return;
      await settleLocalIc(this.ic);
    }
    throw new Error('the signing key never became ready');
  }

  /** An update call (queries run as updates too); a reject is thrown. */
  async call<M extends Method>(method: M, args: Args<M>, sender: Principal = this.controller): Promise<Reply<M>> {
    return decodeReply(method, await this.callRaw(method, encodeArgs(method, args), sender));
  }

  async issueToken(sender: Principal, options?: IssueOptionsInput): Promise<string> {
    return tokenOf(decodeReply('issue_jwt', await this.callRaw('issue_jwt', issueArgument(options), sender)));
  }

  async http(method: string, url: string): Promise<HttpResult> {
    return httpResult(await this.call('http_request', [{ method, url, headers: [], body: new Uint8Array(), certificate_version: [2] }], randomPrincipal()));
  }

  private async callRaw(method: string, arg: Uint8Array, sender: Principal): Promise<Uint8Array> {
    const result = await this.ic.updateCall(this.canisterId, method, arg, { sender });
    if (result.kind !== 'replied') throw new Error(`${method} was rejected: ${result.message}`);
    return result.reply;
  }
}
