#!/usr/bin/env node
/**
 * Launcher. Runs the bundled CLI, dist/bundle/kspray.cjs (scripts/bundle.mjs,
 * built by `npm run build`), compiled through a V8 code cache, because start-up
 * time is a feature (bench/plan.ts: `kspray plan` < 3× `node -e 0`): without
 * it, V8 spends ~35 ms just pre-parsing the bundle, and more compiling each
 * function a command runs. It is what Node 22's module.enableCompileCache()
 * does, which Node 20 lacks. The cache holds compiled code only, never a result.
 *
 * The cache is one file per installed bundle in kspray's cache directory
 * (KSPRAY_CACHE_DIR, else the user's cache dir), code-cache/kspray-HASH.v8: a
 * header naming the bundle build it is for (size and mtime), Node's version
 * and the commands it holds, then V8's data. It is rewritten after a command it does not hold yet (and when
 * missing, stale, or rejected by V8), so it comes to hold every command used;
 * writes are atomic (temp file + rename), and a cache that cannot be read or
 * written only costs time. KSPRAY_NO_CODE_CACHE=1 runs without it.
 *
 * CommonJS (bin/package.json), not an ES module, like the bundle: Node's ES
 * module loader costs ~10 ms to start. Falls back to tsc's per-file build
 * (dist/cli/main.js) when the bundle is missing or older than it (e.g. after
 * a bare `tsc`).
 */
'use strict';
const { isAscii } = require('node:buffer');
const { closeSync, fstatSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { dirname, join } = require('node:path');
const { pathToFileURL } = require('node:url');
const vm = require('node:vm');

const bundle = join(__dirname, '..', 'dist', 'bundle', 'kspray.cjs');
const perFile = join(__dirname, '..', 'dist', 'cli', 'main.js');

function mtimeOf(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

/**
 * One cache file per installed bundle (FNV-1a of its path), so two installs never overwrite each other's.
 * The directory follows src/util/paths.ts cacheDir() (the launcher runs before the bundle can be asked).
 */
async function cachePath() {
  const dir = process.env.KSPRAY_CACHE_DIR ?? (await import('env-paths')).default('kspray', { suffix: '' }).cache;
  let hash = 0x811c9dc5;
  for (let i = 0; i < bundle.length; i++) hash = Math.imul(hash ^ bundle.charCodeAt(i), 0x01000193) >>> 0;
  return join(dir, 'code-cache', `kspray-${hash.toString(16).padStart(8, '0')}.v8`);
}

/** The bundle's text and the key its cache goes by, from one open file (a rebuild meanwhile cannot mix them). */
function readBundle() {
  const fd = openSync(bundle, 'r');
  try {
    const { size, mtimeMs } = fstatSync(fd);
    const bytes = readFileSync(fd);
    // scripts/bundle.mjs writes ASCII, which reads as latin1 ~2 ms faster than UTF-8 decodes.
    const source = isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
    return { source, key: `kspray-code-cache 1 ${process.version} ${process.arch} ${size} ${mtimeMs}` };
  } finally {
    closeSync(fd);
  }
}

/** V8's data and the commands it holds, when the file is for this bundle and Node. */
function readCache(path, key) {
  try {
    const data = readFileSync(path);
    const newline = data.indexOf(10);
    if (newline < 0) return undefined;
    const [fileKey, commands = ''] = data.subarray(0, newline).toString('utf8').split('\t');
    if (fileKey !== key) return undefined;
    return { data: data.subarray(newline + 1), commands: commands.split(',').filter(Boolean) };
  } catch {
    return undefined;
  }
}

function writeCache(path, header, data) {
  try {
    mkdirSync(dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, Buffer.concat([Buffer.from(`${header}\n`), data]));
    renameSync(tmp, path);
  } catch {
    // Optional: a read-only or full cache directory only costs start-up time.
  }
}

/** Runs the bundle as a CommonJS module compiled through the code cache. */
async function loadCached(command) {
  const path = await cachePath();
  const { source, key } = readBundle();
  const cached = readCache(path, key);
  // The bundle calls __ksprayLauncherImport for import() of packages and builtins (scripts/bundle.mjs).
  const params = 'exports, require, module, __filename, __dirname, __ksprayLauncherImport';
  const script = new vm.Script(`(function (${params}) {${source}\n})`, { filename: bundle, cachedData: cached?.data });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, dirname(bundle), (specifier) => import(specifier));
  const commands = cached === undefined || script.cachedDataRejected === true ? undefined : cached.commands;
  const save = commands?.includes(command)
    ? () => undefined
    : () => writeCache(path, `${key}\t${[...(commands ?? []), command].join(',')}`, script.createCachedData());
  return { exports: module.exports, save };
}

async function load() {
  const bundleTime = mtimeOf(bundle);
  const perFileTime = mtimeOf(perFile);
  if (bundleTime === undefined || (perFileTime !== undefined && perFileTime > bundleTime)) {
    return { exports: await import(pathToFileURL(perFile).href), save: () => undefined };
  }
  if (process.env.KSPRAY_NO_CODE_CACHE === '1') {
    return { exports: require(bundle), save: () => undefined };
  }
  // The command name says what the cache holds; options alone and `help` fall under '-'.
  const command = /^[a-z][a-z-]*$/.test(process.argv[2] ?? '') ? process.argv[2] : '-';
  return loadCached(command);
}

load().then(async ({ exports, save }) => {
  process.exitCode = await exports.main(process.argv.slice(2));
  save();
});
