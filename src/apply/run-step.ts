/**
 * Runs one plan step: ansible-playbook with kspray's event callback, folded
 * into per-host progress and a per-host result. A step that Ansible reports
 * as fine but where no host ran anything is a failure too: that is what an
 * inventory in the wrong group dialect looks like. A failure names, per
 * failed host, the play, the task and Ansible's message; a run stopped at a
 * batch boundary (run-control.ts) is an interruption with no host in flight.
 */
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { runPlaybook } from '../ansible/playbook.js';
import { parseCacheCleanupResult } from '../preflight/caches.js';
import { inFlight, initialProgress, reduceProgress, type ProgressState } from '../ansible/host-progress.js';
import type { AnsibleEvent } from '../ansible/events.js';
import type { RunControl } from '../ansible/run-control.js';
import type { PlaybookOutcome, Recap } from '../ansible/recap.js';
import type { HostResultInput } from '../journal/journal.js';
import type { PlanHop, PlanStep } from '../plan/types.js';
import { parseSnapshotResult, type EtcdSnapshot } from '../etcd/snapshot.js';

/** Where a host failed: what `kspray apply` says once, on failure. */
export interface FailedTask {
  host: string;
  play: string | null;
  task: string | null;
  /** Ansible's message (the callback's short msg, with a failed command's last stderr line). */
  message: string | null;
}

export interface StepOutcome {
  kind: 'succeeded' | 'failed' | 'interrupted';
  hosts: Record<string, HostResultInput>;
  failedHosts: string[];
  message: string | undefined;
  durationMs: number;
  /** Paths kspray's cleanup playbook removed, per host (for the journal). */
  cleanups?: Array<{ host: string; paths: string[] }>;
  /** The etcd snapshot kspray's snapshot playbook took and checked (for the journal). */
  snapshot?: EtcdSnapshot;
  /** An interrupted step: the play it was in and the hosts that had started it (see inFlight). */
  interruptedIn?: { play: string | undefined; hosts: string[] };
  /** Interrupted at a batch boundary as asked (the graceful stop): no host was in flight. */
  atBoundary?: boolean;
  /** A failed step: per failed host, where it failed. */
  failedTasks?: FailedTask[];
}

export interface RunStepContext {
  env: Record<string, string>;
  logFile: string;
  eventsFile: string;
  /** Aborted: ansible-playbook is stopped at once (its whole process group). */
  signal: AbortSignal;
  /** The run's stop and hold files (the graceful stop ends it at the next play start). */
  control?: RunControl | undefined;
  onProgress: (state: ProgressState) => void;
  /** Every Ansible event of the step, after its progress is updated. */
  onEvent?: ((event: AnsibleEvent) => void) | undefined;
}

export async function runPlaybookStep(step: PlanStep, ctx: RunStepContext): Promise<StepOutcome> {
  if (!step.argv) throw new Error(`step ${step.id} has no command`);
  if (step.resultDir) {
    // Results of an earlier attempt must not be read as this one's.
    await rm(join(step.resultDir, 'hosts'), { recursive: true, force: true });
    await mkdir(join(step.resultDir, 'hosts'), { recursive: true, mode: 0o700 });
  }
  const outcome = await runPlaybookOnly(step, step.argv, ctx);
  if (!step.resultDir || outcome.kind !== 'succeeded') return outcome;
  if (step.kind === 'etcd-snapshot') return withSnapshot(outcome, step.resultDir);
  return { ...outcome, cleanups: await readCleanups(step.resultDir) };
}

/** The snapshot step succeeds only with a snapshot that was saved, reads back, and has the size etcdctl reports. */
async function withSnapshot(outcome: StepOutcome, resultDir: string): Promise<StepOutcome> {
  const files = (await readdir(join(resultDir, 'hosts')).catch(() => [] as string[])).filter((name) => name.endsWith('.json'));
  const parsed = files.length === 1
    ? parseSnapshotResult(JSON.parse(await readFile(join(resultDir, 'hosts', files[0]!), 'utf8')) as unknown)
    : { ok: false as const, reason: `the snapshot playbook left ${files.length} results, not 1` };
  if (!parsed.ok) return { ...outcome, kind: 'failed', message: parsed.reason, failedHosts: Object.keys(outcome.hosts) };
  const { snapshot } = parsed;
  return { ...outcome, snapshot, message: `etcd snapshot ${snapshot.path} on ${snapshot.host}: ${snapshot.sizeBytes} bytes, revision ${snapshot.revision}, sha256 ${snapshot.sha256.slice(0, 12)}…` };
}

/** What kspray's cleanup playbook wrote: one JSON file per host. */
async function readCleanups(resultDir: string): Promise<Array<{ host: string; paths: string[] }>> {
  const dir = join(resultDir, 'hosts');
  const files = await readdir(dir).catch(() => [] as string[]);
  const cleanups: Array<{ host: string; paths: string[] }> = [];
  for (const file of files.filter((name) => name.endsWith('.json')).sort()) {
    const facts = parseCacheCleanupResult(JSON.parse(await readFile(join(dir, file), 'utf8')) as unknown);
    if (facts.removed.length > 0) cleanups.push({ host: facts.host, paths: facts.removed });
  }
  return cleanups;
}

