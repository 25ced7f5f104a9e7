// A client's idle keep-alive connection to the pocket-ic server stays open, as with the real
// server: with Node's default 5 s timeout, a client that was busy for longer than that (a test
// computing between two calls) sent its next request into a closing socket ("other side closed").
import { connect, type Socket } from 'node:net';
import { expect, it } from 'vitest';

import { startPocketIcServer } from '../../packages/local-ic/src/pocket_ic/server';

const NODE_DEFAULT_KEEP_ALIVE_MS = 5_000;

function statusRequest(socket: Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let answer = '';
    const onData = (chunk: Buffer): void => {
      answer += chunk.toString('latin1');
      if (!answer.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      socket.off('error', reject);
      resolve(answer.split('\r\n', 1)[0]!);
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.write('GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
  });
}

it('keeps an idle keep-alive connection open past Node\'s 5 s default and answers on it', async () => {
  const server = (await startPocketIcServer({ ttlSeconds: 60 }))!;
  const socket = connect(server.port, '127.0.0.1');
  let closedByServer = false;
  socket.once('end', () => (closedByServer = true));
  try {
    await new Promise((resolve) => socket.once('connect', resolve));
    expect(await statusRequest(socket)).toBe('HTTP/1.1 200 OK');
    await new Promise((resolve) => setTimeout(resolve, NODE_DEFAULT_KEEP_ALIVE_MS + 1_500));
    expect(closedByServer).toBe(false);
    expect(await statusRequest(socket)).toBe('HTTP/1.1 200 OK');
  } finally {
    socket.destroy();
    await server.stop();
  }
}, 30_000);
