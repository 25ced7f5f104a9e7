import { describe, expect, it } from 'vitest';

import { applyConfigInput, ConfigError, configFromStored, defaultConfig } from '../../src/backend/core/config';
import {
  activateKey,
  activeKey,
  derivationPath,
  ed25519SigningKey,
  EMPTY_KEY_RING,
  es256kSigningKey,
  publishedKeys,
  retireDisabled
} from '../../src/backend/core/key_ring';
import { ed25519TestKey } from '../support/ed25519_keys';
import { testKeyPair } from '../support/keys';

const ec1 = es256kSigningKey('dfx_test_key', 1, testKeyPair().compressedPublicKey);
const ec2 = es256kSigningKey('dfx_test_key', 2, testKeyPair().compressedPublicKey);
const ed1 = ed25519SigningKey('dfx_test_key', 1, ed25519TestKey().publicKey);

describe('key ring with two algorithms', () => {
  it('derives a separate path per algorithm and version', () => {
    expect(Buffer.from(derivationPath('EdDSA', 1)[1]!).toString()).toBe('EdDSA');
    expect(derivationPath('EdDSA', 2)[2]).toEqual(Uint8Array.from([0, 0, 0, 2]));
  });

  it('keeps one active key per algorithm; rotating one retires only its own predecessor', () => {
    const ring = activateKey(activateKey(activateKey(EMPTY_KEY_RING, ec1), ed1), ec2);
    expect(activeKey(ring, 'ES256K')).toEqual(ec2);
    expect(activeKey(ring, 'EdDSA')).toEqual(ed1);
    expect(ring.retired).toEqual([ec1]);
  });

  it('retires the key of a disabled algorithm, keeping it published', () => {
    const ring = retireDisabled(activateKey(activateKey(EMPTY_KEY_RING, ec1), ed1), ['ES256K']);
    expect(ring.active).toEqual([ec1]);
    expect(publishedKeys(ring).map((jwk) => jwk.kid)).toEqual([ec1.jwk.kid, ed1.jwk.kid]);
  });
});

describe('algorithm config', () => {
  const base = defaultConfig('aaaaa-aa');

  it('enables both algorithms by default, ES256K the default one', () => {
    expect(base.algorithms).toEqual(['ES256K', 'EdDSA']);
    expect(base.defaultAlgorithm).toBe('ES256K');
  });

  it('names the field for every bad value', () => {
    const fieldOf = (input: Parameters<typeof applyConfigInput>[1]): string => {
      try {
        applyConfigInput(base, input);
      } catch (error) {
        return (error as ConfigError).field;
      }
      return 'accepted';
    };
    expect(fieldOf({ algorithms: [] })).toBe('algorithms');
    expect(fieldOf({ algorithms: ['HS256' as never] })).toBe('algorithms');
    expect(fieldOf({ algorithms: ['EdDSA', 'EdDSA'] })).toBe('algorithms');
    expect(fieldOf({ algorithms: ['EdDSA'], defaultAlgorithm: 'ES256K' })).toBe('default_algorithm');
    expect(applyConfigInput(base, { algorithms: ['EdDSA'] }).defaultAlgorithm).toBe('EdDSA');
  });

  it('gives a config stored by an earlier release the new defaults', () => {
    const { algorithms: _a, defaultAlgorithm: _d, ...old } = base;
    expect(configFromStored(old)).toEqual(base);
  });
});
