// Folder rules of this package, checked by tests/local_ic_package/dependency_rules.test.ts.
// Layers from the top down: a module may import from its own layer and the layers below it.
const LAYERS = [
  ['entry points', '^src/(pocket_ic|dev_identity_provider)/'],
  ['network', '^src/network/'],
  ['package index', '^src/index\\.ts$'],
  ['facade', '^src/local_ic\\.ts$'],
  ['http interface', '^src/http_interface/'],
  ['persistence', '^src/persistence/'],
  ['subnet state', '^src/subnet\\.ts$'],
  ['management canister', '^src/management/'],
  ['execution', '^src/execution/'],
  ['canister state', '^src/state/'],
  ['runtime', '^src/runtime/'],
  ['wasm and threshold maths', '^src/(wasm|threshold)/'],
  ['subnet topology', '^src/topology/'],
  ['costs', '^src/costs/'],
  ['shared leaf modules', '^src/shared/'],
];

// Type-only arrows that still run upward: Subnet is the state every execution works on, and the
// message processor names the management canister's type. No runtime import runs upward.
const UPWARD_TYPE_IMPORTS = [
  { from: '^src/(execution|management|persistence)/', to: '^src/subnet\\.ts$' },
  { from: '^src/execution/message_processor\\.ts$', to: '^src/management/management_canister\\.ts$' },
];

const above = (index) => LAYERS.slice(0, index).map(([, path]) => path).join('|');
const below = (index) => LAYERS.slice(index + 1).map(([, path]) => path).join('|');
const layerIndex = (path) => LAYERS.findIndex(([, layer]) => new RegExp(layer).test(path.replace(/^\^|\\|\$$/g, '')));
const exceptionTargets = UPWARD_TYPE_IMPORTS.map(({ to }) => to).join('|');

const layerRules = LAYERS.slice(1).flatMap(([name, path], offset) => [
  {
    name: `upward-from-${name.replaceAll(' ', '-')}`,
    comment: `${name} imports only from its own layer and the layers below it`,
    severity: 'error',
    from: { path },
    to: { path: above(offset + 1), dependencyTypesNot: ['type-only'] },
  },
  {
    name: `upward-type-from-${name.replaceAll(' ', '-')}`,
    comment: `${name}: no type-only import upward either, except those in UPWARD_TYPE_IMPORTS`,
    severity: 'error',
    from: { path },
    to: { path: above(offset + 1), pathNot: exceptionTargets, dependencyTypes: ['type-only'] },
  },
]);

const exceptionRules = UPWARD_TYPE_IMPORTS.map(({ from, to }, index) => ({
  name: `upward-type-exception-${index + 1}`,
  comment: `only ${from} may import ${to} upward (type-only)`,
  severity: 'error',
  from: { path: below(layerIndex(to)), pathNot: from },
  to: { path: to, dependencyTypes: ['type-only'] },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'no import cycles (type-only arrows listed in UPWARD_TYPE_IMPORTS excepted)',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'in-a-layer',
      comment: 'every module with imports belongs to one of the LAYERS (a new folder must be placed in the order)',
      severity: 'error',
      from: { path: '^src/', pathNot: LAYERS.map(([, path]) => path).join('|') },
      to: {},
    },
    ...layerRules,
    ...exceptionRules,
    {
      name: 'outside-the-package',
      comment: 'nothing from the app (src/backend, src/frontend, src/verifier) or another package\'s files',
      severity: 'error',
      from: {},
      to: { path: '^\\.\\./', pathNot: '^\\.\\./\\.\\./node_modules/' },
    },
    {
      name: 'other-workspace-packages',
      severity: 'error',
      from: {},
      to: { path: '@ic-jwt/' },
    },
    {
      name: 'undeclared-dependency',
      comment: 'every npm import is declared in this package.json (dependencies or peerDependencies)',
      severity: 'error',
      from: {},
      to: {
        dependencyTypes: ['npm-no-pkg', 'npm-unknown', 'npm-dev', 'unknown', 'undetermined'],
        dependencyTypesNot: ['npm', 'npm-peer'],
      },
    },
  ],
  options: {
    doNotFollow: { path: ['node_modules', '^\\.\\./'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.build.json' },
    combinedDependencies: false,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'types', 'node', 'default'] },
  },
};
