/**
 * Apply benchmark: `node --import tsx bench/apply.ts`.
 *
 * A two-hop k1 upgrade (1.16 → 1.17 → 1.18: v2.13.4 then v2.14.2) on the
 * Kubespray-shaped fixture repo of the integration tests (real git, real
 * ansible-playbook on ansible_connection=local; the fixture's plays only write
 * a journal line per host), run as users run it:
 * `node bin/kspray.js apply -c … --to 1.18 --yes --skip-preflight
 * --no-cluster-api --reason … --no-etcd-snapshot --reason …` (the fixture's
 * hosts run no etcd, so etcd-health would block and there is nothing to
 * snapshot, and there is no API to read).
 * Prints the total wall time, every step's playbook time (from the run
 * journal `.kspray/state/k1.json`: each host result carries the
 * ansible-playbook process's duration) and kspray's own time around them:
 * (total − Σ playbook) / steps. Target: under 1 s of kspray per step.
 *
 * Flags: --strict, --no-build, --keep (keep the temp dir to read the logs).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setupApplyFixture } from '../test/helpers/apply-fixture.js';
import { BenchReport, mb, ms, timeAsync } from './lib/measure.js';
import { ensureBuilt, ksprayArgv, measureProcess } from './lib/proc.js';

const TAGS = ['v2.12.10', 'v2.13.4', 'v2.14.2'];
const PER_STEP_TARGET_MS = 1000;

/** The parts of a journal step this bench reads (the journal schema is src/journal/journal-schema.ts). */
interface JournalStep {
  status: string;
  hop: number;
  kind: string;
  startedAt?: string;
  endedAt?: string;
  durationMs?: number;
  hosts: Record<string, { durationMs?: number }>;
}

interface JournalFile {
  stepOrder: string[];
  steps: Record<string, JournalStep>;
}

interface StepTiming {
  id: string;
  step: JournalStep;
  /** ansible-playbook's own wall time; 0 for steps that run none (verify without a cluster API). */
  playbookMs: number;
  stepMs: number;
  /** kspray's time between the previous step's end (or the process start) and this step's start. */
  gapMs: number;
}

function stepTimings(journal: JournalFile, processStart: number): StepTiming[] {
  let previousEnd = processStart;
  return journal.stepOrder.map((id) => {
    const step = journal.steps[id];
    if (!step) throw new Error(`journal lists step ${id} but has no record of it`);
    const started = step.startedAt ? Date.parse(step.startedAt) : previousEnd;
    const ended = step.endedAt ? Date.parse(step.endedAt) : started;
    const hostDurations = Object.values(step.hosts).map((host) => host.durationMs ?? 0);
    const timing = {
      id, step,
      playbookMs: hostDurations.length > 0 ? Math.max(...hostDurations) : 0,
      stepMs: step.durationMs ?? ended - started,
      gapMs: started - previousEnd,
    };
    previousEnd = ended;
    return timing;
  });
}

