// Run: npx tsx examples/socketio-chat/client.ts <server-url> <token> [message]
// Connects with the token, prints the room's messages, sends the message, exits after the bot answers.
import { io } from 'socket.io-client';

import type { ChatMessage } from './chat';

const [url, token, text = 'whoami'] = process.argv.slice(2);
if (url === undefined || token === undefined) {
  console.error('usage: npx tsx examples/socketio-chat/client.ts <server-url> <token> [message]');
  process.exit(2);
}

const socket = io(url, { auth: { token }, transports: ['websocket'], reconnection: false });
socket.on('connect_error', (error: Error & { data?: { code?: string } }) => {
  console.error(`refused: ${error.message} (${error.data?.code ?? 'no code'})`);
  process.exit(1);
});
socket.on('welcome', ({ principal, expiresAt }: { principal: string; expiresAt: number }) => {
  console.log(`connected as ${principal} until ${new Date(expiresAt * 1000).toISOString()}`);
  socket.emit('message', text);
});
socket.on('message', (message: ChatMessage) => {
  console.log(`${message.bot ? '[bot] ' : ''}${message.from}: ${message.text}`);
  if (message.bot) socket.close();
});
