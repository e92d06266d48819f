/**
 * The glue of `kspray apply`: plan the request (a target, a reviewed plan
 * file, or the journal's unfinished plan) from where the cluster is, refuse
 * a plan file or a recorded plan that is not what kspray plans today, then
 * either print the selected steps (--dry-run) or run them through the engine,
 * whose events the views show (apply-views.ts). The same selection feeds
 * both: there is no dry-run branch deeper down. Every outcome ends in one
 * --json document and a line on stderr that says what to do.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { PlanDocument, PlanHop, PlanStep } from '../plan/types.js';
import { PLAN_VERSION } from '../plan/plan-version.js';
import { loadJournal } from '../journal/journal.js';
import { applyPlan, type ApplyDeps, type ApplyResult, type GateVerdict } from '../apply/apply.js';
import { createEventBus } from '../apply/events.js';
import { estimateInputOf, estimateStepMs } from '../apply/estimate.js';
import { parseUntil, parseWindows } from '../apply/window-spec.js';
import { runDeadline, type WindowLimits } from '../apply/window-calendar.js';
import { windowFit, windowGate } from '../apply/window-gate.js';
import { buildRunReport } from '../report/run-report.js';
import { buildJUnitXml } from '../report/junit.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { dryRunDocument, formatDryRun } from '../apply/dry-run.js';
import { selectSteps } from '../apply/select-steps.js';
import { prepareHopWorkspace } from '../kubespray/workspace.js';
import { detectAnsibleCached } from '../ansible/version-cache.js';
import { ensureVenv } from '../ansible/venv.js';
import { inRange } from '../catalog/versions.js';
import { planDifferences, samePlan } from '../plan/identity.js';
import { parsePlanDocument } from '../plan/plan-schema.js';
import { recordClusterVersion } from '../model/record-version.js';
import { ExitCode, UsageError } from '../util/errors.js';
import { cacheDir } from '../util/paths.js';
import type { ApplyCommandOptions } from './apply.js';
import { buildPlanContext, type PlanContext } from './plan-input.js';
import { readLiveFacts } from './live-facts.js';
import { openClusterSide } from './cluster-side.js';
import { CHECK_IDS } from '../preflight/registry.js';
import { checkGateWaivers, parseWaivers, type Waivers } from './waivers.js';
import { controlPlaneAtTarget, verifyFromFacts } from '../apply/verify.js';
import { printJson, printStderr, printStdout } from './output.js';
import { onStopSignals, openViews } from './apply-views.js';
import { gateChecker, kubeAccess, soakStep } from './apply-watch.js';
import { formatArgv } from '../process/exec-error.js';

export async function runApplyCommand(versions: string | undefined, options: ApplyCommandOptions, rawArgs: readonly string[]): Promise<void> {
  const waivers = waiversOf(options, rawArgs);
  const now = applyClock();
  const limits = windowLimits(options, now());
  if (!options.dryRun && !options.yes && !process.stdin.isTTY) {
    throw new UsageError('not at a terminal and --yes not given: kspray will not start an upgrade unasked', 'pass --yes to run unattended (scheduled pipelines, CI)');
  }
  if (options.plan && (versions || options.to)) throw new UsageError('--plan runs a reviewed plan file: do not combine it with a target version', 'pass either --plan FILE or a target');
  const planFile = options.plan ? { path: options.plan, plan: await readPlanFile(options.plan) } : undefined;
  const built = await buildPlanContext({ ...options, pair: versions, planFile, replan: Boolean(options.replan), noClusterApi: waivers.noClusterApi !== undefined });
  for (const line of built.state.sources) printStderr(`where the cluster is: ${line}`);
  if (built.kind === 'already') {
    if (options.json) printJson({ status: 'already-at', exitCode: ExitCode.ok, cluster: built.loaded.cluster.name, version: built.version, tag: built.tag ?? null, ran: [] });
    printStderr(`${built.loaded.cluster.name} already runs ${built.version}${built.tag ? ` (Kubespray ${built.tag})` : ''}: nothing to do`);
    return;
  }
  const context = built;
  checkAgainstReviewed(context, planFile);
  const plan = context.plan;
  const { loaded } = context;
  const baseDir = loaded.baseDir;
  checkGateWaivers(plan, waivers);
  if (waivers.noClusterApi === undefined && context.live && !context.live.ok) {
    printStderr(`warning: the cluster API is not reachable (${context.live.reason}): the preflight blocks before any hop (no API, no drain)`);
  }
  // The read the plan was made with serves --soak and --workers-only too.
  const live = context.live;
  const select = {
    ...(options.hop === undefined ? {} : { hop: parseHop(options.hop) }),
    mastersOnly: Boolean(options.mastersOnly),
    workersOnly: Boolean(options.workersOnly),
    // --workers-only also trusts the live node versions when the journal does not know the control plane.
    ...(live?.ok ? { controlPlaneUpgraded: (index: number) => plan.hops.some((hop) => hop.index === index && controlPlaneAtTarget(hop, live.facts)) } : {}),
  };
  const access = waivers.noClusterApi === undefined ? kubeAccess(loaded, options) : undefined;
  const soak = await soakStep(options, live, waivers.noClusterApi, access);

  if (options.dryRun) {
    const journal = context.journal;
    const stateOf = (id: string) => (journal && samePlan(journal.plan, plan) ? journal.steps[id]?.status : undefined);
    const document = dryRunDocument(plan, selectSteps(plan, stateOf, select));
    if (options.json) printJson(document);
    else printStdout(formatDryRun(document));
    return;
  }

  if (limits) {
    const deadline = runDeadline(limits, now());
    if (deadline.closes === undefined) {
      // Not an error: a scheduled pipeline that fires outside its window has nothing to do yet.
      if (options.json) printJson({ status: 'outside-window', exitCode: ExitCode.ok, runId: null, ran: [], alreadyDone: [], reason: deadline.reason });
      printStderr(`not started: ${deadline.reason}; nothing was run`);
      return;
    }
    printStderr(`maintenance window: a step starts only if it should end by ${deadline.closes.toISOString()}`);
  }
  const runBefore = context.journal?.runId;
  const bus = createEventBus(now);
  const note = (text: string): void => bus.emit({ type: 'note', text, stepId: null });
  const gate = await hopGate(context, options, waivers, note);
  const catalog = context.catalog;
  const checker = await gateChecker(plan, loaded, access);
  const stop = new AbortController();
  const immediate = new AbortController();
  const deps: ApplyDeps = {
    gateHop: gate,
    confirmHop: (hop, steps, summary, signal) => (options.yes ? Promise.resolve(true) : views.aside(() => confirm(hop, steps, summary, signal))),
    prepareHop: async (hop) => {
      await checkAnsible(hop, Boolean(options.forceAnsible), note);
      const prepared = await prepareHopWorkspace({ hop, cluster: loaded.cluster, clusterBaseDir: baseDir, cacheDir: cacheDir(), allowUnread: options.allowUnread });
      return { env: { ...prepared.env } };
    },
    hopFinished: async (hop, say) => {
      try {
        const { changes } = await recordClusterVersion(loaded.file, { version: hop.toVersion, tag: hop.tag });
        if (changes.length > 0) say(`hop ${hop.index} done: updated ${options.cluster}: ${changes.join(', ')}`);
      } catch (error) {
        say(`warning: hop ${hop.index} is done but ${options.cluster} could not be updated (${(error as Error).message}): set kubernetes.version: ${hop.toVersion} and kubespray.tag: ${hop.tag} in it (the journal records them; kspray refuses to plan while the two disagree)`);
      }
    },
    ...(limits ? { beforeStep: windowGate(limits, now), fitSteps: windowFit(limits, now) } : {}),
    ...(soak ? { afterStep: soak } : {}),
    estimateStep: (step, journal) => estimateStepMs(step, estimateInputOf(journal)),
    cordoningPlays: (tag) => (catalog.tag(tag) ? catalog.cordoningPlays(tag) : []),
    ...(checker ? { checkGate: (planned, gateContext) => checker.check(planned, gateContext) } : {}),
    // Verify reads node versions back from the cluster where one is configured, else from the playbook results.
    verifyHop: async (hop, say) => {
      if (waivers.noClusterApi !== undefined) return undefined;
      const facts = await readLiveFacts(loaded, options);
      if (facts.ok) return verifyFromFacts(hop, facts.facts);
      say(`verify: ${facts.reason}; checking the playbook results instead`);
      return undefined;
    },
    signal: immediate.signal,
    stop: stop.signal,
    emit: bus.emit,
    now,
  };
  // State where every client sees it: the Lease and the journal's copy in the cluster, when the API answers.
  const side = waivers.noClusterApi === undefined && context.live?.ok ? await openClusterSide(loaded, options, note) : undefined;
  if (side) {
    deps.holdClusterLock = (runId) => side.lock(runId, (message) => {
      note(`${message}: stopping, another run may drive the cluster now`);
      immediate.abort('SIGTERM');
    });
    deps.journalSaved = (text, runId) => side.mirror(text, runId);
  }
  if (context.journalFromCluster !== undefined) {
    // A machine with no (or an older) journal goes on from the cluster's: it becomes the local journal.
    await writeFileAtomic(context.journalPath, context.journalFromCluster, { mode: 0o600 });
  }
  const views = await openViews(bus, { events: options.events });
  const stopSignals = onStopSignals(stop, immediate);
  let result: ApplyResult;
  try {
    result = await applyPlan({
      baseDir, plan, select, breakLock: Boolean(options.breakLock), replan: Boolean(options.replan), command: `kspray apply -c ${options.cluster}`,
      skippedChecks: waivers.skippedChecks, skippedGates: waivers.skippedGates, noClusterApi: waivers.noClusterApi,
      ...(waivers.noEtcdSnapshot === undefined ? {} : { waived: { 'etcd-snapshot': waivers.noEtcdSnapshot } }),
      resumeCommand: resumeCommand(options, waivers),
    }, deps);
  } finally {
    stopSignals();
    checker?.close();
    await side?.close();
    await views.close();
    await writeRunReports(options, baseDir, plan.cluster.name, runBefore);
  }
  report(result, options, plan, select.mastersOnly);
}

/**
 * The command that resumes a run that stopped: the same cluster file and
 * cluster access, no target (the journal's unfinished plan), the waivers
 * given (with their reasons: the operator decides again whether they hold).
 */
