// The gateway's upgrade path (HTTP Gateway Protocol, "Upgrade to Update Calls"): a canister that
// answers http_request with `upgrade = opt true` is called again through http_request_update,
// as an update call whose reply went through consensus and so carries no certification.
import { request } from 'node:http';
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { verifyRequestResponsePair } from '@dfinity/response-verification';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startLocalNetwork, type LocalNetwork } from '../../packages/local-ic/src/network/local_network';
import {
  CERTIFIED_BODY,
  IGNORED_QUERY_BODY,
  REJECT_MESSAGE,
  REJECT_PATH,
  UPDATE_HEADER,
  UPDATE_STATUS,
  UPGRADE_AGAIN_PATH,
  upgradeCanisterWasm
} from './support/upgrade_canister';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const controller = Principal.selfAuthenticating(new Uint8Array(32).fill(7));
let network: LocalNetwork;
let counter: Principal;
let withoutUpdate: Principal;

async function install(withUpdateMethod: boolean): Promise<Principal> {
  const id = await network.ic.createCanister({ controllers: [controller], sender: controller, cycles: 10_000_000_000_000n });
  await network.ic.installCode(id, upgradeCanisterWasm({ withUpdateMethod }), new Uint8Array(), { sender: controller });
  return id;
}

beforeAll(async () => {
  network = await startLocalNetwork({ port: 0 });
  counter = await install(true);
  withoutUpdate = await install(false);
});

afterAll(async () => {
  await network?.close();
});

type Addressing = 'host' | 'query';

/** An HTTP request to the gateway, addressing the canister by Host header or by ?canisterId=. */
function send(addressing: Addressing, canister: Principal, method: string, path: string, body?: string): Promise<Answer> {
  const byQuery = new URL(network.canisterUrl(canister, path));
  const target = addressing === 'host' ? path : byQuery.pathname + byQuery.search;
  const host = addressing === 'host' ? `${canister.toText()}.localhost:${network.port}` : `127.0.0.1:${network.port}`;
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: '127.0.0.1', port: network.port, method, path: target, headers: { host } });
    outgoing.on('response', (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }));
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** The count that one more upgraded request commits (the canister echoes it; nothing else reads it). */
async function probeCount(): Promise<number> {
  const answer = await send('host', counter, 'POST', '/probe');
  const count = /^count=(\d+)\n/.exec(answer.body)?.[1];
  if (count === undefined) throw new Error(`no count in ${answer.status} ${answer.body}`);
  return Number(count);
}

