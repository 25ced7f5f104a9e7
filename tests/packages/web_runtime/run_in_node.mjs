// Runs the verifier suite in Node as a Web-API runtime would: started with
// `--import ./block_node_crypto.mjs`, from a folder whose node_modules holds the built package.
// Arguments: the compiled suite, the input as JSON. Prints the report as JSON.
import { readFile } from 'node:fs/promises';

const [suitePath, inputPath] = process.argv.slice(2);
const blocked = async (specifier) => {
  try {
    await import(specifier);
    return 'imported';
  } catch (error) {
    return error.message;
  }
};
const nodeCrypto = await blocked('node:crypto');
const nodeEntry = await blocked('@ic-jwt/verifier/express');
const verifier = await import('@ic-jwt/verifier');
const { runVerifierSuite } = await import(suitePath);
const report = await runVerifierSuite(verifier, JSON.parse(await readFile(inputPath, 'utf8')));
process.stdout.write(JSON.stringify({ ...report, nodeCrypto, nodeEntry }));