export async function runApplyBench(): Promise<void> {
  const report = new BenchReport('apply benchmark: k1 1.16 → 1.18 (two hops) on the Kubespray-shaped fixture');
  report.line(await ensureBuilt());
  const dir = mkdtempSync(join(tmpdir(), 'kspray-bench-apply-'));
  try {
    const setup = await timeAsync(() => setupApplyFixture(dir, { tags: TAGS }));
    const fx = setup.value;
    report.line(`fixture: tags ${TAGS.join(', ')}, 3 control-plane/etcd + 5 workers, built and catalog refreshed in ${ms(setup.wallMs)} (not counted)`);
    // The Ansible version detection is cached across runs; a plan first fills the cache as a returning operator's would be.
    const warm = await fx.kspray(['plan', '--to', '1.18', '-c', fx.clusterFile, '--json']);
    if (warm.exitCode !== 0) throw new Error(`kspray plan exited ${warm.exitCode}: ${warm.stderr}`);
    report.line('Ansible version cache: warmed by one `kspray plan --to 1.18` before timing');
    // The preflight checks need what the fixture has not (etcd, kubeadm on the
    // hosts: etcd-health blocks); this bench times the apply engine around the
    // upgrade playbooks, so it skips them where the CLI has the flag.
    const help = await fx.kspray(['apply', '--help']);
    const skip = `${help.stdout}${help.stderr}`.includes('--skip-preflight') ? ['--skip-preflight'] : [];
    // No API and no etcd either: without these waivers apply refuses to drain blind or to go on without a snapshot.
    const waivers = ['--no-cluster-api', '--reason', 'bench: the fixture has no API', '--no-etcd-snapshot', '--reason', 'bench: the fixture hosts run no etcd'];
    const args = ['apply', '-c', fx.clusterFile, '--to', '1.18', '--yes', ...skip, ...waivers];
    report.line(`timing: node bin/kspray.js ${args.join(' ').replace(dir, '$TMP')}`);

    const processStart = Date.now();
    const result = await measureProcess(ksprayArgv(args), { cwd: dir, env: fx.env, usage: true });
    const processEnd = processStart + result.wallMs;
    if (result.exitCode !== 0) throw new Error(`kspray apply exited ${result.exitCode}:\n${result.stderr.split('\n').slice(-15).join('\n')}`);

    const journal = JSON.parse(readFileSync(join(dirname(fx.clusterFile), '.kspray', 'state', 'k1.json'), 'utf8')) as JournalFile;
    const steps = stepTimings(journal, processStart);
    const playbookMs = steps.reduce((sum, s) => sum + s.playbookMs, 0);
    const overheadMs = result.wallMs - playbookMs;
    const lastEnd = steps.length > 0 ? Date.parse(steps.at(-1)!.step.endedAt ?? '') : processStart;

    const width = Math.max(...steps.map((s) => s.id.length));
    report.line(`steps (from the journal; playbook = the ansible-playbook process, step = journal start → end, gap = kspray before the step):`);
    for (const s of steps) {
      const hosts = Object.keys(s.step.hosts).length;
      report.line(`  ${s.id.padEnd(width)}  ${s.step.status.padEnd(9)} ${String(hosts).padStart(2)} hosts  playbook ${ms(s.playbookMs).padStart(9)}  step ${ms(s.stepMs).padStart(9)}  gap ${ms(s.gapMs).padStart(8)}`);
    }
    report.info('total wall time', ms(result.wallMs), result.cpuMs === undefined ? '' : `CPU ${ms(result.cpuMs)} in kspray's process tree, Ansible included`);
    report.info('Σ ansible-playbook', ms(playbookMs), `${steps.filter((s) => s.playbookMs > 0).length} playbook runs`);
    report.info('kspray overhead', ms(overheadMs), `total − Σ playbook`);
    report.info('  before the first step', ms(steps[0]?.gapMs ?? 0), `start-up, plan, ${skip.length > 0 ? '' : 'preflight, '}hop 1 workspace and render`);
    const largest = steps.slice(1).reduce<StepTiming | undefined>((max, s) => (max === undefined || s.gapMs > max.gapMs ? s : max), undefined);
    report.info('  between steps', ms(steps.slice(1).reduce((sum, s) => sum + s.gapMs, 0)), largest ? `largest ${ms(largest.gapMs)} before ${largest.id}` : '');
    report.info('  inside steps, around the playbook', ms(steps.reduce((sum, s) => sum + s.stepMs - s.playbookMs, 0)), 'journal writes, event and recap parsing');
    report.info('  after the last step', ms(Number.isFinite(lastEnd) ? processEnd - lastEnd : 0), 'final journal, report, exit');
    if (result.peakRssKb !== undefined) report.info('peak RSS (largest process of the tree)', mb(result.peakRssKb));
    report.target('kspray overhead per step', overheadMs / steps.length, PER_STEP_TARGET_MS, ms, `${steps.length} steps`);
    report.finish();
  } finally {
    if (process.argv.includes('--keep')) console.log(`  kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runApplyBench();
}
