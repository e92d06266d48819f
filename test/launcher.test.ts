/**
 * bin/kspray.js runs the bundle (dist/bundle/kspray.cjs) through a V8 code
 * cache in the cache directory. The cache must only ever cost or save time:
 * same output with it, without it, from tsc's per-file build, and whatever
 * state the cache file is in.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../src/process/exec.js';
import { k1ClusterFile, repoRoot, runCli, withTempDir } from './helpers/cli.js';

const planArgs = ['plan', '1.16→1.18', '-c', k1ClusterFile, '--json'];
/** The one cache file bin/kspray.js keeps for this checkout's bundle. */
function cacheFile(dir: string): string {
  const names = readdirSync(join(dir, 'code-cache'));
  expect(names).toEqual([expect.stringMatching(/^kspray-[0-9a-f]{8}\.v8$/)]);
  return join(dir, 'code-cache', names[0]!);
}
const header = (dir: string) => readFileSync(cacheFile(dir)).subarray(0, readFileSync(cacheFile(dir)).indexOf(10)).toString('utf8');

describe('bin/kspray.js', () => {
  it('writes the code cache after a command it does not hold, and prints the same plan with it', async () => {
    await withTempDir(async (dir) => {
      const env = { KSPRAY_CACHE_DIR: dir };

      const first = await runCli(planArgs, { env });
      const firstHeader = header(dir);
      const second = await runCli(planArgs, { env });
      const version = await runCli(['--version'], { env });

      expect(first.exitCode).toBe(0);
      expect(firstHeader).toMatch(new RegExp(`^kspray-code-cache 1 ${process.version} ${process.arch} \\d+ [\\d.]+\\tplan$`));
      expect(second.stdout).toBe(first.stdout);
      expect(second.stderr).toBe(first.stderr);
      expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).version);
      expect(header(dir)).toBe(`${firstHeader},-`);
    });
  });

  it('prints what tsc\'s per-file build prints, and what it prints without the code cache', async () => {
    await withTempDir(async (dir) => {
      const env = { KSPRAY_CACHE_DIR: dir, NO_COLOR: '1' };
      const perFile = await run(['node', '--input-type=module', '-e', `const { main } = await import(${JSON.stringify(join(repoRoot, 'dist', 'cli', 'main.js'))}); process.exitCode = await main(process.argv.slice(1));`, ...planArgs], { cwd: repoRoot, env, reject: false });

      const bundled = await runCli(planArgs, { env });
      const uncached = await runCli(planArgs, { env: { ...env, KSPRAY_NO_CODE_CACHE: '1' } });

      expect(perFile.exitCode).toBe(0);
      expect(bundled.stdout).toBe(perFile.stdout);
      expect(uncached.stdout).toBe(perFile.stdout);
    });
  });

  it('runs without the cache when KSPRAY_NO_CODE_CACHE=1, and writes none', async () => {
    await withTempDir(async (dir) => {
      const result = await runCli(['--version'], { env: { KSPRAY_CACHE_DIR: dir, KSPRAY_NO_CODE_CACHE: '1' } });

      expect(result.exitCode).toBe(0);
      expect(existsSync(join(dir, 'code-cache'))).toBe(false);
    });
  });

  it('rewrites a cache whose data V8 rejects, and still runs', async () => {
    await withTempDir(async (dir) => {
      const env = { KSPRAY_CACHE_DIR: dir };
      await runCli(['--version'], { env });
      const good = await readFile(cacheFile(dir));
      await writeFile(cacheFile(dir), Buffer.concat([Buffer.from(`${header(dir)}\n`), Buffer.from('not V8 data')]));

      const result = await runCli(['--version'], { env });

      expect(result.exitCode).toBe(0);
      expect(result.stderr).toBe('');
      // Rewritten with V8's data again (about as large as before: the same functions compiled).
      expect((await readFile(cacheFile(dir))).length).toBeGreaterThan(good.length * 0.9);
    });
  });

  it('runs when the cache directory cannot be written', async () => {
    await withTempDir(async (dir) => {
      await mkdir(join(dir, 'cache'));
      await writeFile(join(dir, 'cache', 'code-cache'), 'a file where the directory would go');

      const result = await runCli(['--version'], { env: { KSPRAY_CACHE_DIR: join(dir, 'cache') } });

      expect(result.exitCode).toBe(0);
      expect(result.stderr).toBe('');
    });
  });

  it('bundles no import() of its own: vm.Script code cannot call it on Node 20 (scripts/bundle.mjs rewrites them)', () => {
    const bundle = readFileSync(join(repoRoot, 'dist', 'bundle', 'kspray.cjs'), 'utf8');

    // The one left is the banner's fallback for a plain require of the bundle.
    expect(bundle.match(/\bimport\(/g)).toEqual(['import(']);
  });
});
