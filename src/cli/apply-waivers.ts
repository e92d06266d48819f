/**
 * What `kspray apply` is told to waive, each with its reason: `--skip-check
 * ID`, `--skip-gate NAME` (each takes the --reason in the same position, in
 * the order they were given) and `--no-cluster-api` (its --reason comes last).
 * The journal and the reports keep every waiver and its reason.
 */
import type { PlanDocument } from '../plan/types.js';
import { UsageError } from '../util/errors.js';
import type { ApplyCommandOptions } from './apply.js';
import { parseSkippedChecks } from './preflight.js';

export interface Waivers {
  skippedChecks: Array<{ id: string; reason: string }>;
  skippedGates: Array<{ name: string; reason: string }>;
  /** --no-cluster-api's reason. */
  noClusterApi: string | undefined;
}

export function parseWaivers(options: ApplyCommandOptions): Waivers {
  const reasons = [...(options.reason ?? [])];
  const noApi = options.clusterApi === false;
  const checks = options.skipCheck ?? [];
  const gates = options.skipGate ?? [];
  // Which kind each waiver is, in the order given (commander keeps each option's values apart).
  const order = options.waiverOrder ?? [...checks.map(() => 'check' as const), ...gates.map(() => 'gate' as const)];
  const needed = order.length + (noApi ? 1 : 0);
  if (reasons.length !== needed) {
    const asked = [checks.length > 0 ? `${checks.length} --skip-check` : '', gates.length > 0 ? `${gates.length} --skip-gate` : '', noApi ? '--no-cluster-api' : ''].filter(Boolean).join(' and ');
    throw new UsageError(
      `${asked} but ${reasons.length} --reason`,
      'give every --skip-check ID and --skip-gate NAME its own --reason TEXT, in order, and --no-cluster-api the last one (why the upgrade may run without the Kubernetes API); the journal and the reports keep them',
    );
  }
  const noClusterApi = noApi ? reasons.pop()!.trim() : undefined;
  if (noClusterApi === '') throw new UsageError('--no-cluster-api: the --reason is empty', 'say why the upgrade may run without the Kubernetes API');
  if (noApi && options.soak !== undefined) throw new UsageError('--soak watches the canary through the cluster API: it cannot run with --no-cluster-api');
  const checkReasons: string[] = [];
  const gateReasons: string[] = [];
  order.forEach((kind, index) => (kind === 'check' ? checkReasons : gateReasons).push(reasons[index]!));
  const skippedChecks = [...parseSkippedChecks(checks, checkReasons), ...(options.skipPreflight ? [{ id: 'preflight', reason: 'not run (--skip-preflight)' }] : [])];
  if (skippedChecks.some((check) => check.id === 'cluster-api')) {
    throw new UsageError('--skip-check cluster-api: the cluster API is waived with --no-cluster-api --reason TEXT', 'pass --no-cluster-api --reason TEXT');
  }
  const skippedGates = gates.map((name, index) => {
    const reason = (gateReasons[index] ?? '').trim();
    if (reason === '') throw new UsageError(`--skip-gate ${name}: the --reason is empty`, 'say why the gate may be skipped; the journal keeps it');
    return { name, reason };
  });
  return { skippedChecks, skippedGates, noClusterApi };
}

/**
 * The health gates against the plan: a --skip-gate must name one of them, and
 * a gate that reads the cluster cannot run without its API (skip it knowingly).
 */
export function checkGateWaivers(plan: PlanDocument, waivers: Waivers): void {
  const names = plan.gates.map((gate) => gate.name);
  for (const { name } of waivers.skippedGates) {
    if (!names.includes(name)) {
      throw new UsageError(`--skip-gate ${name}: the plan has no such health gate`, names.length > 0 ? `its gates: ${names.join(', ')} (upgrade.gates of the cluster file)` : 'the cluster file sets no upgrade.gates');
    }
  }
  if (waivers.noClusterApi === undefined) return;
  const skipped = new Set(waivers.skippedGates.map((gate) => gate.name));
  const needApi = plan.gates.filter((gate) => gate.kind === 'kubernetes' && !skipped.has(gate.name)).map((gate) => gate.name);
  if (needApi.length > 0) {
    throw new UsageError(
      `the health gate${needApi.length > 1 ? 's' : ''} ${needApi.join(', ')} read${needApi.length > 1 ? '' : 's'} the cluster API, which --no-cluster-api does without`,
      `make the API reachable, or skip ${needApi.length > 1 ? 'them' : 'it'} knowingly: ${needApi.map((name) => `--skip-gate ${name} --reason TEXT`).join(' ')}`,
    );
  }
}