function resumeCommand(options: ApplyCommandOptions, waivers: Waivers): string {
  return formatArgv([
    'kspray', 'apply', '-c', options.cluster,
    ...(options.kubeconfig ? ['--kubeconfig', options.kubeconfig] : []), ...(options.context ? ['--context', options.context] : []),
    ...(options.yes ? ['--yes'] : []),
    ...waivers.skippedChecks.filter((check) => check.id !== 'preflight').flatMap((check) => ['--skip-check', check.id, '--reason', check.reason]),
    ...waivers.skippedGates.flatMap((gate) => ['--skip-gate', gate.name, '--reason', gate.reason]),
    ...(options.skipPreflight ? ['--skip-preflight'] : []),
    ...(waivers.noClusterApi !== undefined ? ['--no-cluster-api', '--reason', waivers.noClusterApi] : []),
    ...(waivers.noEtcdSnapshot !== undefined ? ['--no-etcd-snapshot', '--reason', waivers.noEtcdSnapshot] : []),
    ...(options.allowUnread ?? []).flatMap((name) => ['--allow-unread', name]),
  ]);
}

/** What the run's outcome says, on stderr and in the one --json document; the exit code per the contract. */
function report(result: ApplyResult, options: ApplyCommandOptions, plan: PlanDocument, mastersOnly: boolean): void {
  const failure = 'failure' in result ? result.failure : undefined;
  const exitCode = failure?.exitCode ?? ExitCode.ok;
  const where = result.journal?.clusterState;
  if (options.json) {
    printJson({
      status: result.status, exitCode, runId: result.runId ?? null, ran: result.ran, alreadyDone: result.skipped,
      cluster: { name: plan.cluster.name, version: where?.version ?? plan.from.version, tag: where?.tag ?? plan.from.tag },
      ...(result.status === 'stopped' ? { reason: result.reason } : {}),
      ...(failure ? {
        failedStep: failure.stepId, hop: failure.hop, failedHosts: failure.failedHosts, message: failure.message, hint: failure.hint, logPath: failure.logPath,
        failedTasks: failure.failedTasks, gate: failure.gate, atBoundary: failure.atBoundary, resumeCommand: failure.resumeCommand,
      } : {}),
    });
  }
  if (result.status === 'nothing-to-do') {
    printStderr(`nothing to do: every step of the plan (${plan.from.version} → ${plan.to.version}) is done`);
  } else if (result.status === 'stopped') {
    printStderr(`stopped at a step boundary: ${result.reason}; the next run resumes there`);
  } else if (result.status === 'succeeded') {
    printStderr(`done: ${result.ran.length} step(s) ran${mastersOnly ? ' (control plane only; next: --workers-only)' : ''}`);
  } else if (failure) {
    printStderr(`${result.status === 'declined' ? '' : 'kspray: '}${failure.message}\n  ${failure.hint}`);
  }
  process.exitCode = exitCode;
}

