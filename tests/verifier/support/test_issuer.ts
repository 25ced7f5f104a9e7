// Tokens made by the project's own canister core, signed with test secp256k1 keys.
import { applyConfigInput, defaultConfig, type Config, type ConfigInput } from '../../../src/backend/core/config';
import { buildHttpResources, type HttpResources } from '../../../src/backend/core/http';
import { completeIssuance, planIssuance } from '../../../src/backend/core/issuance';
import type { IssueOptions } from '../../../src/backend/core/claims';
import { activateKey, EMPTY_KEY_RING, es256kSigningKey, publishedKeys, type KeyRing, type SigningKey } from '../../../src/backend/core/key_ring';
import { signDigest, testKeyPair } from '../../support/keys';

export const CANISTER_ID = 'bkyz2-fmaaa-aaaaa-qaaaq-cai';
export const CALLER = 'xkbqi-2qaaa-aaaah-qbpqq-cai';

export interface TestKey {
  secretKey: Uint8Array;
  signingKey: SigningKey;
}

export interface MintOptions extends IssueOptions {
  /** Issue time in seconds; default now. */
  issuedAt?: number;
  caller?: string;
  /** Sign with this key (default: the active one); it need not be published. */
  key?: TestKey;
}

export class TestIssuer {
  config: Config;
  ring: KeyRing = EMPTY_KEY_RING;
  readonly keys: TestKey[] = [];
  private sequence = 0n;

  constructor(config: ConfigInput = {}) {
    // The extra claims the verifier tests send are caller-asserted: a controller would allow them.
    this.config = applyConfigInput(defaultConfig(CANISTER_ID), { allowedExtraClaims: ['role', 'rooms', 'blob', 'plan'], ...config });
    this.rotate();
  }

  get issuer(): string {
    return this.config.issuer;
  }

  get activeKey(): TestKey {
    return this.keys[this.keys.length - 1]!;
  }

  /** Makes a fresh key active; the previous one stays published as retired. */
  rotate(): TestKey {
    const key = newTestKey(this.keys.length + 1);
    this.keys.push(key);
    this.ring = activateKey(this.ring, key.signingKey);
    return key;
  }

  reconfigure(input: ConfigInput): void {
    this.config = applyConfigInput(this.config, input);
  }

  /** Exactly what the canister serves over http_request. */
  httpResources(): HttpResources {
    return buildHttpResources(this.config, this.ring);
  }

  jwks(): { keys: Record<string, string>[] } {
    return { keys: publishedKeys(this.ring).map((jwk) => ({ ...jwk })) };
  }

  mint(options: MintOptions = {}): string {
    const key = options.key ?? this.activeKey;
    const planned = planIssuance({
      config: this.config,
      keyRing: { active: [key.signingKey], pending: [], retired: [] },
      caller: options.caller ?? CALLER,
      options,
      nowNanos: BigInt(Math.floor((options.issuedAt ?? nowSeconds()) * 1000)) * 1_000_000n,
      cycleBalance: 10n ** 15n,
      callerBucket: undefined,
      globalWindow: undefined,
      jtiSeed: new Uint8Array(32),
      sequence: this.sequence++
    });
    if (!planned.ok) throw new Error(`the core refused to plan a token: ${JSON.stringify(planned.error)}`);
    return completeIssuance(planned.value, signDigest(planned.value.message, key.secretKey)).token;
  }
}

export function newTestKey(version = 1): TestKey {
  const { secretKey, compressedPublicKey } = testKeyPair();
  return { secretKey, signingKey: es256kSigningKey('dfx_test_key', version, compressedPublicKey) };
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
