// Property-based fuzzing of what the local IC reads before any authentication: the CBOR
// decoder, the envelope parser and the router. A bounded number of cases runs here; bench/fuzz.ts
// runs many more and prints the figures.
import { Principal } from '@dfinity/principal';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { CborDecodeError, decodeCbor, routeRequest, startReplicaServer, type RunningReplicaServer } from '../../packages/local-ic/src/http_interface';
import {
  cborNoise,
  ENDPOINT_STATUSES,
  FUZZ_CANISTER,
  mutate,
  mutations,
  postTo,
  recordingInterface,
  seedEnvelopes,
  fastestRunMs,
  signedExecutions,
  timeBudgetMs,
  type SeedEnvelope
} from './support/fuzz';

/** The bound, "a few milliseconds per KB", with an allowance for one signature check or GC pause per case. */
const PER_KB_MS = 5;
const FLOOR_MS = 50;

let seeds: SeedEnvelope[];

beforeAll(async () => {
  seeds = await seedEnvelopes();
});

describe('CBOR decoder under fuzzing', () => {
  it('decodes or refuses with a CborDecodeError, in bounded time, whatever the bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(cborNoise(400), fc.uint8Array({ maxLength: 2048 })), async (bytes) => {
        const budget = timeBudgetMs(bytes.length, PER_KB_MS, FLOOR_MS);
        const ms = await fastestRunMs(() => {
          try {
            decodeCbor(bytes);
          } catch (error) {
            if (!(error instanceof CborDecodeError)) throw error;
          }
        }, budget);
        expect(ms, `${ms.toFixed(1)} ms for ${bytes.length} bytes`).toBeLessThanOrEqual(budget);
      }),
      { numRuns: 1000 }
    );
  });

  it('refuses mutated envelopes only with CborDecodeError', () => {
    fc.assert(
      fc.property(fc.constantFrom(...seeds), mutations, (seed, steps) => {
        try {
          decodeCbor(mutate(seed.body, steps));
        } catch (error) {
          if (!(error instanceof CborDecodeError)) throw error;
        }
      }),
      { numRuns: 500 }
    );
  });
});

describe('envelope parser and router under fuzzing', () => {
  it('answer mutated signed envelopes with a 2xx or 4xx, never execute what no valid signature covers', async () => {
    const { api, executed } = recordingInterface();
    for (const seed of seeds) expect((await postTo(api, seed.endpoint, seed.body)).status).toBeLessThan(300);
    const allowed = signedExecutions(executed);
    expect(allowed.size).toBeGreaterThan(0);

    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...seeds), mutations, async (seed, steps) => {
        const body = mutate(seed.body, steps);
        executed.length = 0;
        const reply = await postTo(api, seed.endpoint, body);
        expect(ENDPOINT_STATUSES.has(reply.status), `status ${reply.status}: ${String(reply.body)}`).toBe(true);
        for (const entry of executed) {
          if (entry.caller !== Principal.anonymous().toText()) expect(allowed.has(JSON.stringify(entry)), `executed ${JSON.stringify(entry)}`).toBe(true);
        }
        const budget = timeBudgetMs(body.length, PER_KB_MS, FLOOR_MS);
        const ms = await fastestRunMs(() => postTo(api, seed.endpoint, body), budget);
        expect(ms, `${ms.toFixed(1)} ms for ${body.length} bytes`).toBeLessThanOrEqual(budget);
      }),
      { numRuns: 400 }
    );
  });

  it('routes any method, path, content type and body to a 2xx or 4xx', async () => {
    const { api } = recordingInterface();
    const segment = fc.oneof(fc.constantFrom('api', 'v2', 'v3', 'canister', 'subnet', 'call', 'query', 'read_state', 'status', FUZZ_CANISTER.toText(), '%', '%C0%AF', '..', ''), fc.string({ maxLength: 12 }));
    const url = fc.array(segment, { maxLength: 6 }).map((segments) => `/${segments.join('/')}`);
    const request = fc.record({
      method: fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'get', ''),
      url: fc.oneof(url, fc.string({ maxLength: 40 })),
      contentType: fc.option(fc.constantFrom('application/cbor', 'APPLICATION/CBOR', 'application/json', 'application/cbor; charset=x', ''), { nil: undefined }),
      body: fc.oneof(cborNoise(50), fc.constantFrom(...seeds.map((seed) => seed.body)))
    });
    await fc.assert(
      fc.asyncProperty(request, async (input) => {
        const reply = await routeRequest(api, input, { syncCallEndpoint: true });
        expect([200, 202, 400, 403, 404, 405].includes(reply.status), `${input.method} ${input.url}: ${reply.status} ${String(reply.body)}`).toBe(true);
      }),
      { numRuns: 400 }
    );
  });
});

describe('the HTTP server under fuzzed bodies', () => {
  let server: RunningReplicaServer;

  beforeAll(async () => {
    server = await startReplicaServer({ api: recordingInterface().api, port: 0 });
  });

  afterAll(async () => {
    await server.close();
  });

  it('answers every mutated envelope over HTTP and keeps serving', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...seeds), mutations, async (seed, steps) => {
        const response = await fetch(`${server.url}/api/v2/canister/${FUZZ_CANISTER.toText()}/${seed.endpoint}`, {
          method: 'POST',
          headers: { 'content-type': 'application/cbor' },
          body: Buffer.from(mutate(seed.body, steps))
        });
        await response.arrayBuffer();
        expect(ENDPOINT_STATUSES.has(response.status)).toBe(true);
      }),
      { numRuns: 60 }
    );
    expect((await fetch(`${server.url}/api/v2/status`)).status).toBe(200);
  });
});
