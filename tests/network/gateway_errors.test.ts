// The gateway's answer to a rejected http_request / http_request_update, by reject code, as
// ic-gateway classifies them (its error_cause: status, x-ic-error-cause, JSON error body).
import { describe, expect, it } from 'vitest';

import { rejectionReply } from '../../packages/local-ic/src/network/gateway_errors';

const CANISTER = 'rrkah-fqaaa-aaaaa-aaaaq-cai';

function answer(code: number, message: string) {
  const reply = rejectionReply(code, message, CANISTER);
  const header = (name: string) => reply.headers.find(([key]) => key === name)?.[1];
  return { status: reply.status, cause: header('x-ic-error-cause'), type: header('content-type'), body: JSON.parse(String(reply.body)) as Record<string, unknown> };
}

describe('gateway rejection replies', () => {
  it.each([
    [5, 'Canister trapped: unreachable', 503, 'canister_error', 'reject code 5: Canister trapped: unreachable'],
    [4, 'no thanks', 503, 'canister_reject', null],
    [3, `Canister ${CANISTER} not found`, 404, 'canister_not_found', null],
    [2, `Canister ${CANISTER} is out of cycles: frozen`, 503, 'canister_frozen', null],
    [2, 'Canister is stopped', 503, 'backend_other', 'reject code 2: Canister is stopped'],
    [1, 'fatal', 503, 'backend_other', 'reject code 1: fatal']
  ])('reject code %i (%s): %i %s', (code, message, status, cause, details) => {
    const reply = answer(code, message);
    expect(reply).toMatchObject({ status, cause, type: 'application/json' });
    expect(reply.body).toMatchObject({ error_type: cause, details });
    expect(reply.body.description).toEqual(expect.any(String));
  });
});
