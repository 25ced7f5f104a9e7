// The built jwt_issuer Wasm on an in-process local IC, its JWK Set served over real HTTP on
// 127.0.0.1, for tests and scripts that run third-party verifiers on canister tokens.
//
// The network's clock starts behind the wall clock, so the tokens issued before
// `catchUpWithWallClock()` are already expired for any verifier (they check wall time).
import { LocalIc } from '../../packages/local-ic/src';
import { randomPrincipal, type IssueOptionsInput } from '../integration/harness/jwt_issuer';
import { LocalIcIssuer } from './local_ic_issuer';
import { startWellKnownServer, type WellKnownServer } from '../verifier/support/well_known_server';

export const CANISTER_ALGORITHMS = ['ES256K', 'EdDSA'] as const;
export type CanisterAlgorithm = (typeof CANISTER_ALGORITHMS)[number];

const SECOND_NANOS = 1_000_000_000n;
const wallNanos = () => BigInt(Date.now()) * 1_000_000n;

export interface IssuedToken {
  token: string;
  /** The principal the token was issued to (its `sub`). */
  subject: string;
}

export class CanisterJwks {
  private constructor(
    private readonly ic: LocalIc,
    private readonly issuer: LocalIcIssuer,
    private readonly server: WellKnownServer,
    /** The discovery document's `issuer`, equal to every token's `iss`. */
    readonly issuerUrl: string
  ) {}

  /** Installs the canister with `audiences` on a network whose clock is `hoursBehind` hours back. */
  static async start(audiences: string[], hoursBehind = 2): Promise<CanisterJwks> {
    const ic = await LocalIc.create({ startTime: wallNanos() - BigInt(hoursBehind * 3600) * SECOND_NANOS });
    try {
      const issuer = await LocalIcIssuer.install(ic, { audiences, allowedExtraClaims: ['room'] });
      const server = await startWellKnownServer(async ({ method, url }) => {
        const answer = await issuer.http(method, url);
        return { statusCode: answer.status, headers: Object.entries(answer.headers), body: new TextEncoder().encode(answer.body) };
      });
      const discovery = JSON.parse((await issuer.http('GET', '/.well-known/openid-configuration')).body) as { issuer: string };
      return new CanisterJwks(ic, issuer, server, discovery.issuer);
    } catch (error) {
      ic.close();
      throw error;
    }
  }

  /** e.g. http://127.0.0.1:40123/.well-known/jwks.json */
  get jwksUrl(): string {
    return this.server.jwksUrl;
  }

  /** How many times the JWK Set was fetched over HTTP. */
  get jwksFetches(): number {
    return this.server.count('/.well-known/jwks.json');
  }

  /** A token for a fresh principal, signed by the canister at the network's current time. */
  async issue(options: IssueOptionsInput): Promise<IssuedToken> {
    const principal = randomPrincipal();
    return { token: await this.issuer.issueToken(principal, options), subject: principal.toText() };
  }

  catchUpWithWallClock(): void {
    this.ic.setTime(wallNanos());
  }

  async close(): Promise<void> {
    await this.server.close();
    this.ic.close();
  }
}
