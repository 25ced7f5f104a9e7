// Which URLs keys may be fetched from: checked for configured URLs and again for every URL
// learned at run time (a discovered jwks_uri, a redirect's Location).
import { RedirectRefusedError, UncertifiedKeySourceError } from './errors.js';

const LOCAL_HOST = /^(localhost|127\.0\.0\.1|\[::1\]|([a-z0-9-]+\.)+localhost)$/;

/**
 * Security: these boundary-node domains pass a canister's answer through without checking its
 * certification (IC-Certificate), so one replica could hand us keys of its choosing.
 * <id>.icp0.io checks it; this verifier does not, so it never fetches through the raw domains.
 */
const UNCERTIFIED_DOMAINS = ['raw.icp0.io', 'raw.ic0.app'];

/** Redirects are followed within the origin only, and only this many times per document. */
export const MAX_REDIRECTS = 3;

export interface UrlProblem {
  readonly uncertified: boolean;
  readonly reason: string;
}

export function isLocalHost(hostname: string): boolean {
  return LOCAL_HOST.test(hostname);
}

function isUncertifiedGateway(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  return UNCERTIFIED_DOMAINS.some((domain) => host === domain || host.endsWith(`.${domain}`));
}

/** Why keys must not be fetched from url, or undefined when they may be. */
export function keySourceProblem(url: URL): UrlProblem | undefined {
  if (isUncertifiedGateway(url.hostname)) {
    return {
      uncertified: true,
      reason: `${url.hostname} serves canister responses without checking their certification; fetch through <canister-id>.icp0.io instead`
    };
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLocalHost(url.hostname))) {
    return { uncertified: false, reason: 'must use https (plain http only for localhost, 127.0.0.1 and *.localhost)' };
  }
  return undefined;
}

/**
 * Where a redirect from `current` (reached from `first`) leads, if we follow it: same origin
 * as the first URL (so never from https to http, nor to another host), at most MAX_REDIRECTS hops.
 */
export function redirectTarget(first: string, current: string, location: string | null, hopsSoFar: number): string {
  if (hopsSoFar >= MAX_REDIRECTS) throw new RedirectRefusedError(`${first} redirected more than ${MAX_REDIRECTS} times`);
  const target = location === null || location.trim() === '' ? undefined : parseUrl(location, current);
  if (target === undefined) throw new RedirectRefusedError(`${current} redirected without a usable Location`);
  const problem = keySourceProblem(target);
  if (problem?.uncertified === true) throw new UncertifiedKeySourceError(`${current} redirected to ${target.href}: ${problem.reason}`);
  const { origin, protocol } = new URL(first);
  if (target.origin !== origin) {
    const what = target.protocol === 'http:' && protocol === 'https:' ? 'plain http' : 'another origin';
    throw new RedirectRefusedError(`${current} redirected to ${what} (${target.origin}); redirects are followed only within ${origin}`);
  }
  return target.href;
}

/** The URL, or undefined when value is not one. */
export function parseUrl(value: string, base?: string): URL | undefined {
  try {
    return new URL(value, base);
  } catch {
    return undefined;
  }
}
