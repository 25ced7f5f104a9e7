// Real Socket.IO clients against the socketio-chat example, on a free port of 127.0.0.1.
import type { AddressInfo } from 'node:net';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { botReply, BOT_NAME } from '../../examples/socketio-chat/bot';
import { createChatServer, type ChatMessage, type ChatServer } from '../../examples/socketio-chat/chat';
import { createVerifier } from '@ic-jwt/verifier';
import { MISSING_TOKEN_CODE } from '@ic-jwt/verifier/socketio';
import { nowSeconds, TestIssuer } from './support/test_issuer';
import { canisterResponder, startWellKnownServer, type WellKnownServer } from './support/well_known_server';

const ALICE = 'xkbqi-2qaaa-aaaah-qbpqq-cai';
const BOB = 'rrkah-fqaaa-aaaaa-aaaaq-cai';

const issuer = new TestIssuer({ audiences: ['chat', 'api'], defaultAudience: 'chat' });
let wellKnown: WellKnownServer;
let chat: ChatServer;
let url: string;
const clients: ClientSocket[] = [];

beforeAll(async () => {
  wellKnown = await startWellKnownServer(canisterResponder(() => issuer.httpResources()));
  chat = createChatServer({ verifier: createVerifier({ issuer: issuer.issuer, audience: 'chat', jwksUri: wellKnown.jwksUrl }), corsOrigins: ['*'] });
  await new Promise<void>((resolve) => chat.httpServer.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(chat.httpServer.address() as AddressInfo).port}`;
});
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});
afterAll(async () => {
  await new Promise((resolve) => chat.io.close(resolve));
  await wellKnown.close();
});

function client(auth: Record<string, unknown>): ClientSocket {
  const socket = connect(url, { auth, transports: ['websocket'], reconnection: false, forceNew: true });
  clients.push(socket);
  return socket;
}

function connected(socket: ClientSocket): Promise<{ principal: string; expiresAt: number }> {
  return new Promise((resolve, reject) => {
    socket.once('welcome', resolve);
    socket.once('connect_error', reject);
  });
}

function refused(socket: ClientSocket): Promise<Error & { data?: { code?: string } }> {
  return new Promise((resolve, reject) => {
    socket.once('connect_error', resolve);
    socket.once('connect', () => reject(new Error('connected')));
  });
}

function nextMessages(socket: ClientSocket, count: number): Promise<ChatMessage[]> {
  return new Promise((resolve) => {
    const seen: ChatMessage[] = [];
    const onMessage = (message: ChatMessage) => {
      seen.push(message);
      if (seen.length === count) {
        socket.off('message', onMessage);
        resolve(seen);
      }
    };
    socket.on('message', onMessage);
  });
}

describe('the chat room', () => {
  it('admits token holders; every message carries the sender principal and the bot answers', async () => {
    const alice = client({ token: issuer.mint({ caller: ALICE }) });
    const bob = client({ token: issuer.mint({ caller: BOB }) });
    expect((await connected(alice)).principal).toBe(ALICE);
    expect((await connected(bob)).principal).toBe(BOB);

    const bobSees = nextMessages(bob, 2);
    const aliceSees = nextMessages(alice, 2);
    alice.emit('message', 'whoami');
    const [fromAlice, fromBot] = await bobSees;
    expect(fromAlice).toMatchObject({ from: ALICE, text: 'whoami', bot: false });
    expect(fromBot).toMatchObject({ from: BOT_NAME, bot: true });
    expect(fromBot!.text).toContain(ALICE);
    expect((await aliceSees).map((message) => message.from)).toEqual([ALICE, BOT_NAME]);
  });

  it('takes the sender from the token, not from anything the client sends', async () => {
    const alice = client({ token: issuer.mint({ caller: ALICE }), principal: BOB, from: BOB });
    await connected(alice);
    const seen = nextMessages(alice, 1);
    alice.emit('message', 'hello');
    expect((await seen)[0]!.from).toBe(ALICE);
  });

  it.each([
    ['no auth at all', {}, MISSING_TOKEN_CODE, /token is required/],
    ['an empty token', { token: '' }, MISSING_TOKEN_CODE, /token is required/],
    ['a token that is not a string', { token: 42 }, MISSING_TOKEN_CODE, /token is required/],
    ['garbage', { token: 'not.a.jwt' }, 'ERR_JWT_MALFORMED', /base64url|JSON/],
    ['an expired token', { token: issuer.mint({ issuedAt: nowSeconds() - 7200 }) }, 'ERR_JWT_EXPIRED', /expired/],
    ['a token for another audience', { token: issuer.mint({ audience: 'api' }) }, 'ERR_JWT_AUDIENCE_MISMATCH', /audience/]
  ])('refuses %s with connect_error and a code', async (_what, auth, code, message) => {
    const error = await refused(client(auth));
    expect(error.data?.code).toBe(code);
    expect(error.message).toMatch(message);
  });

  it('disconnects a client when its token expires', async () => {
    // The shortest TTL the canister issues is 60 s: issued 58 s ago, it expires in about 2 s.
    const socket = client({ token: issuer.mint({ caller: ALICE, issuedAt: nowSeconds() - 58, ttlSeconds: 60 }) });
    await connected(socket);
    const reason = await new Promise<string>((resolve) => socket.once('disconnect', resolve));
    expect(reason).toBe('io server disconnect');
  });
});

describe('the bot', () => {
  it('answers commands from the verified claims', () => {
    const sender = { principal: ALICE, expiresAt: 1_800_003_600 };
    expect(botReply('whoami', sender, 1_800_000_000)).toBe(`You are ${ALICE}; your token is good for 60 more minute(s).`);
    expect(botReply('/time', sender, 1_800_000_000)).toBe('It is 2027-01-15T08:00:00.000Z.');
    expect(botReply('help', sender, 1_800_000_000)).toMatch(/whoami/);
    expect(botReply('hi there', sender, 1_800_000_000)).toBe('Thanks xkbqi…cai, I heard you (8 characters).');
  });
});
