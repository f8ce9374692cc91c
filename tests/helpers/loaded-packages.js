// Preloaded into a bot process (NODE_OPTIONS=--require …): when it exits, writes the npm packages it required, one a
// line, to LOADED_PACKAGES_FILE. Tests use it to check that drivers and features a set-up does not use stay unloaded.
const { writeFileSync } = require('node:fs');

process.on('exit', () => {
  const names = new Set();
  for (const file of Object.keys(require.cache)) {
    const match = /.*node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/.exec(file);
    if (match) names.add(match[1].replace(/\\/g, '/'));
  }
  writeFileSync(process.env.LOADED_PACKAGES_FILE, [...names].sort().join('\n'));
});