describe.each<Addressing>(['host', 'query'])('the gateway upgrades to http_request_update (addressed by %s)', (addressing) => {
  it('commits the update and returns its status, headers and body, not the query reply', async () => {
    const probed = await probeCount();
    const first = await send(addressing, counter, 'POST', '/counter', 'first body');
    expect(first.status).toBe(UPDATE_STATUS);
    expect(first.headers[UPDATE_HEADER[0]]).toBe(UPDATE_HEADER[1]);
    expect(first.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(first.body).toBe(`count=${probed + 1}\nPOST /counter\nfirst body`);
    expect(first.body).not.toContain(IGNORED_QUERY_BODY);
    // An update's reply went through consensus: served as trusted, not marked uncertified.
    expect(first.headers['x-local-ic-uncertified']).toBeUndefined();

    const second = await send(addressing, counter, 'PUT', '/counter?x=1', 'second');
    expect(second.body).toBe(`count=${probed + 2}\nPUT /counter?x=1\nsecond`);
  });

  it('upgrades a GET that the canister does not serve from its query', async () => {
    const answer = await send(addressing, counter, 'GET', '/dynamic');
    expect(answer.status).toBe(UPDATE_STATUS);
    expect(answer.body).toMatch(/^count=\d+\nGET \/dynamic\n$/);
  });

  it('ignores `upgrade = opt true` in the reply of http_request_update: one update, no loop', async () => {
    const probed = await probeCount();
    const answer = await send(addressing, counter, 'POST', UPGRADE_AGAIN_PATH, 'again');
    expect(answer.status).toBe(UPDATE_STATUS);
    expect(answer.body).toBe(`count=${probed + 1}\nPOST ${UPGRADE_AGAIN_PATH}\nagain`);
    expect(await probeCount()).toBe(probed + 2);
  });

  it('still serves a query-only request certified, without an update', async () => {
    const probed = await probeCount();
    const answer = await send(addressing, counter, 'GET', '/');
    expect(answer.status).toBe(200);
    expect(answer.body).toBe(CERTIFIED_BODY);
    expect(answer.headers['x-local-ic-uncertified']).toBeUndefined();
    expect(await probeCount()).toBe(probed + 1);
  });

  it('answers 503 canister_error, as ic-gateway does, when the canister asks to upgrade but has no http_request_update', async () => {
    const answer = await send(addressing, withoutUpdate, 'POST', '/counter', 'x');
    expect(answer.status).toBe(503);
    expect(answer.headers['x-ic-error-cause']).toBe('canister_error');
    expect(answer.headers['content-type']).toBe('application/json');
    const body = JSON.parse(answer.body) as { error_type: string; details: string };
    expect(body.error_type).toBe('canister_error');
    expect(body.details).toContain(`Canister ${withoutUpdate.toText()} has no update method 'http_request_update'`);
  });

  it('answers 503 canister_reject when http_request_update rejects, and commits nothing', async () => {
    const probed = await probeCount();
    const answer = await send(addressing, counter, 'POST', REJECT_PATH);
    expect(answer.status).toBe(503);
    expect(answer.headers['x-ic-error-cause']).toBe('canister_reject');
    expect(JSON.parse(answer.body)).toMatchObject({ error_type: 'canister_reject' });
    expect(answer.body).not.toContain(REJECT_MESSAGE); // ic-gateway shows no details for a reject either
    expect(await probeCount()).toBe(probed + 1);
  });
});

describe('the query path of the test canister', () => {
  const HeaderField = IDL.Tuple(IDL.Text, IDL.Text);
  const HttpRequest = IDL.Record({ method: IDL.Text, url: IDL.Text, headers: IDL.Vec(HeaderField), body: IDL.Vec(IDL.Nat8), certificate_version: IDL.Opt(IDL.Nat16) });
  const HttpResponse = IDL.Record({ status_code: IDL.Nat16, headers: IDL.Vec(HeaderField), body: IDL.Vec(IDL.Nat8), upgrade: IDL.Opt(IDL.Bool) });
  interface Reply {
    status_code: number;
    headers: [string, string][];
    body: Uint8Array;
    upgrade: [] | [boolean];
  }

  async function query(method: string, url: string): Promise<Reply> {
    const arg = IDL.encode([HttpRequest], [{ method, url, headers: [], body: new Uint8Array(), certificate_version: [2] }]);
    const result = await network.ic.queryCall(counter, 'http_request', arg, { sender: Principal.anonymous() });
    if (result.kind === 'rejected') throw new Error(result.message);
    const [reply] = IDL.decode([HttpResponse], result.reply) as unknown as [Reply];
    return { ...reply, body: Uint8Array.from(reply.body) };
  }

  it('certifies GET / (v2, checked here with @dfinity/response-verification) and asks to upgrade everything else', async () => {
    const served = await query('GET', '/');
    expect(served.upgrade).toEqual([]);
    const verified = verifyRequestResponsePair(
      { method: 'GET', url: '/', headers: [], body: new Uint8Array(), certificate_version: [2] },
      { status_code: served.status_code, headers: served.headers, body: served.body },
      counter.toUint8Array(),
      network.ic.time,
      5n * 60n * 1_000_000_000n,
      network.rootKeyDer,
      2
    );
    expect(verified.verificationVersion).toBe(2);
    expect(new TextDecoder().decode(verified.response?.body)).toBe(CERTIFIED_BODY);

    expect((await query('POST', '/')).upgrade).toEqual([true]);
    expect((await query('GET', '/other')).upgrade).toEqual([true]);
  });

  it('traps (reject code 5) on an argument that is not a Candid HttpRequest', async () => {
    const result = await network.ic.queryCall(counter, 'http_request', new TextEncoder().encode('not candid'), { sender: Principal.anonymous() });
    expect(result).toMatchObject({ kind: 'rejected', code: 5 });
  });
});
