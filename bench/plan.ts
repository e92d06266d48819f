/**
 * Plan benchmark: `node --import tsx bench/plan.ts`.
 *
 * 1. Start-up: the median wall time of `node bin/kspray.js plan 1.16→1.18 -c
 *    inventories/k1/cluster.yaml --json` as a whole process against `node -e 0`
 *    (15 runs each after 2 warm-ups, interleaved so load drifts hit both), and
 *    their ratio. Target: ratio < 3. The Ansible version detection is cached
 *    across runs (src/ansible/version-cache.ts); the warm-ups fill a private
 *    KSPRAY_CACHE_DIR, and the bench checks the cache is warm before timing.
 *    So is bin/kspray.js's V8 code cache (code-cache/ in the same directory). Beside them,
 *    for what they say and no target: plan without the code cache
 *    (KSPRAY_NO_CODE_CACHE=1), and `kspray --version`, the floor every command
 *    pays. Then what the start-up is made of: the import cost of each heavy
 *    package, and of the bundle (dist/bundle/kspray.cjs), each in a fresh process.
 * 2. Scale: planUpgrade for a generated 15,000-node model, in-process, with its
 *    input built as src/cli/plan-input.ts builds it. Target < 1 s.
 *
 * Flags: --runs N (default 15), --nodes N (default 15000), --profile, --strict, --no-build.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildPlanContext } from '../src/cli/plan-input.js';
import { planUpgrade } from '../src/plan/plan.js';
import { writeClusterModel } from './lib/model.js';
import { BenchReport, median, ms, numberFlag, timeAsync, timeSync } from './lib/measure.js';
import { ensureBuilt, ksprayArgv, measureProcess, repoRoot } from './lib/proc.js';
import { printProfile, profileProcess, profileRequested } from './lib/profile.js';

const RATIO_TARGET = 3;
const PLAN_TARGET_MS = 1000;
const PAIR = '1.16→1.18';

function codeCacheNote(cache: string): string {
  const dir = join(cache, 'code-cache');
  const name = existsSync(dir) ? readdirSync(dir).find((entry) => entry.endsWith('.v8')) : undefined;
  if (name === undefined) return 'code cache: NONE (bin/kspray.js fell back to the per-file build, or the cache dir is not writable?)';
  const data = readFileSync(join(dir, name));
  const commands = data.subarray(0, data.indexOf(10)).toString('utf8').split('\t')[1] ?? '';
  return `code cache: warm before timing (${(data.length / 1024).toFixed(0)} KB, holds: ${commands})`;
}

function ansibleCacheNote(cache: string): string {
  const file = join(cache, 'ansible-versions.json');
  if (!existsSync(file)) return 'Ansible version cache: COLD (no ansible-playbook on PATH?): runs may include `ansible-playbook --version`';
  const entries = Object.values(JSON.parse(readFileSync(file, 'utf8')) as Record<string, { path: string; version: string }>);
  return `Ansible version cache: warm before timing (${entries.map((e) => `${e.path} ${e.version}`).join(', ')})`;
}

async function startUp(report: BenchReport, cache: string, runs: number): Promise<void> {
  const env = { KSPRAY_CACHE_DIR: cache };
  const planArgv = ksprayArgv(['plan', PAIR, '-c', 'inventories/k1/cluster.yaml', '--json']);
  const variants = [
    { argv: ['node', '-e', '0'], env },
    { argv: planArgv, env },
    { argv: planArgv, env: { ...env, KSPRAY_NO_CODE_CACHE: '1' } },
    { argv: ksprayArgv(['--version']), env },
  ];
  const wall: number[][] = variants.map(() => []);
  const cpu: number[][] = variants.map(() => []);
  for (let i = 0; i < runs + 2; i++) {
    for (const [index, variant] of variants.entries()) {
      const figures = await measureProcess(variant.argv, { env: variant.env, usage: true });
      if (figures.exitCode !== 0) throw new Error(`${variant.argv.join(' ')} exited ${figures.exitCode}: ${figures.stderr.split('\n').slice(-5).join('\n')}`);
      if (i === 0 && index === 1) {
        const doc = JSON.parse(figures.stdout) as { hops: Array<{ tag: string; steps: unknown[] }> };
        report.line(`plan output: ${doc.hops.length} hops (${doc.hops.map((h) => `${h.tag}: ${h.steps.length} steps`).join(', ')})`);
      }
      if (i < 2) continue; // warm-ups: file cache, the Ansible version cache, the code cache
      wall[index]!.push(figures.wallMs);
      if (figures.cpuMs !== undefined) cpu[index]!.push(figures.cpuMs);
    }
    if (i === 1) {
      report.line(ansibleCacheNote(cache));
      report.line(codeCacheNote(cache));
    }
  }
  const [nodeTimes, planTimes, uncachedTimes, versionTimes] = wall as [number[], number[], number[], number[]];
  const planMs = median(planTimes);
  const nodeMs = median(nodeTimes);
  // CPU time (user + system, all threads; GNU time's resolution is 10 ms) suffers less from other work than wall time.
  const spread = (index: number): string => `min ${ms(Math.min(...wall[index]!))}, max ${ms(Math.max(...wall[index]!))}${cpu[index]!.length > 0 ? `; CPU ${ms(median(cpu[index]!))}` : ''}`;
  report.info('kspray plan --json (median wall)', ms(planMs), spread(1));
  report.info('node -e 0 (median wall)', ms(nodeMs), spread(0));
  report.target('ratio (wall)', planMs / nodeMs, RATIO_TARGET, (n) => `${n.toFixed(2)}×`);
  report.info('plan, KSPRAY_NO_CODE_CACHE=1', ms(median(uncachedTimes)), `${(median(uncachedTimes) / nodeMs).toFixed(2)}× node -e 0; ${spread(2)}`);
  report.info('kspray --version', ms(median(versionTimes)), `${(median(versionTimes) / nodeMs).toFixed(2)}× node -e 0: launcher + bundle + commander, what every command pays; ${spread(3)}`);
  report.flush(`start-up: node bin/kspray.js plan ${PAIR} -c inventories/k1/cluster.yaml --json, ${runs} runs after 2 warm-ups`);
  if (profileRequested) printProfile(await profileProcess(planArgv, { env }), (line) => console.log(line));
}

/** The cost of `await import(spec)` in a fresh process (median of 3), beyond node's own start. */
async function importCost(spec: string): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const script = `const t = performance.now(); await import(${JSON.stringify(spec)}); process.stdout.write(String(performance.now() - t));`;
    const result = await measureProcess(['node', '--input-type=module', '-e', script], { cwd: repoRoot });
    times.push(Number(result.stdout));
  }
  return median(times);
}

