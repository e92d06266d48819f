/**
 * What an operator waives knowingly, each with its reason: `--skip-check ID`,
 * `--skip-gate NAME`, `--no-cluster-api`, `--no-etcd-snapshot`, each followed
 * by its own `--reason TEXT`. A reason belongs to the waiver written just before it, so
 * `--skip-check pdb --reason "CHG-1" --no-cluster-api --reason "LB down"`
 * reads as it is written. The journal and the reports keep every reason.
 * Pure: the command line in, the waivers (or a usage error) out.
 */
import type { PlanDocument } from '../plan/types.js';
import { UsageError } from '../util/errors.js';

export interface Waivers {
  skippedChecks: Array<{ id: string; reason: string }>;
  /** --skip-gate NAME: health gates (upgrade.gates) the run goes on without. */
  skippedGates: Array<{ name: string; reason: string }>;
  /** --no-cluster-api's reason. */
  noClusterApi: string | undefined;
  /** --no-etcd-snapshot's reason. */
  noEtcdSnapshot: string | undefined;
}

type Pending = { kind: 'check'; id: string } | { kind: 'gate'; name: string } | { kind: 'no-cluster-api' } | { kind: 'no-etcd-snapshot' };

const label = (waiver: Pending): string => (waiver.kind === 'check' ? `--skip-check ${waiver.id}` : waiver.kind === 'gate' ? `--skip-gate ${waiver.name}` : `--${waiver.kind}`);

/** The waivers on a command line (the args after the command name), checked against the known check ids. */
export function parseWaivers(args: readonly string[], knownChecks: readonly string[]): Waivers {
  const found: Array<{ waiver: Pending; reason: string | undefined }> = [];
  const valueOf = (index: number, flag: string): { value: string; next: number } => {
    const token = args[index]!;
    if (token.startsWith(`${flag}=`)) return { value: token.slice(flag.length + 1), next: index };
    const value = args[index + 1];
    if (value === undefined) throw new UsageError(`${flag} needs a value`);
    return { value, next: index + 1 };
  };
  for (let i = 0; i < args.length; i++) {
    const token = args[i]!;
    if (token === '--') break;
    if (token === '--skip-check' || token.startsWith('--skip-check=')) {
      const { value, next } = valueOf(i, '--skip-check');
      found.push({ waiver: { kind: 'check', id: value }, reason: undefined });
      i = next;
    } else if (token === '--skip-gate' || token.startsWith('--skip-gate=')) {
      const { value, next } = valueOf(i, '--skip-gate');
      found.push({ waiver: { kind: 'gate', name: value }, reason: undefined });
      i = next;
    } else if (token === '--no-cluster-api' || token === '--no-etcd-snapshot') {
      found.push({ waiver: { kind: token.slice(2) as 'no-cluster-api' | 'no-etcd-snapshot' }, reason: undefined });
    } else if (token === '--reason' || token.startsWith('--reason=')) {
      const { value, next } = valueOf(i, '--reason');
      const open = found.at(-1);
      if (!open || open.reason !== undefined) throw new UsageError(`--reason ${JSON.stringify(value)} follows no waiver`, 'write each --reason TEXT right after the --skip-check ID, --skip-gate NAME, --no-cluster-api or --no-etcd-snapshot it explains');
      if (value.trim() === '') throw new UsageError(`${label(open.waiver)}: the --reason is empty`, 'say why; the journal and the reports keep it');
      open.reason = value.trim();
      i = next;
    }
  }
  const unexplained = found.filter((entry) => entry.reason === undefined);
  if (unexplained.length > 0) {
    throw new UsageError(
      `${unexplained.map((entry) => label(entry.waiver)).join(', ')} without a --reason`,
      'give every --skip-check ID, --skip-gate NAME, --no-cluster-api and --no-etcd-snapshot its own --reason TEXT, right after it; the journal and the reports keep them',
    );
  }
  const skippedChecks: Waivers['skippedChecks'] = [];
  const skippedGates: Waivers['skippedGates'] = [];
  let noClusterApi: string | undefined;
  let noEtcdSnapshot: string | undefined;
  for (const { waiver, reason } of found) {
    if (waiver.kind === 'gate') skippedGates.push({ name: waiver.name, reason: reason! });
    else if (waiver.kind === 'no-cluster-api') noClusterApi = reason;
    else if (waiver.kind === 'no-etcd-snapshot') noEtcdSnapshot = reason;
    else if (waiver.id === 'cluster-api') throw new UsageError('--skip-check cluster-api: the cluster API is waived with --no-cluster-api --reason TEXT', 'pass --no-cluster-api --reason TEXT');
    else if (!knownChecks.includes(waiver.id)) throw new UsageError(`--skip-check ${waiver.id}: no such check`, `known checks: ${knownChecks.join(', ')}`);
    else skippedChecks.push({ id: waiver.id, reason: reason! });
  }
  return { skippedChecks, skippedGates, noClusterApi, noEtcdSnapshot };
}

/**
 * The health gates against the plan: a --skip-gate must name one of them, and
 * a gate that reads the cluster cannot run without its API (skip it knowingly).
 */
export function checkGateWaivers(plan: Pick<PlanDocument, 'gates'>, waivers: Pick<Waivers, 'skippedGates' | 'noClusterApi'>): void {
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
