// @dfinity/pic 0.23.0, unmodified, drives this repository's `pocket-ic` server (the binary pic
// spawns is node_modules/.bin/pocket-ic): instances, topology, calls, time, cycles, stable memory,
// the jwt_issuer Wasm installed in chunks, and its JWK Set fetched through makeLive()'s gateway.
import { PocketIc, PocketIcServer, SubnetStateType } from '@dfinity/pic';
import { Principal } from '@dfinity/principal';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { rejectOf } from '../integration/harness/call_outcome';
import { JwtIssuer, randomPrincipal } from '../integration/harness/jwt_issuer';
import { ISSUER_SUBNETS } from '../integration/harness/pic_network';
import { verifyWithJwks } from '../support/verify';
import { clockCanisterWasm, timeOf } from './support/clock_canister';
import { POCKET_IC_BIN, toPic } from './support/pic';

const BLS_ROOT_KEY_DER_PREFIX = '308182301d060d2b0601040182dc7c0503010201060c2b0601040182dc7c05030201036100';
const HOUR_MS = 3_600_000;
const fresh: { state: { type: SubnetStateType.New } } = { state: { type: SubnetStateType.New } };

let server: PocketIcServer;

beforeAll(async () => {
  server = await PocketIcServer.start({ binPath: POCKET_IC_BIN });
});

afterAll(async () => {
  await server?.stop();
});

async function withInstance<T>(run: (pic: PocketIc) => Promise<T>): Promise<T> {
  const pic = await PocketIc.create(server.getUrl());
  try {
    return await run(pic);
  } finally {
    await pic.tearDown();
  }
}

const canisterIndex = (id: { toUint8Array(): Uint8Array }): bigint => Buffer.from(id.toUint8Array().subarray(0, 8)).readBigUInt64BE();

async function clockCanister(pic: PocketIc): Promise<Principal> {
  const sender = randomPrincipal();
  const id = await pic.createCanister({ sender: toPic(sender) });
  await pic.installCode({ canisterId: id, wasm: clockCanisterWasm(), sender: toPic(sender) });
  return Principal.fromText(id.toText());
}

describe('instances', () => {
  it('creates an application subnet with PocketIC ranges and reports it in the topology', async () => {
    await withInstance(async (pic) => {
      const topology = await pic.getTopology();
      expect(topology).toHaveLength(1);
      const [subnet] = topology;
      expect(subnet!.type).toBe('Application');
      expect(subnet!.size).toBe(13);
      // PocketIC hands each subnet 2^20 ids from the top of the id space; the first starts at lxzze-….
      expect(subnet!.canisterRanges).toHaveLength(1);
      const [range] = subnet!.canisterRanges;
      expect(range!.start.toText()).toBe('lxzze-o7777-77777-aaaaa-cai');
      expect(canisterIndex(range!.end) - canisterIndex(range!.start)).toBe((1n << 20n) - 1n);
      expect((await pic.getDefaultEffectiveCanisterId()).toText()).toBe('lxzze-o7777-77777-aaaaa-cai');

      const canister = await clockCanister(pic);
      expect(canister.toText()).toBe('lxzze-o7777-77777-aaaaa-cai');
      expect((await pic.getCanisterSubnetId(toPic(canister)))?.toText()).toBe(subnet!.id.toText());
      const key = Buffer.from(await pic.getPubKey(subnet!.id)).toString('hex');
      expect(key.startsWith(BLS_ROOT_KEY_DER_PREFIX)).toBe(true);
      // The subnet id is the self-authenticating principal of its key, as for the IC's root subnet.
      expect(subnet!.id.toText()).toBe(Principal.selfAuthenticating(Buffer.from(key, 'hex')).toText());
    });
  });

  it('routes management calls by effective principal: a subnet id, a specified canister id', async () => {
    await withInstance(async (pic) => {
      const [subnet] = await pic.getTopology();
      const onSubnet = await pic.createCanister({ targetSubnetId: subnet!.id });
      expect((await pic.getCanisterSubnetId(onSubnet))?.toText()).toBe(subnet!.id.toText());

      const wanted = Principal.fromUint8Array(new Uint8Array([...subnet!.canisterRanges[0]!.start.toUint8Array().subarray(0, 7), 0x42, 1, 1]));
      expect((await pic.createCanister({ targetCanisterId: toPic(wanted) })).toText()).toBe(wanted.toText());

      const elsewhere = toPic(Principal.selfAuthenticating(new Uint8Array(32).fill(9)));
      const failure = await pic.createCanister({ targetSubnetId: elsewhere }).catch((error: unknown) => error);
      expect(rejectOf(failure)).toMatchObject({ rejectCode: 'CanisterReject', errorCode: 'SubnetNotFound' });
    });
  });

  it('gives an II subnet the mainnet ranges PocketIC reserves for it', async () => {
    const pic = await PocketIc.create(server.getUrl(), { ii: { state: { type: SubnetStateType.New } }, application: [] });
    try {
      const [subnet] = await pic.getTopology();
      expect(subnet!.type).toBe('II');
      expect(subnet!.canisterRanges[0]!.start.toText()).toBe('rdmx6-jaaaa-aaaaa-aaadq-cai');
      expect(subnet!.size).toBe(34);
    } finally {
      await pic.tearDown();
    }
  });

  it('refuses subnet kinds the local IC has no subnet of, and a second subnet of one kind, creating nothing', async () => {
    const listBefore = await (await fetch(`${server.getUrl()}/instances`)).json();
    await expect(PocketIc.create(server.getUrl(), { sns: fresh, application: [fresh] })).rejects.toThrow(
      /no SNS subnet; an instance may have NNS, II, Fiduciary, Application subnets \(asked for SNS, Application\)/
    );
    await expect(PocketIc.create(server.getUrl(), { application: [fresh, fresh] })).rejects.toThrow(
      /at most one Application subnet per instance \(asked for Application, Application\)/
    );
    const reply = await fetch(`${server.getUrl()}/instances`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ subnet_config_set: { system: [{ state_config: 'New', instruction_config: 'Production' }] } })
    });
    expect(reply.status).toBe(400);
    expect(await reply.json()).toEqual({ Error: { message: expect.stringMatching(/^This PocketIC server has no System subnet/) } });
    expect(await (await fetch(`${server.getUrl()}/instances`)).json()).toEqual(listBefore);
  });

  it('deletes an instance: its id answers "was deleted" afterwards', async () => {
    const pic = await PocketIc.create(server.getUrl());
    const list = (await (await fetch(`${server.getUrl()}/instances`)).json()) as string[];
    const id = list.length - 1;
    expect(list[id]).toBe('Available');
    // The instance's IC HTTP interface, for agents pointed at <server>/instances/<id>/.
    const status = await fetch(`${server.getUrl()}/instances/${id}/api/v2/status`);
    expect([status.status, status.headers.get('content-type')]).toEqual([200, 'application/cbor']);
    await pic.tearDown();
    expect(((await (await fetch(`${server.getUrl()}/instances`)).json()) as string[])[id]).toBe('Deleted');
    const reply = await fetch(`${server.getUrl()}/instances/${id}/read/get_time`);
    expect(reply.status).toBe(400);
    expect(await reply.json()).toEqual({ message: `Instance ${id} was deleted` });
  });
});