/**
 * A plan file is what a person reviewed; the journal's plan is what ran so
 * far. Neither is run: kspray planned the same request again from today's
 * inputs, and runs only when the result is that plan.
 */
function checkAgainstReviewed(context: PlanContext, planFile: { path: string; plan: PlanDocument } | undefined): void {
  if (planFile) {
    const differences = planDifferences(planFile.plan, context.plan);
    if (differences.length > 0) {
      throw new UsageError(
        `${planFile.path} is not what kspray plans for it today, so nothing runs:\n${differences.map((line) => `    ${line}`).join('\n')}`,
        'review the plan again: `kspray plan … --output FILE`, then apply that file',
        { differences },
      );
    }
  }
  if (context.mode === 'resume' && context.drift.length > 0) {
    throw new UsageError(
      `the journal's unfinished plan (${context.plan.from.version} → ${context.plan.to.version}) is not what kspray plans for it today, so it does not resume:\n${context.drift.map((line) => `    ${line}`).join('\n')}`,
      'undo the change to resume, or pass --replan to plan afresh from where the cluster is',
      { differences: context.drift },
    );
  }
}

async function readPlanFile(path: string): Promise<PlanDocument> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(resolve(path), 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : error instanceof SyntaxError ? `not JSON (${error.message})` : (error as Error).message;
    throw new UsageError(`cannot read the plan ${path}: ${reason}`, 'write one with `kspray plan … --output FILE`');
  }
  const version = (data as { planVersion?: unknown } | null)?.planVersion;
  const parsed = parsePlanDocument(data);
  if (!parsed.ok) {
    throw new UsageError(
      typeof version === 'number' && version !== PLAN_VERSION ? `${path} is a kspray plan of version ${version}; this kspray reads version ${PLAN_VERSION}` : `${path} is not a kspray plan: ${parsed.problems.join('; ')}`,
      'make the plan again with this kspray: `kspray plan … --output FILE`',
    );
  }
  return parsed.plan;
}

