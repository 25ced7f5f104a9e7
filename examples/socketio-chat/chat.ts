// The chat room: only token holders connect (socketJwtAuth); every message is broadcast
// with the sender's principal from the verified token; the bot answers each one.
import { createServer, type Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';

import type { Verifier } from '@ic-jwt/verifier';
import { socketJwtAuth, type JwtSocketData } from '@ic-jwt/verifier/socketio';
import { BOT_NAME, botReply } from './bot';

export interface ChatMessage {
  /** The sender's principal (the token's sub), or the bot's name. */
  from: string;
  text: string;
  at: string;
  bot: boolean;
}

export interface ServerToClient {
  welcome(info: { principal: string; expiresAt: number }): void;
  message(message: ChatMessage): void;
}

export interface ClientToServer {
  message(text: string): void;
}

export const MAX_MESSAGE_LENGTH = 1000;

export interface ChatServer {
  io: Server<ClientToServer, ServerToClient, Record<string, never>, JwtSocketData>;
  httpServer: HttpServer;
}

export function createChatServer({ verifier, corsOrigins }: { verifier: Verifier; corsOrigins: readonly string[] }): ChatServer {
  const httpServer = createServer();
  const io = new Server<ClientToServer, ServerToClient, Record<string, never>, JwtSocketData>(httpServer, {
    cors: { origin: corsOrigins.includes('*') ? '*' : [...corsOrigins] }
  });
  io.use(socketJwtAuth(verifier));

  io.on('connection', (socket) => {
    const { sub: principal, exp } = socket.data.jwt;
    socket.emit('welcome', { principal, expiresAt: exp });
    socket.on('message', (text: unknown) => {
      if (typeof text !== 'string' || text.trim() === '' || text.length > MAX_MESSAGE_LENGTH) return;
      const now = new Date();
      // Security: "from" comes from the verified token, never from what the client sends.
      io.emit('message', { from: principal, text, at: now.toISOString(), bot: false });
      const reply = botReply(text, { principal, expiresAt: exp }, Math.floor(now.getTime() / 1000));
      io.emit('message', { from: BOT_NAME, text: reply, at: new Date().toISOString(), bot: true });
    });
  });
  return { io, httpServer };
}
