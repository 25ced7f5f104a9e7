// Folder rules of this package, checked by tests/pocket_ic/package_structure.test.ts (npx depcruise src prints violations).
// Layers from the top down: a module may import from its own layer and the layers below it.
const LAYERS = [
  ['entry points', '^src/(pocket_ic|dev_identity_provider)/'],
  ['network', '^src/network/'],
  ['package index', '^src/index\\.ts$'],
  ['facade', '^src/local_ic\\.ts$'],
  ['http interface', '^src/http_interface/'],
  ['persistence', '^src/persistence/'],
  ['management canister', '^src/management/'],
  ['execution', '^src/execution/'],
  ['subnet state', '^src/subnet\\.ts$'],
  ['canister state', '^src/state/'],
  ['runtime', '^src/runtime/'],
  ['wasm and threshold maths', '^src/(wasm|threshold)/'],
  ['subnet topology', '^src/topology/'],
  ['costs', '^src/costs/'],
  ['shared leaf modules', '^src/shared/'],
];

const above = (index) => LAYERS.slice(0, index).map(([, path]) => path).join('|');

const layerRules = LAYERS.slice(1).map(([name, path], offset) => ({
  name: `upward-from-${name.replaceAll(' ', '-')}`,
  comment: `${name} imports only from its own layer and the layers below it (type-only imports too)`,
  severity: 'error',
  from: { path },
  to: { path: above(offset + 1) },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'no import cycles, type-only imports included',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'in-a-layer',
      comment: 'every module with imports belongs to one of the LAYERS (a new folder must be placed in the order)',
      severity: 'error',
      from: { path: '^src/', pathNot: LAYERS.map(([, path]) => path).join('|') },
      to: {},
    },
    ...layerRules,
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
