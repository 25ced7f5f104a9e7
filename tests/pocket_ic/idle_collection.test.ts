// After deleting instances, the pocket-ic server runs a full garbage collection once it is idle, so
// the deleted canisters' memory goes back to the operating system (bench/pocket_ic.ts measures the
// resident memory); it does not collect when nothing was deleted.
import { expect, it } from 'vitest';

import { startPocketIcServer } from '../../packages/local-ic/src/pocket_ic/server';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not true within ${timeoutMs} ms`);
    await sleep(10);
  }
}

it('collects garbage once when idle after an instance is deleted, and not before', async () => {
  let collections = 0;
  const server = (await startPocketIcServer({ ttlSeconds: 60, collectGarbage: () => (collections += 1) }))!;
  try {
    const created = await fetch(`${server.url}/instances`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ subnet_config_set: { application: [{}] } })
    });
    const { Created } = (await created.json()) as { Created: { instance_id: number } };
    await sleep(400);
    expect(collections).toBe(0);

    expect((await fetch(`${server.url}/instances/${Created.instance_id}`, { method: 'DELETE' })).status).toBe(200);
    await waitFor(() => collections === 1, 5_000);
    await fetch(`${server.url}/status`);
    await sleep(400);
    expect(collections).toBe(1);
  } finally {
    await server.stop();
  }
}, 30_000);
