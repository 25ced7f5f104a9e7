// src/backend/jwt_issuer.did is the contract: the built canister serves exactly its structure,
// the bindings are generated from it, and the Wasm carries it as public metadata.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { parseWasm } from '../../packages/local-ic/src/wasm/wasm_binary';
import {
  candidStructure,
  JWT_ISSUER_BINDINGS,
  JWT_ISSUER_DID,
  renderBindings,
  structuralDifferences
} from '../../scripts/candid';

const root = join(import.meta.dirname, '..', '..');
const builtDid = join(root, '.azle', 'jwt_issuer', 'jwt_issuer.did');
const builtWasm = join(root, '.azle', 'jwt_issuer', 'jwt_issuer.wasm');
const scratch = mkdtempSync(join(tmpdir(), 'ic-jwt-candid-'));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A copy of `did` with `edit` applied, which must change it. */
function editedCopy(did: string, name: string, edit: (text: string) => string): string {
  const text = readFileSync(did, 'utf8');
  const edited = edit(text);
  expect(edited, `the edit of ${name} changed nothing`).not.toBe(text);
  const file = join(scratch, `${name}.did`);
  writeFileSync(file, edited);
  return file;
}

describe('the hand-written Candid interface', () => {
  // azle derives .azle/jwt_issuer/jwt_issuer.did from the canister's code.
  it('describes the built canister: the same methods, arguments and replies', async () => {
    const differences = structuralDifferences(await candidStructure(JWT_ISSUER_DID), await candidStructure(builtDid), [
      'the .did',
      'the canister'
    ]);
    expect(differences, 'edit src/backend/jwt_issuer.did to match the canister, then `npm run bindgen`').toEqual([]);
  });

  it('is compared by structure: a field the canister gains and the .did lacks is a difference naming where it is', async () => {
    const canisterWithNewField = editedCopy(JWT_ISSUER_DID, 'new-field', (text) =>
      text.replace('  signatures_requested : nat64;\n', '  signatures_requested : nat64;\n  allowed_extra_claims : vec text;\n')
    );
    const differences = structuralDifferences(await candidStructure(JWT_ISSUER_DID), await candidStructure(canisterWithNewField), [
      'the .did',
      'the canister'
    ]);
    expect(differences).toEqual(['metrics → reply → allowed_extra_claims: field only in the canister (vec text)']);
  });

  it('tells apart value types, optionality, query annotations, variant cases, init arguments and methods', async () => {
    const base = await candidStructure(JWT_ISSUER_DID);
    const edits: { name: string; from: string; to: string; difference: string | RegExp }[] = [
      {
        name: 'nat16',
        from: 'certificate_version : opt nat16',
        to: 'certificate_version : opt nat32',
        difference: 'http_request → arguments → certificate_version → opt: nat16 in the first, nat32 in the second'
      },
      {
        name: 'opt',
        from: '  ttl_seconds : opt nat32',
        to: '  ttl_seconds : nat32',
        difference: 'issue_jwt → arguments → opt → ttl_seconds: opt nat32 in the first, nat32 in the second'
      },
      {
        name: 'query',
        from: 'metrics : () -> (Metrics) query',
        to: 'metrics : () -> (Metrics)',
        difference: 'metrics: query in the first, update in the second'
      },
      {
        name: 'case',
        from: '  RotationInProgress;\n',
        to: '',
        difference: 'rotate_keys → reply → Err → RotationInProgress: case only in the first (null)'
      },
      { name: 'method', from: '  metrics : () -> (Metrics) query;\n', to: '', difference: /^metrics: method only in the first/ },
      {
        name: 'init',
        from: 'service : (opt ConfigInput)',
        to: 'service : (ConfigInput)',
        difference: /^init argument: opt record \{.*\} in the first, record \{.*\} in the second$/
      }
    ];
    for (const { name, from, to, difference } of edits) {
      const edited = await candidStructure(editedCopy(JWT_ISSUER_DID, name, (text) => text.replace(from, to)));
      const differences = structuralDifferences(base, edited);
      expect(differences, name).toHaveLength(1);
      if (typeof difference === 'string') expect(differences[0], name).toBe(difference);
      else expect(differences[0], name).toMatch(difference);
    }
  });

  it('ignores comments, type names and field order', async () => {
    const renamed = editedCopy(JWT_ISSUER_DID, 'renamed', (text) =>
      text
        .replace(/^ *\/\/.*\n/gm, '')
        .replaceAll('IssuedJwt', 'Token')
        .replace('  token : text;\n  expires_at : nat64;\n', '  expires_at : nat64;\n  token : text;\n')
    );
    expect(structuralDifferences(await candidStructure(JWT_ISSUER_DID), await candidStructure(renamed))).toEqual([]);
  });
});

describe('the TypeScript bindings', () => {
  it('are generated from the .did as committed (refresh with `npm run bindgen`)', async () => {
    expect(readFileSync(JWT_ISSUER_BINDINGS, 'utf8')).toBe(await renderBindings(JWT_ISSUER_DID));
  });
});

describe('the built Wasm', () => {
  it('carries the hand-written .did as its public candid:service metadata, and no other copy', () => {
    const sections = parseWasm(readFileSync(builtWasm)).customSections.filter((section) => section.name.endsWith(' candid:service'));
    expect(sections.map((section) => section.name)).toEqual(['icp:public candid:service']);
    expect(new TextDecoder().decode(sections[0]!.content)).toBe(readFileSync(JWT_ISSUER_DID, 'utf8'));
  });
});
