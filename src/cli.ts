#!/usr/bin/env node
// The entry point stays this small on purpose: a hook runs it on every pull and push, and its
// fast path must not pay for the argument parser and the libraries the rest of the CLI loads.
const args = process.argv.slice(2);
if (args[0] === 'run' && args.includes('--hook')) {
  const { hookMain } = await import('./hook-main.js');
  process.exitCode = await hookMain(args.slice(1));
} else {
  const { main } = await import('./cli-program.js');
  await main(process.argv);
}
