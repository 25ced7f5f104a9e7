// "Verify it yourself": commands that check the token shown on the page against the issuer's
// published keys, outside the browser, filled in with the real token and URLs. Pure.
import type { JwtAlgorithm } from '@ic-jwt/client';

import type { IssuerDocuments } from './issuer_documents';

export interface SnippetInput extends IssuerDocuments {
  token: string;
  /** The token's alg: each snippet pins it, never trusting the header to choose. */
  algorithm: JwtAlgorithm;
  /** Exactly the token's iss. */
  issuer: string;
  /** The token's aud. */
  audience: string;
}

export interface Snippet {
  id: 'python' | 'node-verifier' | 'node-jose';
  title: string;
  /** One line on what it needs. */
  needs: string;
  text: string;
}

/** A word for POSIX shells, inside single quotes. */
function shellWord(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** A string literal that both Python and JavaScript read back as `text`. */
const literal = (text: string): string => JSON.stringify(text);

/** curl the documents, then PyJWT: key from the JWK Set by kid, algorithm pinned, iss and aud checked. */
function python(input: SnippetInput): Snippet {
  return {
    id: 'python',
    title: 'curl and Python (PyJWT)',
    needs: 'curl, Python 3 with PyJWT ≥ 2.4 and cryptography (Debian: python3-jwt python3-cryptography)',
    text: [
      `curl -s ${shellWord(input.discoveryUrl)}; echo`,
      `curl -s ${shellWord(input.jwksUrl)}; echo`,
      `python3 - ${shellWord(input.token)} <<'EOF'`,
      'import sys, jwt',
      'token = sys.argv[1]',
      `key = jwt.PyJWKClient(${literal(input.jwksUrl)}).get_signing_key_from_jwt(token)`,
      `claims = jwt.decode(token, key.key, algorithms=[${literal(input.algorithm)}],`,
      `                    issuer=${literal(input.issuer)}, audience=${literal(input.audience)})`,
      'print("verified: sub =", claims["sub"])',
      'EOF'
    ].join('\n')
  };
}

function nodeScript(imports: string, body: string[]): string {
  return ["node --input-type=module <<'EOF'", imports, ...body, 'EOF'].join('\n');
}

function nodeWithVerifier(input: SnippetInput): Snippet {
  return {
    id: 'node-verifier',
    title: 'Node (@ic-jwt/verifier)',
    needs: 'Node 20+ and npm install @ic-jwt/verifier',
    text: nodeScript("import { createVerifier } from '@ic-jwt/verifier';", [
      'const verifier = createVerifier({',
      `  issuer: ${literal(input.issuer)},`,
      `  jwksUri: ${literal(input.jwksUrl)},`,
      `  audience: ${literal(input.audience)},`,
      `  algorithms: [${literal(input.algorithm)}]`,
      '});',
      `const claims = await verifier.verify(${literal(input.token)});`,
      "console.log('verified: sub =', claims.sub);"
    ])
  };
}

/** jose verifies EdDSA but not ES256K (see the README's verifier table), so only for EdDSA. */
function nodeWithJose(input: SnippetInput): Snippet {
  return {
    id: 'node-jose',
    title: 'Node (jose)',
    needs: 'Node 20+ and npm install jose',
    text: nodeScript("import { createRemoteJWKSet, jwtVerify } from 'jose';", [
      `const keys = createRemoteJWKSet(new URL(${literal(input.jwksUrl)}));`,
      `const { payload } = await jwtVerify(${literal(input.token)}, keys, {`,
      `  algorithms: [${literal(input.algorithm)}],`,
      `  issuer: ${literal(input.issuer)},`,
      `  audience: ${literal(input.audience)}`,
      '});',
      "console.log('verified: sub =', payload.sub);"
    ])
  };
}

export function verifySnippets(input: SnippetInput): Snippet[] {
  return [python(input), nodeWithVerifier(input), ...(input.algorithm === 'EdDSA' ? [nodeWithJose(input)] : [])];
}
