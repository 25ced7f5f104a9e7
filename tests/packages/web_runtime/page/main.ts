// The built package as a bundler resolves it for a browser ("browser" export condition).
import * as verifier from '@ic-jwt/verifier';

import { runVerifierSuite, type SuiteInput, type SuiteReport } from '../suite';

declare global {
  interface Window {
    runVerifierSuite(input: SuiteInput): Promise<SuiteReport>;
    verifierReady: boolean;
  }
}

window.runVerifierSuite = (input) => runVerifierSuite(verifier, input);
window.verifierReady = true;
