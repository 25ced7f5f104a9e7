// What a local network serves besides the IC HTTP interface: canisters through the HTTP gateway
// (by `<canister-id>.localhost` host or `?canisterId=`), then static sites, in order.
import type { WebHandler, WebReply, WebRequest } from '../http_interface';
import { canisterAddress, canisterFromHost } from './canister_address';
import { serveThroughGateway, type GatewayOptions } from './gateway';

export interface Site {
  /** Whether this site serves the request (checked in order, after canister addresses). */
  claims(host: string | undefined, path: string): boolean;
  handle(request: WebRequest): Promise<WebReply>;
}

/** `sites` is read at each request, so sites added later are served too. */
export function gatewayWebHandler(gateway: GatewayOptions, sites: readonly Site[] = []): WebHandler {
  return {
    claims: (host, url) => canisterFromHost(host) !== undefined || !url.startsWith('/api/'),
    async handle(request) {
      const address = canisterAddress(request.host, request.url);
      if (address !== undefined) return serveThroughGateway(gateway, address, request);
      const path = request.url.split('?', 1)[0] ?? '/';
      const site = sites.find((candidate) => candidate.claims(request.host, path));
      if (site !== undefined) return site.handle(request);
      return { status: 404, headers: [['content-type', 'text/plain; charset=utf-8']], body: 'Not found on the local IC.' };
    }
  };
}
