/**
 * Artifacts benchmark: `node --import tsx bench/artifacts.ts`.
 *
 * k1 from 1.16 to 1.21: five hops on the REAL Kubespray tags (v2.13.4 …
 * v2.17.1), its repository pointed at the bundle's bare clone (the cache the
 * real-tag tests use, KSPRAY_REAL_KUBESPRAY_CACHE), in a private
 * KSPRAY_CACHE_DIR. The built CLI as users run it:
 *
 * - cold: `kspray artifacts -c k1.yaml --to 1.21 --format both` with an empty
 *   cache (the Kubespray mirror cloned, five checkouts, five Ansible runs);
 * - warm: the same again, --runs times (default 5): the lists from kspray's
 *   cache, no git and no Ansible. Target: median < 2 s.
 *
 * Flags: --runs N, --strict, --no-build, --keep.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { realRepo } from '../test/helpers/real-kubespray.js';
import { BenchReport, median, ms, numberFlag } from './lib/measure.js';
import { ensureBuilt, ksprayArgv, measureProcess, repoRoot } from './lib/proc.js';

const WARM_TARGET_MS = 2000;
const TARGET_VERSION = '1.21';

export async function runArtifactsBench(): Promise<void> {
  const runs = numberFlag('--runs', 5);
  const report = new BenchReport(`artifacts benchmark: k1 1.16 → ${TARGET_VERSION} (five hops), the real Kubespray tags`);
  report.line(await ensureBuilt());
  const dir = mkdtempSync(join(tmpdir(), 'kspray-bench-artifacts-'));
  try {
    const repo = await realRepo();
    const file = join(dir, 'k1.yaml');
    const k1 = readFileSync(join(repoRoot, 'inventories', 'k1', 'cluster.yaml'), 'utf8');
    writeFileSync(file, k1.replace('repo: https://github.com/kubernetes-sigs/kubespray.git', `repo: ${repo}`));
    const env = { KSPRAY_CACHE_DIR: join(dir, 'cache') };
    const args = ['artifacts', '-c', file, '--to', TARGET_VERSION, '--format', 'both'];

    const cold = await measureProcess(ksprayArgv(args), { env, cwd: dir, usage: true });
    if (cold.exitCode !== 0) throw new Error(`kspray artifacts exited ${cold.exitCode}: ${cold.stderr.split('\n').slice(-5).join('\n')}`);
    const lines = cold.stdout.trim().split('\n');
    const blank = lines.indexOf('');
    const templated = cold.stderr.split('\n').filter((line) => line.includes('templating the downloads')).length;
    report.info('cold (empty cache)', ms(cold.wallMs), `CPU ${cold.cpuMs === undefined ? 'n/a' : ms(cold.cpuMs)}; ${templated} hops templated with Ansible; ${blank} files, ${lines.length - blank - 1} images listed`);

    const warm: number[] = [];
    for (let i = 0; i < runs; i++) {
      const result = await measureProcess(ksprayArgv(args), { env, cwd: dir });
      if (result.exitCode !== 0 || result.stdout !== cold.stdout) throw new Error(`the warm run ${i + 1} differs from the cold one (exit ${result.exitCode})`);
      if (result.stderr.includes('templating the downloads')) throw new Error(`the warm run ${i + 1} templated again: the cache did not answer`);
      warm.push(result.wallMs);
    }
    report.target(`warm (cache), median of ${runs}`, median(warm), WARM_TARGET_MS, ms, `min ${ms(Math.min(...warm))}, max ${ms(Math.max(...warm))}; the same lists, no git, no Ansible`);
    report.flush(`whole process: node bin/kspray.js ${args.join(' ').replaceAll(dir, '$TMP')}`);
    report.finish();
  } finally {
    if (process.argv.includes('--keep')) console.log(`  kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runArtifactsBench();
}