/** The cost of `require(file)` (CommonJS) in a fresh process (median of 3), beyond node's own start. */
async function requireCost(file: string): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const script = `const t = performance.now(); require(${JSON.stringify(file)}); process.stdout.write(String(performance.now() - t));`;
    const result = await measureProcess(['node', '-e', script], { cwd: repoRoot });
    times.push(Number(result.stdout));
  }
  return median(times);
}

async function imports(report: BenchReport): Promise<void> {
  const packages = ['commander', 'zod', 'zod/mini', 'js-yaml', 'yaml', 'semver', 'execa', 'env-paths'];
  for (const spec of packages) report.info(spec, ms(await importCost(spec)));
  report.info('dist/bundle/kspray.cjs', ms(await requireCost(join(repoRoot, 'dist', 'bundle', 'kspray.cjs'))), 'the bundle, plainly required (no code cache): what loads before any command runs');
  report.flush('import cost in a fresh process (median of 3; each includes what it imports):');
}

async function scale(report: BenchReport, dir: string, cache: string, nodes: number): Promise<void> {
  const file = await writeClusterModel(dir, { nodes, name: 'big', secrets: false });
  process.env.KSPRAY_CACHE_DIR = cache;
  const context = await timeAsync(() => buildPlanContext({ cluster: file, pair: PAIR }));
  if (context.value.kind !== 'plan') throw new Error('bench: the generated cluster is already at the target');
  const input = context.value.input;
  const first = timeSync(() => planUpgrade(input));
  const second = timeSync(() => planUpgrade(input));
  const json = timeSync(() => JSON.stringify(first.value, null, 2));
  const steps = first.value.hops.flatMap((hop) => hop.steps);
  report.target('planUpgrade (first call)', first.wallMs, PLAN_TARGET_MS, ms, `CPU ${ms(first.cpuMs)}; ${first.value.hops.length} hops, ${steps.length} steps, ${steps.reduce((n, s) => n + s.hosts.length, 0)} step hosts`);
  report.info('planUpgrade (second call)', ms(second.wallMs));
  report.info('input: buildPlanContext', ms(context.wallMs), 'load + validate the cluster file, catalog, lock file, Ansible (cached); not counted');
  report.info('JSON.stringify of the plan', ms(json.wallMs), `${(json.value.length / 1e6).toFixed(1)} MB; what --json prints`);
  report.flush(`scale: planUpgrade ${PAIR} for a generated ${nodes.toLocaleString('en')}-node model, in-process (tsx)`);
}

export async function runPlanBench(): Promise<void> {
  const runs = numberFlag('--runs', 15);
  const nodes = numberFlag('--nodes', 15_000);
  const report = new BenchReport('plan benchmark');
  report.line(await ensureBuilt());
  const dir = mkdtempSync(join(tmpdir(), 'kspray-bench-plan-'));
  const cache = join(dir, 'cache');
  try {
    await startUp(report, cache, runs);
    await imports(report);
    await scale(report, dir, cache, nodes);
    report.finish();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runPlanBench();
}
