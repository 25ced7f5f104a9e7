// Registered OpenID clients: public clients only (no secret anywhere), registered by controllers.
import { isJwsAlgorithm, type JwsAlgorithm } from '../algorithms';
import { describeRedirectUriProblem, parseRedirectUri } from './redirect_uri';

export type ClientKind = 'Native' | 'Web';
export type SubjectType = 'Public' | 'Pairwise';

export interface OidcClient {
  clientId: string;
  kind: ClientKind;
  redirectUris: string[];
  idTokenAlgorithm: JwsAlgorithm;
  /** The `aud` of the client's RFC 9068 access tokens: the resource they are for. */
  accessTokenAudience: string;
  subjectType: SubjectType;
}

export const CLIENT_BOUNDS = {
  clientIdMaxLength: 64,
  redirectUrisMax: 10,
  audienceMaxLength: 128,
  clientsMax: 100
} as const;

/** EdDSA by default: most relying-party libraries cannot verify ES256K. */
export const DEFAULT_ID_TOKEN_ALGORITHM: JwsAlgorithm = 'EdDSA';

const CLIENT_ID = /^[A-Za-z0-9._-]+$/;

export class ClientError extends Error {
  readonly code = 'ERR_CLIENT';
  constructor(
    readonly field: string,
    readonly reason: string
  ) {
    super(`invalid client: ${field}: ${reason}`);
  }
}

export function isClientId(text: string): boolean {
  return text.length >= 1 && text.length <= CLIENT_BOUNDS.clientIdMaxLength && CLIENT_ID.test(text);
}

/** The client as registered: `idTokenAlgorithm` "" becomes the default. Throws ClientError naming the field. */
export function validateClient(
  input: Omit<OidcClient, 'idTokenAlgorithm'> & { idTokenAlgorithm: string },
  enabledAlgorithms: readonly JwsAlgorithm[]
): OidcClient {
  if (!isClientId(input.clientId)) {
    throw new ClientError('client_id', `must be 1 to ${CLIENT_BOUNDS.clientIdMaxLength} characters of A-Z a-z 0-9 . _ -; got ${JSON.stringify(input.clientId.slice(0, 80))}`);
  }
  const uris = input.redirectUris;
  if (uris.length === 0 || uris.length > CLIENT_BOUNDS.redirectUrisMax) {
    throw new ClientError('redirect_uris', `must list 1 to ${CLIENT_BOUNDS.redirectUrisMax} URIs; got ${uris.length}`);
  }
  for (const uri of uris) {
    const problem = describeRedirectUriProblem(input.kind, uri);
    if (problem !== undefined) throw new ClientError('redirect_uris', problem);
  }
  if (new Set(uris).size !== uris.length) throw new ClientError('redirect_uris', 'must not repeat a URI');

  const algorithm = input.idTokenAlgorithm === '' ? DEFAULT_ID_TOKEN_ALGORITHM : input.idTokenAlgorithm;
  if (!isJwsAlgorithm(algorithm)) throw new ClientError('id_token_algorithm', `must be "EdDSA", "ES256K" or "" (EdDSA); got ${JSON.stringify(algorithm.slice(0, 40))}`);
  if (!enabledAlgorithms.includes(algorithm)) {
    throw new ClientError('id_token_algorithm', `${algorithm} is not enabled in the config (enabled: ${enabledAlgorithms.join(', ')})`);
  }
  const audience = input.accessTokenAudience;
  if (audience.length < 1 || audience.length > CLIENT_BOUNDS.audienceMaxLength || !/^[\x21-\x7e]+$/.test(audience)) {
    throw new ClientError('access_token_audience', `must be 1 to ${CLIENT_BOUNDS.audienceMaxLength} printable ASCII characters without spaces`);
  }
  return { ...input, redirectUris: [...uris], idTokenAlgorithm: algorithm };
}

/**
 * The sector of OIDC Core §8.1 that pairwise subjects are computed for: a web client's one
 * redirect host, else the client id. Native loopback URIs share 127.0.0.1 with every other
 * app on the device, so a native client is its own sector.
 */
export function sectorIdentifier(client: OidcClient): string {
  if (client.kind === 'Native') return client.clientId;
  const hosts = new Set(client.redirectUris.map((uri) => {
    const parsed = parseRedirectUri(uri);
    return parsed?.kind === 'https' ? parsed.host : uri;
  }));
  return hosts.size === 1 ? [...hosts][0]! : client.clientId;
}
