export type SubnetKind = 'nns' | 'application' | 'ii' | 'fiduciary' | 'test-threshold-keys';

/**
 * Node counts of the subnets PocketIC creates, which match mainnet's
 * (PocketIC server changelog: 7.0.0 fiduciary 28 → 34, 9.0.0 II → 34 "as on
 * the ICP mainnet"; NNS 40, application 13; the test-threshold-keys subnet,
 * mainnet fuqsr…, is a 13-node application subnet, dfinity/ic PR 9818).
 * The subnets of topology/layout.ts have these sizes.
 */
export const SUBNET_NODE_COUNTS: Readonly<Record<SubnetKind, bigint>> = Object.freeze({
  nns: 40n,
  application: 13n,
  ii: 34n,
  fiduciary: 34n,
  'test-threshold-keys': 13n
});
