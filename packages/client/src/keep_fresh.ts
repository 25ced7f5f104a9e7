// keepJwtFresh: hands out a token now and a new one each time the current one is due for
// refresh, for a page that holds a connection (a WebSocket, a polling loop) for longer than a token lives.
import { IcJwtError } from './errors.js';
import { getJwt, type GetJwtOptions, type IssuedJwt } from './get_jwt.js';

export interface KeepJwtFreshHandlers {
  /** Each token, the first one as soon as it is had. */
  onToken(jwt: IssuedJwt): void;
  /** A failed attempt; another follows after the rate limit's wait or retrySeconds, except for AnonymousCaller. */
  onError?(error: unknown): void;
  /** Wait after a failure other than RateLimited. Default 30. */
  retrySeconds?: number;
}

export interface JwtRefresher {
  /** The latest token handed out, if any. */
  readonly current: IssuedJwt | undefined;
  /** No further tokens or timers; call at logout (and clear the cache). */
  stop(): void;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

export function keepJwtFresh(options: GetJwtOptions, handlers: KeepJwtFreshHandlers): JwtRefresher {
  let current: IssuedJwt | undefined;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const clock = (options.cache === false ? undefined : options.cache?.clock) ?? Date.now;
  const retryMs = (handlers.retrySeconds ?? 30) * 1000;

  const schedule = (delayMs: number) => {
    if (!stopped) timer = setTimeout(run, Math.min(Math.max(0, delayMs), MAX_TIMER_MS));
  };
  async function run(): Promise<void> {
    try {
      const jwt = await getJwt(options);
      if (stopped) return;
      current = jwt;
      handlers.onToken(jwt);
      schedule(jwt.refreshAt - clock());
    } catch (error) {
      if (stopped) return;
      handlers.onError?.(error);
      if (error instanceof IcJwtError && error.is('AnonymousCaller')) return;
      schedule(error instanceof IcJwtError && error.is('RateLimited') ? error.details.retryAfterSeconds * 1000 : retryMs);
    }
  }

  void run();
  return {
    get current() {
      return current;
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    }
  };
}