/**
 * The waivers of this apply (waivers.ts: each --reason right after what it
 * explains), checked against what the run can honour.
 */
function waiversOf(options: ApplyCommandOptions, rawArgs: readonly string[]): Waivers {
  const waivers = parseWaivers(rawArgs, CHECK_IDS);
  if (waivers.noClusterApi !== undefined && options.soak !== undefined) throw new UsageError('--soak watches the canary through the cluster API: it cannot run with --no-cluster-api');
  return { ...waivers, skippedChecks: [...waivers.skippedChecks, ...(options.skipPreflight ? [{ id: 'preflight', reason: 'not run (--skip-preflight)' }] : [])] };
}

/**
 * The preflight gate before each hop. A hop started fresh gets every check;
 * a hop resumed half way gets the API and the budgets (the rest describe the
 * cluster kspray itself half upgraded, and were checked when the hop
 * started). --skip-preflight leaves the API check alone: no API, no drain,
 * unless waived with --no-cluster-api.
 */
async function hopGate(context: PlanContext, options: ApplyCommandOptions, waivers: Waivers, log: (text: string) => void): Promise<(hop: PlanHop, steps: readonly PlanStep[]) => Promise<GateVerdict>> {
  const { makeHopGate } = await import('./preflight.js');
  return makeHopGate({
    plan: context.plan, cluster: context.loaded.cluster, clusterFile: options.cluster, baseDir: context.loaded.baseDir, catalog: context.catalog,
    kubeconfig: options.kubeconfig, context: options.context, skipped: waivers.skippedChecks, forceAnsible: Boolean(options.forceAnsible),
    noClusterApi: waivers.noClusterApi, skipPreflight: Boolean(options.skipPreflight), allowUnread: options.allowUnread, log,
  });
}