describe('time', () => {
  it('shows a new time to queries only after a tick, to updates at once, and never goes back', async () => {
    await withInstance(async (pic) => {
      const canister = toPic(await clockCanister(pic));
      const before = timeOf(await pic.queryCall({ canisterId: canister, method: 'time' }));
      const later = Date.now() + 5 * HOUR_MS;
      await pic.setTime(later);
      expect(await pic.getTime()).toBe(later);
      expect(timeOf(await pic.queryCall({ canisterId: canister, method: 'time' }))).toBe(before);
      await pic.tick();
      expect(timeOf(await pic.queryCall({ canisterId: canister, method: 'time' }))).toBe(BigInt(later) * 1_000_000n);

      await pic.advanceTime(60_000);
      expect(timeOf(await pic.updateCall({ canisterId: canister, method: 'time_in_round' }))).toBe(BigInt(later + 60_000) * 1_000_000n);

      await expect(pic.setTime(later)).rejects.toThrow(/SettingTimeIntoPast/);
      expect(await pic.getTime()).toBe(later + 60_000);
    });
  });

  it('shows a certified time to queries at once', async () => {
    await withInstance(async (pic) => {
      const canister = toPic(await clockCanister(pic));
      const later = Date.now() + HOUR_MS;
      await pic.setCertifiedTime(later);
      expect(timeOf(await pic.queryCall({ canisterId: canister, method: 'time' }))).toBe(BigInt(later) * 1_000_000n);
    });
  });
});

