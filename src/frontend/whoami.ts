// What the demo API's GET /api/whoami said about the token, in words. Pure.

export type WhoamiResult =
  | { ok: true; sub: string; matchesPrincipal: boolean; claims: Record<string, unknown> | null; summary: string }
  | { ok: false; summary: string };

export interface WhoamiResponse {
  status: number;
  body: string;
  /** The WWW-Authenticate header (the API must list it in Access-Control-Expose-Headers). */
  wwwAuthenticate: string | null;
}

/** Parameters of a `Bearer` challenge (RFC 6750), e.g. error="invalid_token". */
export function bearerChallenge(header: string): Record<string, string> {
  const params: Record<string, string> = {};
  const body = header.replace(/^\s*Bearer\s*/i, '');
  for (const match of body.matchAll(/([A-Za-z_]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g)) {
    params[match[1]!] = (match[2] ?? match[3] ?? '').replace(/\\(.)/g, '$1');
  }
  return params;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The verified subject: examples/express-api answers { principal, claims }; a bare { sub } also counts. */
function verifiedSubject(json: Record<string, unknown>): string | undefined {
  const claims = isRecord(json['claims']) ? json['claims'] : {};
  const subject = json['principal'] ?? json['sub'] ?? claims['sub'];
  return typeof subject === 'string' ? subject : undefined;
}

/** RFC 6750 error_description from the challenge, else from a JSON error body, else the error code. */
function refusalReason(response: WhoamiResponse, json: unknown): string {
  const challenge = bearerChallenge(response.wwwAuthenticate ?? '');
  const body = isRecord(json) ? json : {};
  const reason = challenge['error_description'] ?? body['error_description'] ?? challenge['error'] ?? body['error'];
  return typeof reason === 'string' && reason !== '' ? reason : response.body.slice(0, 200) || 'no reason given';
}

export function interpretWhoami(response: WhoamiResponse, principal: string): WhoamiResult {
  const json = parseJson(response.body);
  if (response.status === 401) return { ok: false, summary: `The API refused the token (401): ${refusalReason(response, json)}.` };
  if (response.status !== 200) return { ok: false, summary: `The API answered ${response.status}: ${refusalReason(response, json)}` };
  const sub = isRecord(json) ? verifiedSubject(json) : undefined;
  if (sub === undefined) return { ok: false, summary: `The API answered 200 without a principal: ${response.body.slice(0, 200)}` };
  const claims = isRecord(json) && isRecord(json['claims']) ? json['claims'] : null;
  const matchesPrincipal = sub === principal;
  const verdict = matchesPrincipal ? 'your principal' : `not your principal ${principal}`;
  return { ok: true, sub, matchesPrincipal, claims, summary: `The API verified the token: sub is ${sub} (${verdict}).` };
}
