// Builds dist/bundle, what the package ships. A hook runs on every pull and push, so what it
// loads is the product's cost: the entry point is a small CommonJS file with the hooks' fast path
// in it, and everything else is loaded only when a command needs it.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  // Optional at run time: resolved from node_modules when a PostgreSQL hub is named.
  external: ['pg'],
  // gray-matter loads js-yaml for its default YAML engine, and js-yaml loads esprima (280 KB)
  // when it starts. custodian-hooks always hands gray-matter its own engine (the `yaml`
  // package), and only plain `---` front matter reaches it, so neither is ever called.
  alias: { 'js-yaml': './scripts/js-yaml-unused.cjs' },
};

// CommonJS that names its own file, as the entry point and the hook bundle must be.
const commonjs = {
  format: 'cjs',
  define: { 'import.meta.url': '__importMetaUrl' },
  banner: { js: "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
};

// The CLI's commands, as ESM chunks imported on demand; git's merge driver is an entry of its own.
await build({
  ...common,
  entryPoints: ['src/cli-program.ts', 'src/merge/driver.ts'],
  format: 'esm',
  splitting: true,
  outbase: 'src',
  outdir: 'dist/bundle',
  banner: { js: "import { createRequire as __custodianRequire } from 'node:module'; const require = __custodianRequire(import.meta.url);" },
});

// The full hook, as one CommonJS file: the entry point reads it through V8's code cache, which
// Node 20 offers for scripts but not for ES modules. Its content hash names the cache.
// The entry point reads it as latin1, which decodes only ASCII as UTF-8 would.
await build({ ...common, ...commonjs, charset: 'ascii', entryPoints: ['src/hook/full.ts'], outfile: 'dist/bundle/hook.cjs' });
const hookBundle = readFileSync('dist/bundle/hook.cjs');
const nonAscii = hookBundle.findIndex((byte) => byte > 0x7f);
if (nonAscii !== -1) throw new Error(`dist/bundle/hook.cjs: a byte past ASCII at offset ${nonAscii} (the entry point reads the file as latin1)`);
const hookDigest = createHash('sha256').update(hookBundle).digest('hex').slice(0, 16);

// The entry point: CommonJS, because the ESM loader alone costs a hook a few milliseconds.
await build({
  ...common,
  ...commonjs,
  entryPoints: ['src/cli.ts'],
  outfile: 'dist/bundle/cli.cjs',
  // execa is loaded by the git module on its first full call, which the fast path never makes.
  external: [...common.external, './cli-program.js', './merge/driver.js', './full.js', 'execa'],
  define: { ...commonjs.define, HOOK_BUNDLE_DIGEST: JSON.stringify(hookDigest) },
});