describe('canister state', () => {
  it('reads and adds cycles, lists controllers, and sets and gets stable memory through the blob store', async () => {
    await withInstance(async (pic) => {
      const controller = randomPrincipal();
      const canister = await pic.createCanister({ sender: toPic(controller), cycles: 5_000_000_000_000n });
      // pic parses the server's JSON numbers with json-with-bigint: a number when small, a bigint when not.
      expect(BigInt(await pic.getCyclesBalance(canister))).toBe(5_000_000_000_000n);
      const big = (1n << 70n) + 7n;
      expect(await pic.addCycles(canister, big)).toBe(5_000_000_000_000n + big);
      expect(await pic.getCyclesBalance(canister)).toBe(5_000_000_000_000n + big);
      expect((await pic.getControllers(canister)).map((p) => p.toText())).toEqual([controller.toText()]);

      const bytes = new Uint8Array(100_000).map((_, i) => (i * 7) % 256);
      await pic.setStableMemory(canister, bytes);
      const memory = await pic.getStableMemory(canister);
      expect(memory.length).toBe(2 * 65_536);
      expect(memory.subarray(0, bytes.length)).toEqual(bytes);
      expect(memory.subarray(bytes.length).every((b) => b === 0)).toBe(true);
    });
  });

  it('answers for a canister that does not exist with the server error, and with no pending HTTP outcalls', async () => {
    await withInstance(async (pic) => {
      const missing = toPic(Principal.fromText('lxzze-o7777-77777-aaaaa-cai'));
      await expect(pic.getCyclesBalance(missing)).rejects.toThrow(/CanisterNotFound\(CanisterId\(lxzze-o7777-77777-aaaaa-cai\)\)/);
      expect(await pic.getPendingHttpsOutcalls()).toEqual([]);
    });
  });

  it('reports rejects by the names the real server sends', async () => {
    await withInstance(async (pic) => {
      const canister = toPic(await clockCanister(pic));
      const failure = await pic.updateCall({ canisterId: canister, method: 'no_such_method' }).catch((error: unknown) => error);
      expect(rejectOf(failure)).toMatchObject({ rejectCode: 'CanisterError', errorCode: 'CanisterMethodNotFound' });
      expect(String(failure)).toMatch(/Reject code: CanisterError\. Error code: CanisterMethodNotFound\. Certified: true/);
      const queryFailure = await pic.queryCall({ canisterId: canister, method: 'no_such_method' }).catch((error: unknown) => error);
      expect(String(queryFailure)).toMatch(/Reject code: CanisterError\. Error code: CanisterMethodNotFound\. Certified: false/);
    });
  });
});

describe('the jwt_issuer canister through pic', () => {
  let pic: PocketIc;
  let issuer: JwtIssuer;

  beforeAll(async () => {
    // key_1, which the canister signs with, is held by the II subnet.
    pic = await PocketIc.create(server.getUrl(), ISSUER_SUBNETS);
    await pic.setTime(Date.now());
    await pic.tick();
    // 3.4 MB: over pic's 1.85 MB limit, so pic installs it in chunks (upload_chunk, install_chunked_code).
    issuer = await JwtIssuer.install(pic, { config: { audiences: ['https://app.example'] } });
  });

  afterAll(async () => {
    await pic?.tearDown();
  });

  it('issues a token to a user, whose iat is the instance time', async () => {
    const user = randomPrincipal();
    const token = await issuer.issueToken(user, { audience: 'https://app.example' });
    const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(payload['sub']).toBe(user.toText());
    expect(payload['iat']).toBe(Math.floor((await pic.getTime()) / 1000));
  });

  it('serves the JWK Set through makeLive()\'s gateway, and tokens verify against it', async () => {
    const port = await pic.makeLive();
    try {
      const token = await issuer.issueToken(randomPrincipal(), { audience: 'https://app.example' });
      const response = await fetch(`http://127.0.0.1:${port}/.well-known/jwks.json?canisterId=${issuer.canisterId.toText()}`);
      expect(response.status).toBe(200);
      // The gateway checked the response's certification (it refuses uncertified ones).
      expect(response.headers.get('x-local-ic-uncertified')).toBeNull();
      const jwks = (await response.json()) as { keys: Record<string, unknown>[] };
      expect(verifyWithJwks(token, jwks, { now: await issuer.now() }).payload['aud']).toBe('https://app.example');
      const status = await fetch(`http://127.0.0.1:${port}/api/v2/status`);
      expect(status.headers.get('content-type')).toBe('application/cbor');
    } finally {
      await pic.stopLive();
    }
  });
});

