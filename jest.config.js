// Two projects: unit specs sit next to the code; e2e specs in test/ talk to real servers.
const swc = [
  '@swc/jest',
  {
    jsc: {
      target: 'es2023',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
    },
    module: { type: 'commonjs' },
  },
];
const moduleNameMapper = {
  '^@apps/([a-z-]+)/(.*)$': '<rootDir>/apps/$1/src/$2',
  '^@app/(contracts|messaging|model|observability|registry|config|runtime|training|monitoring|elasticsearch|security|evaluation|mlflow|collections)$':
    '<rootDir>/libs/$1/src',
  '^@app/(contracts|messaging|model|observability|registry|config|runtime|training|monitoring|elasticsearch|security|evaluation|mlflow|collections)/(.*)$':
    '<rootDir>/libs/$1/src/$2',
};
// .tools holds the compose smoke's image cache (npm run compose:smoke), whole package trees included.
const common = {
  transform: { '^.+\\.ts$': swc },
  modulePathIgnorePatterns: ['<rootDir>/.tools/'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper,
  testEnvironment: 'node',
};

module.exports = {
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  projects: [
    {
      ...common,
      displayName: 'unit',
      rootDir: __dirname,
      testMatch: [
        '<rootDir>/apps/**/*.spec.ts',
        '<rootDir>/libs/**/*.spec.ts',
        '<rootDir>/scripts/**/*.spec.ts',
        '<rootDir>/test/**/*.spec.ts',
        '<rootDir>/bench/**/*.spec.ts',
      ],
    },
    {
      ...common,
      displayName: 'e2e',
      rootDir: __dirname,
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/support/timeout.ts'],
    },
  ],
};
