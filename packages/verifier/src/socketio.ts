// Socket.IO middleware: the handshake's `auth.token` is verified before the connection is
// accepted; the claims land on `socket.data.jwt`. A rejected client gets `connect_error`
// with err.message and err.data.code.
import type { ExtendedError, Socket } from 'socket.io';

import { asVerifier, logUnexpected } from './adapter_support.js';
import type { VerifiedClaims } from './claims.js';
import { JwtVerifierError } from './errors.js';
import type { VerifierOptions } from './options.js';
import type { Verifier } from './verifier.js';

/** Use as the SocketData type of your Server: `new Server<C2S, S2C, {}, JwtSocketData>()`. */
export interface JwtSocketData {
  jwt: VerifiedClaims;
}

export interface SocketJwtAuthOptions {
  /** Disconnect the socket when its token expires. Default true. */
  disconnectOnExpiry?: boolean;
  onUnexpectedError?: (error: unknown) => void;
}

export const MISSING_TOKEN_CODE = 'ERR_JWT_MISSING';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnySocket = Socket<any, any, any, any>;
type Next = (error?: ExtendedError) => void;

const MAX_TIMER_MS = 2 ** 31 - 1;

export function socketJwtAuth(
  verifierOrOptions: Verifier | VerifierOptions,
  options: SocketJwtAuthOptions = {}
): (socket: AnySocket, next: Next) => void {
  const verifier = asVerifier(verifierOrOptions);
  const onUnexpectedError = options.onUnexpectedError ?? logUnexpected('socketJwtAuth');
  const disconnectOnExpiry = options.disconnectOnExpiry ?? true;

  return (socket, next) => {
    const token: unknown = socket.handshake.auth['token'];
    if (typeof token !== 'string' || token.length === 0) {
      next(connectError('a token is required: connect with { auth: { token } }', MISSING_TOKEN_CODE));
      return;
    }
    verifier.verify(token).then(
      (claims) => {
        socket.data.jwt = claims;
        if (disconnectOnExpiry) disconnectAt(socket, claims.exp * 1000);
        next();
      },
      (error: unknown) => {
        if (error instanceof JwtVerifierError && error.tokenRejected) {
          next(connectError(error.message, error.code));
        } else {
          onUnexpectedError(error);
          const code = error instanceof JwtVerifierError ? error.code : 'ERR_INTERNAL';
          next(connectError('token verification is unavailable right now; retry later', code));
        }
      }
    );
  };
}

function connectError(message: string, code: string): ExtendedError {
  return Object.assign(new Error(message), { data: { code } });
}

function disconnectAt(socket: AnySocket, expiresAtMs: number): void {
  let timer: NodeJS.Timeout;
  // Always through a timer, so that a token accepted within the clock tolerance
  // connects first and is then disconnected, rather than inside the handshake.
  const arm = (): void => {
    const left = expiresAtMs - Date.now();
    timer = setTimeout(() => (expiresAtMs <= Date.now() ? socket.disconnect(true) : arm()), Math.max(0, Math.min(left, MAX_TIMER_MS)));
    timer.unref();
  };
  arm();
  socket.once('disconnect', () => clearTimeout(timer));
}
