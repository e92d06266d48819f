/**
 * The glue of `kspray apply`: choose the plan (a file, a target, or the one
 * the journal recorded), then either print the selected steps (--dry-run) or
 * run them. The same selection feeds both: there is no dry-run branch deeper down.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { PlanDocument, PlanHop, PlanStep } from '../plan/types.js';
import { PLAN_VERSION } from '../plan/types.js';
import { loadJournal } from '../journal/journal.js';
import { applyPlan, type ApplyDeps, type ApplyResult } from '../apply/apply.js';
import { parseUntil, parseWindows, runDeadline, windowFit, windowGate, type WindowLimits } from '../apply/window.js';
import { buildRunReport } from '../report/run-report.js';
import { buildJUnitXml } from '../report/junit.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { dryRunDocument, formatDryRun } from '../apply/dry-run.js';
import { selectSteps } from '../apply/select-steps.js';
import { prepareHopWorkspace } from '../kubespray/workspace.js';
import { detectAnsibleCached } from '../ansible/version-cache.js';
import { ensureVenv } from '../ansible/venv.js';
import { inRange } from '../catalog/versions.js';
import { ExitCode, UsageError } from '../util/errors.js';
import { cacheDir } from '../util/paths.js';
import type { ApplyCommandOptions } from './apply.js';
import { buildPlanContext, makePlan } from './plan-input.js';
import { loadClusterOrFail } from './load-cluster.js';
import { readLiveFacts, type LiveFacts } from './live-facts.js';
import { controlPlaneAtTarget, verifyFromFacts } from '../apply/verify.js';
import { parseDuration, soakCanary } from '../apply/soak.js';
import { printJson, printStderr, printStdout } from './output.js';

export async function runApplyCommand(versions: string | undefined, options: ApplyCommandOptions): Promise<void> {
  const loaded = await loadClusterOrFail(options.cluster, { checkSecrets: !options.dryRun });
  const baseDir = loaded.baseDir;
  const chosen = await choosePlan(versions, options, baseDir, loaded.cluster.name);
  const plan = chosen.plan;
  // The read the waves were planned from serves --soak and --workers-only too.
  const live = options.soak !== undefined || options.workersOnly ? chosen.live ?? await readLiveFacts(loaded, options) : undefined;
  const select = {
    ...(options.hop === undefined ? {} : { hop: parseHop(options.hop) }),
    mastersOnly: Boolean(options.mastersOnly),
    workersOnly: Boolean(options.workersOnly),
    // --workers-only also trusts the live node versions when the journal does not know the control plane.
    ...(live?.ok ? { controlPlaneUpgraded: (index: number) => plan.hops.some((hop) => hop.index === index && controlPlaneAtTarget(hop, live.facts)) } : {}),
  };
  const soak = soakStep(options, live, () => readLiveFacts(loaded, options));
  const { makeHopGate, parseSkippedChecks } = await import('./preflight.js');
  const skippedChecks = [...parseSkippedChecks(options.skipCheck, options.reason), ...(options.skipPreflight ? [{ id: 'preflight', reason: 'not run (--skip-preflight)' }] : [])];

  if (options.dryRun) {
    const journal = await loadJournal(baseDir, plan.cluster.name);
    const recorded = journal?.plan as PlanDocument | undefined;
    const stateOf = (id: string) => (recorded && samePlan(recorded, plan) ? journal?.steps[id]?.status : undefined);
    const document = dryRunDocument(plan, selectSteps(plan, stateOf, select));
    if (options.json) printJson(document);
    else printStdout(formatDryRun(document));
    return;
  }

  const now = applyClock();
  const limits = windowLimits(options, now());
  if (limits) {
    const deadline = runDeadline(limits, now());
    if (deadline.closes === undefined) {
      // Not an error: a scheduled pipeline that fires outside its window has nothing to do yet.
      if (options.json) printJson({ status: 'outside-window', runId: null, ran: [], alreadyDone: [], reason: deadline.reason });
      printStderr(`not started: ${deadline.reason}; nothing was run`);
      process.exitCode = ExitCode.ok;
      return;
    }
    printStderr(`maintenance window: a step starts only if it should end by ${deadline.closes.toISOString()}`);
  }
  const runBefore = (await loadJournal(baseDir, plan.cluster.name))?.runId;
  const applyOptions = { baseDir, plan, select, breakLock: Boolean(options.breakLock), replan: Boolean(options.replan), command: `kspray apply -c ${options.cluster}`, skippedChecks };
  // The hop's preflight runs first thing in prepareHop: a refusal there ends the run as failed in the journal.
  const preflight = options.skipPreflight ? undefined : makeHopGate({
    plan, cluster: loaded.cluster, clusterFile: options.cluster, baseDir, kubeconfig: options.kubeconfig, context: options.context,
    skipped: skippedChecks, forceAnsible: Boolean(options.forceAnsible), log: printStderr,
  });
  const hopSteps = new Map<number, readonly PlanStep[]>();
  const catalog = (await import('../catalog/load.js')).loadCatalog();
  const deps: ApplyDeps = {
    prepareHop: async (hop) => {
      await preflight?.(hop, hopSteps.get(hop.index) ?? hop.steps);
      await checkAnsible(hop, Boolean(options.forceAnsible));
      const prepared = await prepareHopWorkspace({ hop, cluster: loaded.cluster, clusterBaseDir: baseDir, cacheDir: cacheDir(), allowUnread: options.allowUnread });
      return { env: { ...prepared.env } };
    },
    confirmHop: (hop, steps) => {
      hopSteps.set(hop.index, steps);
      return confirm(hop, steps, Boolean(options.yes));
    },
    ...(limits ? { beforeStep: windowGate(limits, now), fitSteps: windowFit(limits, now) } : {}),
    ...(soak ? { afterStep: soak } : {}),
    cordoningPlays: (tag) => (catalog.tag(tag) ? catalog.cordoningPlays(tag) : []),
    // Verify reads node versions back from the cluster where one is configured, else from the playbook results.
    verifyHop: async (hop) => {
      const facts = await readLiveFacts(loaded, options);
      if (facts.ok) return verifyFromFacts(hop, facts.facts);
      printStderr(`verify: ${facts.reason}; checking the playbook results instead`);
      return undefined;
    },
    log: printStderr,
    now,
  };
  let result: ApplyResult;
  try {
    result = await applyPlan(applyOptions, deps);
  } finally {
    await writeRunReports(options, baseDir, plan.cluster.name, runBefore);
  }
  const summary = { status: result.status, runId: result.runId ?? null, ran: result.ran, alreadyDone: result.skipped, ...(result.status === 'stopped' ? { reason: result.reason } : {}) };
  if (options.json) printJson(summary);
  if (result.status === 'nothing-to-do') {
    printStderr(`nothing to do: every step of the plan (${plan.from.version} → ${plan.to.version}) is done. Record the new state in ${options.cluster}: kubernetes.version ${plan.to.version}, kubespray.tag ${plan.hops.at(-1)?.tag}`);
  } else if (result.status === 'declined') {
    printStderr('stopped before the hop: nothing was run; the journal resumes here next time');
  } else if (result.status === 'stopped') {
    printStderr(`stopped at a step boundary: ${result.reason}; the next run resumes there`);
  } else {
    printStderr(`done: ${result.ran.length} step(s) ran${select.mastersOnly ? ' (control plane only; next: --workers-only)' : ''}`);
  }
  process.exitCode = ExitCode.ok;
}

async function choosePlan(versions: string | undefined, options: ApplyCommandOptions, baseDir: string, cluster: string): Promise<{ plan: PlanDocument; live?: LiveFacts | undefined }> {
  if (options.plan) {
    if (versions || options.to) throw new UsageError('--plan runs a plan file as it is: do not combine it with a target version');
    return { plan: await readPlanFile(options.plan, cluster) };
  }
  if (versions || options.to) {
    const context = await buildPlanContext({ ...options, pair: versions });
    return { plan: makePlan(context), live: context.live };
  }
  const journal = await loadJournal(baseDir, cluster);
  if (journal?.plan) return { plan: journal.plan as PlanDocument };
  throw new UsageError('no target and no recorded plan to resume', 'pass --to VERSION (e.g. --to 1.18), FROM→TO, or --plan FILE');
}

async function readPlanFile(path: string, cluster: string): Promise<PlanDocument> {
  let document: PlanDocument;
  try {
    document = JSON.parse(await readFile(resolve(path), 'utf8')) as PlanDocument;
  } catch (error) {
    throw new UsageError(`cannot read the plan ${path}: ${(error as Error).message}`, 'write one with `kspray plan … --output FILE`');
  }
  if (document?.planVersion !== PLAN_VERSION || !Array.isArray(document.hops)) {
    throw new UsageError(`${path} is not a kspray plan of version ${PLAN_VERSION}`, 'make the plan again with this kspray: `kspray plan … --output FILE`');
  }
  if (document.cluster?.name !== cluster) throw new UsageError(`${path} is a plan for cluster ${document.cluster?.name}, not ${cluster}`);
  return document;
}

function samePlan(a: PlanDocument, b: PlanDocument): boolean {
  return JSON.stringify(a.hops.map((h) => h.steps.map((s) => s.argv))) === JSON.stringify(b.hops.map((h) => h.steps.map((s) => s.argv)));
}

/** `--soak`: after the canary step, watch the canary nodes for the duration; needs the cluster API. */
function soakStep(options: ApplyCommandOptions, live: LiveFacts | undefined, readFacts: () => Promise<LiveFacts>): ApplyDeps['afterStep'] {
  if (options.soak === undefined) return undefined;
  const durationMs = parseDuration(options.soak);
  if (durationMs === undefined) throw new UsageError(`--soak ${options.soak} is not a duration`, 'write e.g. --soak 30s, --soak 10m or --soak 1h');
  if (live && !live.ok && !options.dryRun) throw new UsageError(`--soak needs the cluster API: ${live.reason}`, 'pass --kubeconfig (or set KUBECONFIG) so kspray can watch the canary');
  return async (step, note) => {
    if (step.kind !== 'canary') return { ok: true };
    const result = await soakCanary({
      nodes: step.hosts, durationMs, intervalMs: Math.min(15_000, Math.max(1_000, durationMs / 4)),
      readFacts, now: () => Date.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)), onCheck: note,
    });
    return result.ok ? { ok: true } : { ok: false, reason: `canary regression during the soak: ${result.problems.join('; ')}` };
  };
}