function parseHop(text: string): number {
  if (!/^[1-9]\d*$/.test(text)) throw new UsageError(`--hop ${text} is not a hop number`, 'hops are numbered from 1, as `kspray plan` shows them');
  return Number(text);
}

async function checkAnsible(hop: PlanHop, force: boolean, note: (text: string) => void): Promise<void> {
  if (hop.ansible.mode === 'venv') {
    const requirementsFile = resolve(hop.workspace.kubesprayDir, 'requirements.txt');
    await ensureVenv({ cacheDir: cacheDir(), line: hop.line, requirementsFile });
    return;
  }
  const local = await detectAnsibleCached(cacheDir());
  if (!local) throw new UsageError('ansible-playbook is not on PATH', 'install Ansible, or set kubespray.ansible: venv in the cluster file');
  if (inRange(local.version, hop.ansible.range) || force) {
    if (!inRange(local.version, hop.ansible.range)) note(`warning: Ansible ${local.version} is outside ${hop.tag}'s range; running anyway (--force-ansible)`);
    return;
  }
  const { min_inclusive: min, max_exclusive: max } = hop.ansible.range;
  throw new UsageError(
    `Kubespray ${hop.tag} needs Ansible ${min ? `>= ${min}` : ''}${min && max ? ' and ' : ''}${max ? `< ${max}` : ''} (pins ${hop.ansible.pins.join(', ')}), but ${local.executable} is ${local.version}`,
    'set kubespray.ansible: venv in the cluster file (kspray then installs the pinned Ansible per line), or pass --force-ansible to run anyway',
  );
}

async function confirm(hop: PlanHop, steps: readonly PlanStep[], gate: string | undefined, signal?: AbortSignal): Promise<boolean> {
  const question = `Hop ${hop.index}: Kubespray ${hop.tag}, Kubernetes ${hop.fromVersion} → ${hop.toVersion}, ${steps.length} step(s) (${steps.map((s) => s.kind).join(', ')}).${gate ? `\nPreflight: ${gate}` : ''}\nRun it? [y/N] `;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question, signal ? { signal } : {})).trim());
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
  if (!options.yes && !options.dryRun) throw new UsageError('--window and --until are for unattended runs: add --yes', 'a maintenance window runs without asking before each hop');
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
