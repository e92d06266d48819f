/**
 * What an operator waives knowingly, each with its reason: `--skip-check ID`,
 * `--no-cluster-api`, `--no-etcd-snapshot`, each followed by its own
 * `--reason TEXT`. A reason belongs to the waiver written just before it, so
 * `--skip-check pdb --reason "CHG-1" --no-cluster-api --reason "LB down"`
 * reads as it is written. The journal and the reports keep every reason.
 * Pure: the command line in, the waivers (or a usage error) out.
 */
import { UsageError } from '../util/errors.js';

export interface Waivers {
  skippedChecks: Array<{ id: string; reason: string }>;
  /** --no-cluster-api's reason. */
  noClusterApi: string | undefined;
  /** --no-etcd-snapshot's reason. */
  noEtcdSnapshot: string | undefined;
}

type Pending = { kind: 'check'; id: string } | { kind: 'no-cluster-api' } | { kind: 'no-etcd-snapshot' };

const label = (waiver: Pending): string => (waiver.kind === 'check' ? `--skip-check ${waiver.id}` : `--${waiver.kind}`);

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
    } else if (token === '--no-cluster-api' || token === '--no-etcd-snapshot') {
      found.push({ waiver: { kind: token.slice(2) as 'no-cluster-api' | 'no-etcd-snapshot' }, reason: undefined });
    } else if (token === '--reason' || token.startsWith('--reason=')) {
      const { value, next } = valueOf(i, '--reason');
      const open = found.at(-1);
      if (!open || open.reason !== undefined) throw new UsageError(`--reason ${JSON.stringify(value)} follows no waiver`, 'write each --reason TEXT right after the --skip-check ID, --no-cluster-api or --no-etcd-snapshot it explains');
      if (value.trim() === '') throw new UsageError(`${label(open.waiver)}: the --reason is empty`, 'say why; the journal and the reports keep it');
      open.reason = value.trim();
      i = next;
    }
  }
  const unexplained = found.filter((entry) => entry.reason === undefined);
  if (unexplained.length > 0) {
    throw new UsageError(
      `${unexplained.map((entry) => label(entry.waiver)).join(', ')} without a --reason`,
      'give every --skip-check ID, --no-cluster-api and --no-etcd-snapshot its own --reason TEXT, right after it; the journal and the reports keep them',
    );
  }
  const skippedChecks: Waivers['skippedChecks'] = [];
  let noClusterApi: string | undefined;
  let noEtcdSnapshot: string | undefined;
  for (const { waiver, reason } of found) {
    if (waiver.kind === 'no-cluster-api') noClusterApi = reason;
    else if (waiver.kind === 'no-etcd-snapshot') noEtcdSnapshot = reason;
    else if (waiver.id === 'cluster-api') throw new UsageError('--skip-check cluster-api: the cluster API is waived with --no-cluster-api --reason TEXT', 'pass --no-cluster-api --reason TEXT');
    else if (!knownChecks.includes(waiver.id)) throw new UsageError(`--skip-check ${waiver.id}: no such check`, `known checks: ${knownChecks.join(', ')}`);
    else skippedChecks.push({ id: waiver.id, reason: reason! });
  }
  return { skippedChecks, noClusterApi, noEtcdSnapshot };
}