function parseHop(text: string): number {
  if (!/^[1-9]\d*$/.test(text)) throw new UsageError(`--hop ${text} is not a hop number`, 'hops are numbered from 1, as `kspray plan` shows them');
  return Number(text);
}

async function checkAnsible(hop: PlanHop, force: boolean): Promise<void> {
  if (hop.ansible.mode === 'venv') {
    const requirementsFile = resolve(hop.workspace.kubesprayDir, 'requirements.txt');
    await ensureVenv({ cacheDir: cacheDir(), line: hop.line, requirementsFile });
    return;
  }
  const local = await detectAnsibleCached(cacheDir());
  if (!local) throw new UsageError('ansible-playbook is not on PATH', 'install Ansible, or set kubespray.ansible: venv in the cluster file');
  if (inRange(local.version, hop.ansible.range) || force) {
    if (!inRange(local.version, hop.ansible.range)) printStderr(`warning: Ansible ${local.version} is outside ${hop.tag}'s range; running anyway (--force-ansible)`);
    return;
  }
  const { min_inclusive: min, max_exclusive: max } = hop.ansible.range;
  throw new UsageError(
    `Kubespray ${hop.tag} needs Ansible ${min ? `>= ${min}` : ''}${min && max ? ' and ' : ''}${max ? `< ${max}` : ''} (pins ${hop.ansible.pins.join(', ')}), but ${local.executable} is ${local.version}`,
    'set kubespray.ansible: venv in the cluster file (kspray then installs the pinned Ansible per line), or pass --force-ansible to run anyway',
  );
}

