#!/usr/bin/env node
// The entry point stays this small on purpose, and ships as CommonJS: a hook runs it on every
// pull and push, and its fast path must pay neither for the ESM loader nor for the argument
// parser and the libraries the rest of the CLI loads.
const args = process.argv.slice(2);
const done = (code: number | undefined) => {
  if (code !== undefined) process.exitCode = code;
};
if (args[0] === 'run' && args.includes('--hook')) {
  void import('./hook/fast-path.js').then(({ hookMain }) => hookMain(args.slice(1))).then(done);
} else if (args[0] === 'merge-driver') {
  // git runs it for every workplan both sides changed: as light to start as the hooks.
  // It exits once the file is written: a hub that never answered must not hold git up past the deadline.
  void import('./merge/driver.js').then(({ driverMain }) => driverMain(args.slice(1))).then((code) => process.exit(code));
} else {
  void import('./cli-program.js').then(({ main }) => main(process.argv));
}
