// `npm run matrix`: runs every verifier library on fresh canister tokens (the built Wasm on a local
// IC, so `npm run build` first) and prints the README's "Which algorithm for which verifier" table.
import { observeMatrix, renderTable, startMatrixRun } from '../tests/matrix/matrix';

const run = await startMatrixRun();
try {
  console.log(renderTable(await observeMatrix(run), run.tokens));
} finally {
  await run.canister.close();
}
