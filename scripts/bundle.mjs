#!/usr/bin/env node
/**
 * Bundles the CLI for start-up: `node scripts/bundle.mjs` (the second half of
 * `npm run build`, after tsc). Writes dist/bundle/kspray.cjs, which
 * bin/kspray.js runs (through a V8 code cache: see there).
 *
 * Why (bench/plan.ts: a whole `kspray plan` must take < 3× `node -e 0`):
 * loading ~150 separate modules (tsc's dist/ per file + node_modules) cost
 * more than half of plan's time, and Node 20's ES module loader costs about a
 * millisecond per module even bundled into chunks. One CommonJS file costs one
 * module, and it can be compiled through a V8 code cache (vm.Script), which
 * ES modules cannot on Node 20.
 *
 * What stays lazy: esbuild keeps every `await import()` of a bundled module
 * lazy (the module's code is in the file, but it runs when imported), so a
 * command still runs only the domain code it needs. Packages outside INLINE
 * (@kubernetes/client-node, execa, simple-git, …) stay external,
 * loaded from node_modules as published, and only when a module that uses
 * them runs (see externals); node builtins alike.
 *
 * Paths: the bundle sits two directories below the package root, as
 * dist/util/paths.js does, so src/util/paths.ts finds data/ and playbooks/,
 * and `require('../../package.json')` in src/cli resolves, the same way.
 * `import.meta.url` (not in CommonJS) is defined as the bundle's file URL.
 *
 * `--metafile` also writes dist/bundle/meta.json (what the bundle holds, by
 * input: esbuild's analyzer reads it).
 */
import { build } from 'esbuild';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const bundleDir = join(root, 'dist', 'bundle');
export const bundleFile = join(bundleDir, 'kspray.cjs');

/** Packages bundled in: what start-up and `plan` use. All others stay external. */
const INLINE = new Set(['commander', 'zod', 'js-yaml', 'yaml', 'semver', 'env-paths']);

function packageOf(specifier) {
  return specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
}

/**
 * Packages outside INLINE and node builtins stay external. In a CommonJS
 * bundle esbuild turns a static import of an external into a require() inside
 * the importing module's lazy initializer, so e.g. execa (the process chokepoint)
 * or node:https (the Kubernetes client) load only for the commands that run
 * that module. (Dynamic import()s: see sourceRewrites.)
 */
const externals = {
  name: 'externals',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.namespace === 'lazy-proxy') return { path: args.path, external: true };
      if (LAZY_PROXY.has(args.path) && args.kind === 'require-call' && /[\\/]node_modules[\\/]/.test(args.importer)) {
        return { path: args.path, namespace: 'lazy-proxy' };
      }
      if (!args.path.startsWith('node:') && INLINE.has(packageOf(args.path))) return undefined;
      return { path: args.path, external: true };
    });
    b.onLoad({ filter: /.*/, namespace: 'lazy-proxy' }, (args) => ({
      contents: `let m; const load = () => (m ??= require(${JSON.stringify(args.path)}));
module.exports = new Proxy({}, { get: (_, key) => load()[key], has: (_, key) => key in load(), ownKeys: () => Reflect.ownKeys(load()), getOwnPropertyDescriptor: (_, key) => Reflect.getOwnPropertyDescriptor(load(), key) });`,
      loader: 'js',
    }));
  },
};

/**
 * Builtins that an inlined CommonJS package requires at its top but uses
 * rarely, given as a proxy that requires the builtin on first use:
 * commander loads node:child_process (≈ 5 ms: not in Node's start-up
 * snapshot) only to spawn git-style executable subcommands, which kspray has
 * none of.
 */
const LAZY_PROXY = new Set(['node:child_process', 'child_process']);

/**
 * Two rewrites of every source file, before esbuild reads it:
 *
 * - `import { z } from 'zod'` makes esbuild keep all of zod (every locale:
 *   ≈ 450 KB minified); `import * as z from 'zod'` is the same binding (zod's
 *   index re-exports what `z` holds) and lets esbuild keep only what is used.
 * - `import('<package or builtin>')` becomes `__ksprayImport('…')`: code
 *   compiled by vm.Script (bin/kspray.js) cannot call import() on Node 20
 *   without a flag, so the launcher hands the bundle its own import() (the
 *   banner falls back to the native one when the bundle is plainly required).
 *   Dynamic imports of kspray's own modules are esbuild's (lazy, in-bundle).
 */
const sourceRewrites = {
  name: 'source-rewrites',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      const contents = text
        .replace(/^import \{ z \} from 'zod';$/gm, "import * as z from 'zod';")
        .replace(/\bimport\((['"])([^'"./][^'"]*)\1\)/g, (call, quote, specifier) => (
          !specifier.startsWith('node:') && INLINE.has(packageOf(specifier)) ? call : `__ksprayImport(${JSON.stringify(specifier)})`
        ));
      return { contents, loader: 'ts' };
    });
  },
};

/**
 * esbuild writes ASCII (`charset: 'ascii'`) except inside a few literals it
 * leaves alone (a /u regex with `→`); those become \\uXXXX escapes, which
 * mean the same in strings, templates and regular expressions (an astral
 * character as its surrogate pair, which a /u regex reads as one). An ASCII
 * file is read by bin/kspray.js as latin1: ~2 ms less than decoding UTF-8.
 */
function asciiOnly(text) {
  return text.replace(/[\u0080-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export async function bundle({ metafile = process.argv.includes('--metafile') } = {}) {
  const result = await build({
    absWorkingDir: root,
    entryPoints: ['src/cli/main.ts'],
    outfile: bundleFile,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    // Less for V8 to parse; names kept, so an unexpected error's stack still reads.
    minifyWhitespace: true,
    minifySyntax: true,
    charset: 'ascii',
    define: { 'import.meta.url': '__ksprayBundleUrl' },
    banner: {
      js: "const __ksprayBundleUrl=require('node:url').pathToFileURL(__filename).href;"
        + "const __ksprayImport=typeof __ksprayLauncherImport==='function'?__ksprayLauncherImport:(s)=>import(s);",
    },
    metafile,
    logLevel: 'warning',
    plugins: [externals, sourceRewrites],
    write: false,
  });
  // Replaced whole (temp file + rename): a kspray started meanwhile runs the old bundle or the new one, never half of one.
  mkdirSync(bundleDir, { recursive: true });
  for (const file of result.outputFiles) {
    const tmp = `${file.path}.${process.pid}.tmp`;
    writeFileSync(tmp, asciiOnly(file.text));
    renameSync(tmp, file.path);
  }
  if (metafile) writeFileSync(join(bundleDir, 'meta.json'), JSON.stringify(result.metafile));
  return result;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await bundle();
}
