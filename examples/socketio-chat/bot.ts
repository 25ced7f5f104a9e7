// The chatbot's brain: a reply to every message, from the text and the sender's verified claims.

export interface Sender {
  principal: string;
  expiresAt: number;
}

export const BOT_NAME = 'ic-jwt-bot';

export function botReply(text: string, sender: Sender, nowSeconds: number): string {
  const who = shortPrincipal(sender.principal);
  const command = text.trim().toLowerCase();
  if (command === 'help' || command === '/help') return 'Commands: whoami, time, help. Anything else I just acknowledge.';
  if (command === 'whoami' || command === '/whoami') {
    const minutes = Math.max(0, Math.floor((sender.expiresAt - nowSeconds) / 60));
    return `You are ${sender.principal}; your token is good for ${minutes} more minute(s).`;
  }
  if (command === 'time' || command === '/time') return `It is ${new Date(nowSeconds * 1000).toISOString()}.`;
  return `Thanks ${who}, I heard you (${text.length} characters).`;
}

export function shortPrincipal(principal: string): string {
  return principal.length <= 11 ? principal : `${principal.slice(0, 5)}…${principal.slice(-3)}`;
}
