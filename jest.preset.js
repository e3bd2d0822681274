// Shared jest setup: TypeScript through @swc/jest (fast, no type check: `typecheck` targets do that),
// and @trainwatch/* imports mapped to their sources so tests never need a build of a sibling package.
const fs = require('node:fs');
const path = require('node:path');

function workspaceSources() {
  const map = {};
  for (const group of ['packages', 'apps', 'tools']) {
    const dir = path.join(__dirname, group);
    if (!fs.existsSync(dir)) continue;
    for (const name of fs.readdirSync(dir)) {
      const pkgFile = path.join(dir, name, 'package.json');
      if (!fs.existsSync(pkgFile)) continue;
      const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8'));
      const entry = path.join(dir, name, 'src', 'index.ts');
      if (fs.existsSync(entry)) map[`^${pkg.name.replace('/', '\\/')}$`] = entry;
      // Subpath exports (`@trainwatch/core/testing`, `/runner`) map to src/<name>.ts the same way.
      for (const sub of Object.keys(pkg.exports ?? {})) {
        const file = path.join(dir, name, 'src', `${sub.slice(2)}.ts`);
        if (sub !== '.' && fs.existsSync(file)) map[`^${pkg.name.replace('/', '\\/')}\\/${sub.slice(2)}$`] = file;
      }
    }
  }
  return map;
}

module.exports = (rootDir) => ({
  rootDir,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
  moduleNameMapper: workspaceSources(),
  testTimeout: 120000,
});
