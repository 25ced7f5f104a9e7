// The OpenID provider's controller methods, as the issue 16 contract gives them in jwt_issuer.did.
import { IDL } from '@dfinity/candid';

export type ClientKind = 'Native' | 'Web';
export type SubjectType = 'Public' | 'Pairwise';

export interface OidcClient {
  client_id: string;
  kind: ClientKind;
  redirect_uris: string[];
  /** "EdDSA" or "ES256K". */
  id_token_algorithm: string;
  access_token_audience: string;
  subject_type: SubjectType;
}

const variantOf = (...names: string[]) => IDL.Variant(Object.fromEntries(names.map((name) => [name, IDL.Null])));

export const OidcClientType = IDL.Record({
  client_id: IDL.Text,
  kind: variantOf('Native', 'Web'),
  redirect_uris: IDL.Vec(IDL.Text),
  id_token_algorithm: IDL.Text,
  access_token_audience: IDL.Text,
  subject_type: variantOf('Public', 'Pairwise')
});

/** Ok, or an error variant whose shape the canister defines; decoded loosely to report it. */
export const RegisterClientResultType = IDL.Variant({ Ok: IDL.Null, Err: IDL.Reserved });

export function clientToCandid(client: OidcClient): Record<string, unknown> {
  return { ...client, kind: { [client.kind]: null }, subject_type: { [client.subject_type]: null } };
}
