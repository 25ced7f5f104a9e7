// How a URL addresses a canister through the HTTP gateway, as on the IC's boundary
// nodes and dfx: by host (`<canister-id>.localhost`) or by a `canisterId` query parameter.
import { Principal } from '@dfinity/principal';

export interface CanisterAddress {
  canisterId: Principal;
  /** The request target the canister sees: path and query, without the canisterId parameter. */
  url: string;
}

const CANISTER_HOST = /^([a-z0-9-]+)\.localhost(:\d+)?$/;

function principalOrUndefined(text: string): Principal | undefined {
  try {
    const principal = Principal.fromText(text);
    return principal.toText() === text ? principal : undefined;
  } catch {
    return undefined;
  }
}

export function canisterFromHost(host: string | undefined): Principal | undefined {
  const match = host === undefined ? null : CANISTER_HOST.exec(host.toLowerCase());
  return match === null ? undefined : principalOrUndefined(match[1]!);
}

export function canisterAddress(host: string | undefined, url: string): CanisterAddress | undefined {
  const byHost = canisterFromHost(host);
  if (byHost !== undefined) return { canisterId: byHost, url };
  const queryStart = url.indexOf('?');
  if (queryStart === -1) return undefined;
  const params = new URLSearchParams(url.slice(queryStart + 1));
  const idText = params.get('canisterId');
  const canisterId = idText === null ? undefined : principalOrUndefined(idText);
  if (canisterId === undefined) return undefined;
  params.delete('canisterId');
  const rest = params.toString();
  return { canisterId, url: url.slice(0, queryStart) + (rest === '' ? '' : `?${rest}`) };
}