async function confirm(hop: PlanHop, steps: readonly PlanStep[], yes: boolean): Promise<boolean> {
  const question = `Hop ${hop.index}: Kubespray ${hop.tag}, Kubernetes ${hop.fromVersion} → ${hop.toVersion}, ${steps.length} step(s) (${steps.map((s) => s.kind).join(', ')}). Run it? [y/N] `;
  if (yes) return true;
  if (!process.stdin.isTTY) throw new UsageError('not at a terminal and --yes not given: kspray will not start an upgrade unasked', 'pass --yes to run unattended (scheduled pipelines, CI)');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

/**
 * The clock apply runs on. KSPRAY_NOW (an ISO time) is a test hook only: the
 * clock starts there and runs on in real time, so window tests need not wait
 * for Saturday night. Unset, it is the real clock.
 */
function applyClock(): () => Date {
  const anchor = process.env.KSPRAY_NOW === undefined ? Number.NaN : Date.parse(process.env.KSPRAY_NOW);
  if (!Number.isFinite(anchor)) return () => new Date();
  const started = Date.now();
  return () => new Date(anchor + (Date.now() - started));
}

function windowLimits(options: ApplyCommandOptions, now: Date): WindowLimits | undefined {
  if (options.window === undefined && options.until === undefined) return undefined;
  if (!options.yes) throw new UsageError('--window and --until are for unattended runs: add --yes', 'a maintenance window runs without asking before each hop');
  return {
    ...(options.window === undefined ? {} : { windows: parseWindows(options.window) }),
    ...(options.until === undefined ? {} : { until: parseUntil(options.until, now) }),
  };
}

/**
 * --report / --junit: written from the journal after every run this command
 * started, whatever its end (done, failed, stopped, interrupted), and when
 * there was nothing to do (the last run's); never for a run still going. A report that
 * cannot be written is a warning: it must not hide the run's own outcome.
 */
async function writeRunReports(options: ApplyCommandOptions, baseDir: string, cluster: string, runBefore: string | undefined): Promise<void> {
  if (options.report === undefined && options.junit === undefined) return;
  try {
    const journal = await loadJournal(baseDir, cluster);
    if (!journal) return;
    const current = journal.runs.find((run) => run.runId === journal.runId);
    // Locked out by a live run: its report is that run's to write.
    if (journal.runId === runBefore && current?.status === 'running') return;
    const report = buildRunReport(journal);
    if (options.report !== undefined) await writeFileAtomic(resolve(options.report), `${JSON.stringify(report, null, 2)}\n`);
    if (options.junit !== undefined) await writeFileAtomic(resolve(options.junit), buildJUnitXml(report));
    if (journal.runId === runBefore) printStderr('no new run: the reports describe the last recorded run');
  } catch (error) {
    printStderr(`warning: could not write the run report: ${(error as Error).message}`);
  }
}
