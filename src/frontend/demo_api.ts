// Calls the demo API's GET /api/whoami with the token.
import { interpretWhoami, type WhoamiResult } from './whoami';

export async function callWhoami(apiUrl: string, token: string, principal: string): Promise<WhoamiResult> {
  let response: Response;
  try {
    // Security: the token travels only in the Authorization header, never in the URL, where
    // server logs, proxies and the browser history would keep it.
    response = await fetch(`${apiUrl}/api/whoami`, { headers: { Authorization: `Bearer ${token}` }, cache: 'no-store' });
  } catch (error) {
    return {
      ok: false,
      summary: `Could not reach the demo API at ${apiUrl}. Is it running, and does it allow this page's origin (CORS)? (${(error as Error).message})`
    };
  }
  const body = await response.text();
  return interpretWhoami({ status: response.status, body, wwwAuthenticate: response.headers.get('WWW-Authenticate') }, principal);
}
