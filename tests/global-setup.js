// Builds dist/ once before the tests: end-to-end tests that need real processes (several instances, SIGKILL,
// SIGTERM) run the compiled bot exactly as `npm start` does.
const { execFileSync } = require('node:child_process');
const path = require('node:path');

module.exports = async () => {
  const root = path.join(__dirname, '..');
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    cwd: root,
    stdio: 'inherit',
  });
};