async function runPlaybookOnly(step: PlanStep, argv: string[], ctx: RunStepContext): Promise<StepOutcome> {
  let progress = initialProgress(step.hosts);
  const run = await runPlaybook({
    argv, cwd: step.cwd, env: { ...ctx.env, ...ctx.control?.env }, logFile: ctx.logFile, eventsFile: ctx.eventsFile, signal: ctx.signal,
    onEvent: (event) => {
      progress = reduceProgress(progress, event);
      ctx.onProgress(progress);
      ctx.onEvent?.(event);
    },
  });
  return stepOutcome(run.outcome, step, run.durationMs, progress);
}

/**
 * A playbook run's outcome as the outcome of a step over `step.hosts`, with
 * `progress` the step's view of the run (an interruption names the hosts it
 * cut short from it). With `only`, the per-host results are those hosts' (a
 * wave of a shared run); failed hosts are always every host that failed.
 */
export function stepOutcome(
  outcome: PlaybookOutcome, step: Pick<PlanStep, 'hosts' | 'limit'>, durationMs: number, progress: ProgressState, only?: ReadonlySet<string>,
): StepOutcome {
  const recapOf = (recap: Recap): Recap => (only ? Object.fromEntries(Object.entries(recap).filter(([host]) => only.has(host))) : recap);
  switch (outcome.kind) {
    case 'interrupted':
      return { kind: 'interrupted', hosts: {}, failedHosts: [], message: 'interrupted', durationMs, interruptedIn: inFlight(progress) };
    case 'stopped':
      return {
        kind: 'interrupted', hosts: resultsSoFar(progress, durationMs, only), failedHosts: [], durationMs, atBoundary: true, interruptedIn: { play: undefined, hosts: [] },
        message: `stopped as asked before ${outcome.play}${outcome.batch === undefined ? '' : ` (batch ${outcome.batch})`} began`,
      };
    case 'error':
      return { kind: 'failed', hosts: {}, failedHosts: [], message: outcome.message, durationMs };
    case 'failed': {
      const failedHosts = [...new Set([...outcome.failedHosts, ...outcome.unreachableHosts])].sort();
      return {
        kind: 'failed', hosts: hostResults(recapOf(outcome.hosts), durationMs), failedHosts, message: `failed on ${failedHosts.join(', ') || 'unknown hosts'}`, durationMs,
        failedTasks: failedTasksOf(progress, failedHosts),
      };
    }
    case 'ok': {
      const hosts = hostResults(recapOf(outcome.hosts), durationMs);
      const missing = step.hosts.filter((host) => !(host in outcome.hosts));
      if (missing.length === step.hosts.length && step.hosts.length > 0) {
        return { kind: 'failed', hosts, failedHosts: [], message: `no host of the step ran anything (${step.limit ?? 'all'}): does the inventory speak this tag's group names?`, durationMs };
      }
      return { kind: 'succeeded', hosts, failedHosts: [], message: missing.length > 0 ? `hosts that ran nothing: ${listed(missing)}` : undefined, durationMs };
    }
  }
}

/** A few names, then how many more: a message stays one line on 500 nodes. */
function listed(names: readonly string[], shown = 5): string {
  return names.length <= shown ? names.join(', ') : `${names.slice(0, shown).join(', ')} and ${names.length - shown} more`;
}

/** Where each failed host failed, from the step's progress (the events name play, task and message). */
export function failedTasksOf(progress: ProgressState, failedHosts: readonly string[]): FailedTask[] {
  return failedHosts.map((host) => {
    const seen = progress.hosts[host];
    return { host, play: seen?.play ?? null, task: seen?.task ?? null, message: seen?.message ?? null };
  });
}

/** Counts of the hosts that ran something, when a run ended without a recap. */
function resultsSoFar(progress: ProgressState, durationMs: number, only?: ReadonlySet<string>): Record<string, HostResultInput> {
  return Object.fromEntries(Object.entries(progress.hosts)
    .filter(([name, host]) => host.status !== 'pending' && (only === undefined || only.has(name)))
    .map(([name, host]) => [name, { ok: host.ok, changed: host.changed, failed: host.failed, unreachable: host.unreachable, skipped: host.skipped, durationMs }]));
}

function hostResults(recap: Recap, durationMs: number): Record<string, HostResultInput> {
  return Object.fromEntries(Object.entries(recap).map(([host, counts]) => [host, {
    ok: counts.ok, changed: counts.changed, failed: counts.failed, unreachable: counts.unreachable, skipped: counts.skipped, durationMs,
  }]));
}

/** The verify step without a cluster API: every host of the hop's steps finished without failure. */
export function verifyFromResults(hop: PlanHop, resultsOf: (stepId: string) => Record<string, { failed: number; unreachable: number }> | undefined): StepOutcome {
  const seen = new Set<string>();
  const failed = new Set<string>();
  for (const step of hop.steps) {
    if (step.kind === 'verify') continue;
    for (const [host, result] of Object.entries(resultsOf(step.id) ?? {})) {
      seen.add(host);
      if (result.failed > 0 || result.unreachable > 0) failed.add(host);
    }
  }
  const expected = [...new Set(hop.steps.filter((s) => s.kind !== 'verify' && s.kind !== 'facts').flatMap((s) => s.hosts))];
  const unseen = expected.filter((host) => !seen.has(host));
  if (failed.size > 0 || unseen.length > 0) {
    const failedHosts = [...failed, ...unseen].sort();
    return { kind: 'failed', hosts: {}, failedHosts, message: `not every node finished the hop: ${failedHosts.join(', ')}`, durationMs: 0 };
  }
  return { kind: 'succeeded', hosts: {}, failedHosts: [], message: `no cluster API configured: verified from the playbook results of ${expected.length} hosts`, durationMs: 0 };
}