describe('an instance with NNS, II, fiduciary and application subnets', () => {
  // pic 0.23 has no option for PocketIC's test-threshold-keys subnet (nor for cost_schedule), so key_1,
  // held by the II and fiduciary subnets, is the key an application-subnet canister signs with here.
  const TOP_RANGE_START = 0xffff_ffff_ffe0_0000n;
  const IDS_PER_RANGE = 1n << 20n;
  const KEY_1_FEE_ON_34_NODES = 26_153_846_153n;
  let pic: PocketIc;
  let subnets: Map<string, Awaited<ReturnType<PocketIc['getTopology']>>[number]>;

  beforeAll(async () => {
    pic = await PocketIc.create(server.getUrl(), { nns: fresh, ii: fresh, fiduciary: fresh, application: [fresh] });
    subnets = new Map((await pic.getTopology()).map((subnet) => [subnet.type, subnet]));
  });

  afterAll(async () => {
    await pic?.tearDown();
  });

  it('lists every subnet with its kind, size and ranges; the default effective canister id is on the application subnet', async () => {
    expect([...subnets.keys()].sort()).toEqual(['Application', 'Fiduciary', 'II', 'NNS']);
    const sizes = Object.fromEntries([...subnets].map(([type, subnet]) => [type, subnet.size]));
    expect(sizes).toEqual({ NNS: 40, II: 34, Fiduciary: 34, Application: 13 });
    const starts = (type: string): string[] => subnets.get(type)!.canisterRanges.map((range) => range.start.toText());
    // Mainnet's ranges of the named subnets, then one generated range each from the top of the id space, in PocketIC's order.
    const generated = (n: bigint): string => Principal.fromUint8Array(canisterIdBytes(TOP_RANGE_START - n * IDS_PER_RANGE)).toText();
    expect(starts('NNS')).toEqual(['rwlgt-iiaaa-aaaaa-aaaaa-cai', 'qoctq-giaaa-aaaaa-aaaea-cai', generated(0n)]);
    expect(starts('II')).toEqual(['rdmx6-jaaaa-aaaaa-aaadq-cai', 'uc7f6-kaaaa-aaaaq-qaaaa-cai', generated(1n)]);
    expect(starts('Fiduciary')).toEqual(['mf7xa-laaaa-aaaar-qaaaa-cai', generated(2n)]);
    expect(starts('Application')).toEqual([generated(3n)]);
    expect((await pic.getDefaultEffectiveCanisterId()).toText()).toBe(generated(3n));

    const canister = await clockCanister(pic);
    expect(canister.toText()).toBe(generated(3n));
    expect((await pic.getCanisterSubnetId(toPic(canister)))?.toText()).toBe(subnets.get('Application')!.id.toText());
  });

  it('has one key per subnet, the NNS one being the root key its subnet id derives from', async () => {
    const keys = await Promise.all([...subnets.values()].map(async (subnet) => Buffer.from(await pic.getPubKey(subnet.id)).toString('hex')));
    expect(new Set(keys).size).toBe(4);
    const nns = subnets.get('NNS')!;
    expect(nns.id.toText()).toBe(Principal.selfAuthenticating(new Uint8Array(await pic.getPubKey(nns.id))).toText());
  });

  it('creates a canister on the subnet a call is addressed to, by subnet id or by an id in its ranges', async () => {
    for (const type of ['NNS', 'II', 'Fiduciary', 'Application']) {
      const subnet = subnets.get(type)!;
      const created = await pic.createCanister({ targetSubnetId: subnet.id });
      expect((await pic.getCanisterSubnetId(created))?.toText()).toBe(subnet.id.toText());
      // From the subnet's allocation range (its generated range, the last one).
      const allocation = subnet.canisterRanges.at(-1)!;
      expect(canisterIndex(created)).toBeGreaterThanOrEqual(canisterIndex(allocation.start));
      expect(canisterIndex(created)).toBeLessThanOrEqual(canisterIndex(allocation.end));
    }
    const specified = await pic.createCanister({ targetCanisterId: toPic(Principal.fromText('uc7f6-kaaaa-aaaaq-qaaaa-cai')) });
    expect((await pic.getCanisterSubnetId(specified))?.toText()).toBe(subnets.get('II')!.id.toText());
  });

  it('signs a jwt_issuer token on the application subnet with key_1, paying the fee of the 34-node subnet holding it', async () => {
    await pic.setTime(Date.now());
    await pic.tick();
    const issuer = await JwtIssuer.install(pic, { config: { keyName: 'key_1', audiences: ['https://app.example'] } });
    expect((await pic.getCanisterSubnetId(toPic(issuer.canisterId)))?.toText()).toBe(subnets.get('Application')!.id.toText());
    const before = await pic.getCyclesBalance(toPic(issuer.canisterId));
    const token = await issuer.issueToken(randomPrincipal(), { audience: 'https://app.example' });
    const spent = BigInt(before - (await pic.getCyclesBalance(toPic(issuer.canisterId))));
    // The fee plus the call's execution, which is far below the 16B between the 34-node and the 13-node fee.
    expect(spent).toBeGreaterThanOrEqual(KEY_1_FEE_ON_34_NODES);
    expect(spent).toBeLessThan(KEY_1_FEE_ON_34_NODES + 1_000_000_000n);
    expect((await issuer.verify(token)).payload['aud']).toBe('https://app.example');
  });
});

function canisterIdBytes(index: bigint): Uint8Array {
  const bytes = new Uint8Array(10);
  new DataView(bytes.buffer).setBigUint64(0, index);
  bytes.set([1, 1], 8);
  return bytes;
}
