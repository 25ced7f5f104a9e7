// Names under .localhost are loopback names (RFC 6761 §6.3): browsers resolve them to 127.0.0.1,
// and so does a local IC's gateway URL http://<canister-id>.localhost:<port>. The system resolver
// does so only with nss-myhostname or systemd-resolved; this makes Node do it everywhere.
import dns from 'node:dns';

let installed = false;

export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname.endsWith('.localhost') || hostname === '127.0.0.1' || hostname === '[::1]';
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/** Makes dns.lookup (which fetch and node:http use) answer 127.0.0.1 for *.localhost; idempotent. */
export function resolveLocalhostNamesToLoopback(): void {
  if (installed) return;
  installed = true;
  const systemLookup = dns.lookup;
  const lookup = (hostname: string, options: unknown, callback?: LookupCallback): void => {
    const done = (typeof options === 'function' ? options : callback) as LookupCallback;
    const settings = (typeof options === 'object' && options !== null ? options : {}) as dns.LookupOptions;
    if (!hostname.toLowerCase().endsWith('.localhost')) {
      (systemLookup as (...args: unknown[]) => void)(hostname, options, callback);
      return;
    }
    process.nextTick(() => (settings.all ? done(null, [{ address: '127.0.0.1', family: 4 }]) : done(null, '127.0.0.1', 4)));
  };
  (dns as { lookup: unknown }).lookup = lookup;
}
