/**
 * PDB-aware worker waves against the serial=1 procedure, for real:
 * `npx tsx bench/waves-apply.ts [--workers 20] [--host-seconds 1] [--repeat 1]`.
 *
 * The Kubespray-shaped fixture repo (real plays, hosts and serial), a k1-like
 * cluster of 3 masters and 20 workers on ansible_connection=local, and a fake
 * Kubernetes API whose PDBs allow five workers at a time
 * (test/fixtures/kube/waves-cluster.ts). Every worker's node upgrade sleeps
 * KSPRAY_FIXTURE_HOST_SECONDS. Each measured run gets a fresh temp dir; the
 * runs alternate so a load spike on this shared machine hits every side.
 *
 *  (a) waves: `kspray apply -c … --to 1.17 --yes --skip-preflight --kubeconfig <fake>
 *      --max-unavailable 5`: the canary and the waves as steps of one ansible-playbook
 *      run (src/plan/wave-run.ts). Worker time = from the canary step's start to the last
 *      worker step's end, read from the run journal (.kspray/state/k1.json:
 *      steps[id].startedAt/endedAt), so kspray's own work around the run counts;
 *      facts, control plane and verify do not. (Preflight is skipped: the fixture
 *      hosts run no etcd, and preflight is not what is measured.)
 *  (b) the serial=1 procedure, as operators run it today once the control plane is done
 *      (`kspray apply --masters-only` does that part; ../shared/field-notes.md step 4):
 *      the canary alone, then the rest of the workers with `-e serial=1`, two plain
 *      ansible-playbook runs of the hop's upgrade playbook in the Kubespray checkout, the
 *      argv taken from `kspray plan --json` with only the limit and serial changed.
 *      Worker time = the two runs' wall times added.
 *  (c) for reference, every worker in ONE serial=1 run (no canary run before it): the
 *      cheapest form of serial=1, one fixed playbook cost less than (b).
 *
 * Prints the worker times, the ratio (a)/(b) (target < 0.40) and (a)/(c), waves
 * achieved vs the lower bound, and PDB breaches two ways: the planned waves
 * through the independent validator, and the workers actually down together
 * (from the fixture journal's timestamps) against the pod placement.
 * No asserts: wall time on a shared machine is a measurement.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { run } from '../src/process/exec.js';
import { loadAverage, median } from './lib/measure.js';
import { gatherClusterFacts } from '../src/kube/facts.js';
import { waveInputFromFacts } from '../src/plan/wave-input.js';
import { pdbBreaches, validateWaves } from '../src/plan/waves-validate.js';
import type { WavePdb, WavePod } from '../src/plan/waves.js';
import type { PlanDocument, PlanStep } from '../src/plan/types.js';
import { startKubeApiServer, type KubeApiServer } from '../test/fixtures/kube-api-server.js';
import { drainedTogether, wavesCluster, workerUpgradePlays } from '../test/fixtures/kube/waves-cluster.js';
import { setupApplyFixture, type ApplyFixture } from '../test/helpers/apply-fixture.js';
import { clusterFromFile } from '../test/helpers/cluster.js';

const TAGS = ['v2.12.10', 'v2.13.4'];
const HOP_TAG = 'v2.13.4';
const MAX_UNAVAILABLE = '5';

// strict: false: run-all.ts passes every bench its shared flags (--strict, --profile, --no-build).
const { values: args } = parseArgs({
  options: { workers: { type: 'string', default: '20' }, 'host-seconds': { type: 'string', default: '1' }, repeat: { type: 'string', default: '1' } },
  strict: false,
});
const WORKERS = Number(args.workers);
const HOST_SECONDS = Number(args['host-seconds']);
const REPEAT = Number(args.repeat);
const generated = wavesCluster({ workers: WORKERS });
const fixtureEnv = { KSPRAY_FIXTURE_HOST_SECONDS: String(HOST_SECONDS) };

interface Measured {
  workerMs: number;
  load: string;
  /** Sets of workers that were down together, from the fixture journal. */
  together: string[][];
  note: string;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** A fresh temp dir, a fixture in it, and the fake API (its Nodes following the fixture's node upgrades) for the run. */
async function withRun<T>(fn: (fx: ApplyFixture, server: KubeApiServer) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'kspray-bench-waves-'));
  try {
    const fx = await setupApplyFixture(dir, { tags: TAGS, workers: WORKERS });
    const server = await startKubeApiServer({ objects: generated.objects, nodeStateDir: fx.stateDir });
    try {
      return await fn(fx, server);
    } finally {
      await server.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function ksprayOk(fx: ApplyFixture, argv: string[], extraEnv: Record<string, string> = {}): Promise<string> {
  const result = await fx.kspray(argv, extraEnv);
  if (result.exitCode !== 0) throw new Error(`kspray ${argv.join(' ')} failed (${result.exitCode}): ${result.stderr.slice(-3000)}`);
  return result.stdout;
}

function together(fx: ApplyFixture): string[][] {
  const plays = workerUpgradePlays(HOP_TAG);
  return drainedTogether(fx.journal().filter((line) => plays.has(line.play) && generated.workers.includes(line.host)), HOST_SECONDS);
}

/** (a) */
async function measureWaves(): Promise<Measured & { waves: string[][]; planned: string[] }> {
  return withRun(async (fx, server) => {
    const load = loadAverage();
    await ksprayOk(fx, ['apply', '-c', fx.clusterFile, '--to', '1.17', '--yes', '--skip-preflight', '--kubeconfig', server.kubeconfigPath, '--max-unavailable', MAX_UNAVAILABLE], fixtureEnv);
    const journal = JSON.parse(readFileSync(join(fx.dir, 'inventories', 'k1', '.kspray', 'state', 'k1.json'), 'utf8')) as {
      plan: PlanDocument; steps: Record<string, { startedAt: string; endedAt: string; durationMs: number }>;
    };
    const steps = journal.plan.hops[0]!.steps.filter((step) => step.kind === 'canary' || step.kind === 'workers');
    const records = steps.map((step) => journal.steps[step.id]!);
    const workerMs = Date.parse(records.at(-1)!.endedAt) - Date.parse(records[0]!.startedAt);
    const waves = steps.map((s) => s.hosts);
    // The independent validator, fed the cluster through the same API path kspray read (it shares no code with the planner).
    const facts = await gatherClusterFacts({ kubeconfigPaths: [server.kubeconfigPath] });
    if (!facts.ok) throw new Error(facts.error.message);
    const input = waveInputFromFacts(await clusterFromFile(fx.clusterFile), facts.value);
    const planned = validateWaves(input.workers, input.pods, input.pdbs, waves, { canary: 1, maxUnavailable: Number(MAX_UNAVAILABLE) });
    const perStep = records.map((r) => (r.durationMs / 1000).toFixed(1)).join(' + ');
    return { workerMs, load, together: together(fx), waves, planned, note: `steps ${perStep} s` };
  });
}

/** The hop's worker step argv without its --limit and serial; the playbook last. */
function baseArgv(step: PlanStep): string[] {
  const argv: string[] = [];
  for (let i = 0; i < step.argv!.length; i++) {
    const arg = step.argv![i]!;
    if (arg === '--limit' || (arg === '-e' && /^(serial=|\{"serial":)/.test(step.argv![i + 1] ?? ''))) i++;
    else argv.push(arg);
  }
  return argv;
}

/** (b) and (c): the control plane through kspray, then the workers in plain ansible-playbook runs, one after the other. */
async function measurePlainRuns(shape: (step: PlanStep, waves: string[][]) => string[][]): Promise<Measured & { argvs: string[][] }> {
  return withRun(async (fx, server) => {
    const load = loadAverage();
    await ksprayOk(fx, ['apply', '-c', fx.clusterFile, '--to', '1.17', '--yes', '--skip-preflight', '--masters-only']);
    const plan = JSON.parse(await ksprayOk(fx, ['plan', '1.16→1.17', '-c', fx.clusterFile, '--json', '--kubeconfig', server.kubeconfigPath, '--max-unavailable', MAX_UNAVAILABLE])) as PlanDocument;
    const workerSteps = plan.hops[0]!.steps.filter((s) => s.kind === 'workers' || s.kind === 'canary');
    const argvs = shape(workerSteps[0]!, workerSteps.map((s) => s.hosts));
    const times: number[] = [];
    for (const argv of argvs) {
      const start = performance.now();
      const result = await run(argv, { cwd: workerSteps[0]!.cwd, env: { ...fx.env, ...fixtureEnv }, reject: false });
      times.push(performance.now() - start);
      if (result.exitCode !== 0) throw new Error(`${argv.join(' ')} failed (${result.exitCode}): ${result.stdout.slice(-3000)}`);
    }
    const workerMs = times.reduce((sum, t) => sum + t, 0);
    return { workerMs, load, together: together(fx), argvs, note: times.map((t) => seconds(t)).join(' + ') };
  });
}

/** The hop's worker command with this --limit and serial. */
function withLimit(step: PlanStep, hosts: readonly string[], serial: number): string[] {
  const argv = baseArgv(step);
  const playbook = argv.pop()!;
  return [...argv, '-e', `serial=${serial}`, playbook, '--limit', hosts.join(',')];
}

/** (b): the canary alone, then the rest one at a time. */
const canaryThenSerialOne = (step: PlanStep, waves: string[][]): string[][] => {
  const canary = waves[0]!;
  const rest = generated.workers.filter((worker) => !canary.includes(worker));
  return [withLimit(step, canary, canary.length), withLimit(step, rest, 1)];
};

/** (c): every worker in one serial=1 run. */
const allSerialOne = (step: PlanStep): string[][] => [withLimit(step, generated.workers, 1)];

const pods: WavePod[] = generated.objects.filter((o) => o.kind === 'Pod').map((o) => ({
  namespace: o.metadata.namespace!, name: o.metadata.name, nodeName: (o.spec as { nodeName: string }).nodeName,
  labels: o.metadata.labels as Record<string, string>, healthy: true,
}));
const pdbs: WavePdb[] = generated.objects.filter((o) => o.kind === 'PodDisruptionBudget').map((o) => ({
  namespace: o.metadata.namespace!, name: o.metadata.name,
  selector: (o.spec as { selector: { matchLabels: Record<string, string> } }).selector, maxUnavailable: 1,
}));

function observedBreaches(runs: Measured[]): string {
  const breaches = runs.flatMap((r) => r.together).flatMap((set) => pdbBreaches(pods, pdbs, set).map((b) => `{${set.join(',')}} ${b}`));
  const most = Math.max(...runs.flatMap((r) => r.together.map((s) => s.length)));
  return `${breaches.length === 0 ? 'none' : [...new Set(breaches)].join('; ')} (most workers down at once: ${most})`;
}

console.log(`waves-apply: ${WORKERS} workers, ${HOST_SECONDS} s per worker upgrade, PDBs allowing ${generated.maxPerWave} workers at a time, ${REPEAT} run(s) each; load ${loadAverage()}`);
const runs = { waves: [] as Array<Awaited<ReturnType<typeof measureWaves>>>, serial: [] as Measured[], oneRun: [] as Measured[] };
for (let i = 0; i < REPEAT; i++) {
  const serial = await measurePlainRuns(canaryThenSerialOne);
  runs.serial.push(serial);
  console.log(`  run ${i + 1} (b) canary, then serial=1: ${seconds(serial.workerMs)}  (${serial.note}; load at start ${serial.load})`);
  const waves = await measureWaves();
  runs.waves.push(waves);
  console.log(`  run ${i + 1} (a) kspray waves:          ${seconds(waves.workerMs)}  (${waves.note}; load at start ${waves.load})`);
  const oneRun = await measurePlainRuns(allSerialOne);
  runs.oneRun.push(oneRun);
  console.log(`  run ${i + 1} (c) one serial=1 run:      ${seconds(oneRun.workerMs)}  (load at start ${oneRun.load})`);
  if (i === 0) console.log(`  (b) argv: ${serial.argvs.map((argv) => argv.join(' ')).join('\n            ')}`);
}
const waves = runs.waves[0]!.waves;
const [a, b, c] = [median(runs.waves.map((r) => r.workerMs)), median(runs.serial.map((r) => r.workerMs)), median(runs.oneRun.map((r) => r.workerMs))];
const planned = runs.waves.flatMap((r) => r.planned);
console.log(`waves: ${waves.map((w) => w.length).join(' + ')} = ${waves.flat().length} workers in ${waves.length} waves (lower bound ${generated.lowerBound}; serial=1 takes ${WORKERS})`);
console.log(`worker time (median): (a) kspray waves ${seconds(a)} [canary start → last wave end, .kspray/state/k1.json]; (b) the serial=1 procedure ${seconds(b)} [its two ansible-playbook runs' wall times]; (c) one serial=1 run ${seconds(c)}`);
console.log(`ratio (a)/(b): ${(a / b).toFixed(3)} (target < 0.40: ${a / b < 0.4 ? 'met' : 'MISSED'}); (a)/(c): ${(a / c).toFixed(3)}`);
console.log(`PDBs broken: planned waves ${planned.length === 0 ? 'none' : planned.join('; ')}`);
console.log(`  observed (a) ${observedBreaches(runs.waves)}; (b) ${observedBreaches(runs.serial)}; (c) ${observedBreaches(runs.oneRun)}`);
console.log(`load at end: ${loadAverage()}`);
