/**
 * The etcd snapshot apply takes before each hop's control plane
 * (playbooks/etcd-snapshot.yml): its raw result → a checked record for the
 * journal. Pure. The snapshot counts only when the member answered, etcdctl
 * saved it, etcdctl can read it back (snapshot status), and its size on disk
 * is the database etcdctl reads plus the hash it appends: a snapshot that
 * cannot be restored from is no snapshot.
 */
import { redact } from '../util/redact.js';

export interface EtcdSnapshot {
  /** The etcd host it was taken on, and where it lies there. */
  host: string;
  path: string;
  sizeBytes: number;
  sha256: string;
  /** What `etcdctl snapshot status` read from the file. */
  revision: number;
  hash: number;
  totalKeys: number;
}

interface Call { rc?: unknown; stdout?: unknown; stderr?: unknown; msg?: unknown }

interface RawResult {
  host?: unknown;
  path?: unknown;
  endpoint?: unknown;
  health?: Call;
  save?: Call;
  status?: Call;
  stat?: { exists?: unknown; size?: unknown; sha256?: unknown };
}

export type SnapshotResult = { ok: true; snapshot: EtcdSnapshot } | { ok: false; reason: string };

export function parseSnapshotResult(raw: unknown): SnapshotResult {
  const result = (raw ?? {}) as RawResult;
  const host = typeof result.host === 'string' ? result.host : '?';
  const path = typeof result.path === 'string' ? result.path : '?';
  const failed = (call: Call | undefined): string | undefined =>
    call?.rc === 0 ? undefined : redact(String(call?.stderr || call?.msg || `exit ${String(call?.rc ?? '?')}`).trim().split('\n').slice(-3).join(' '));
  const healthFailure = failed(result.health);
  if (healthFailure) return { ok: false, reason: `etcd at ${String(result.endpoint ?? '?')} does not answer on ${host} (etcdctl endpoint health): ${healthFailure}` };
  const saveFailure = failed(result.save);
  if (saveFailure) return { ok: false, reason: `etcdctl snapshot save on ${host} failed: ${saveFailure}` };
  const statusFailure = failed(result.status);
  if (statusFailure) return { ok: false, reason: `etcdctl snapshot status of ${path} on ${host} failed: ${statusFailure}` };
  let status: { hash?: unknown; revision?: unknown; totalKey?: unknown; totalSize?: unknown };
  try {
    status = JSON.parse(String(result.status?.stdout ?? '')) as typeof status;
  } catch {
    return { ok: false, reason: `etcdctl snapshot status of ${path} on ${host} printed no JSON` };
  }
  const stat = result.stat ?? {};
  if (stat.exists !== true) return { ok: false, reason: `the snapshot ${path} is not on ${host} after it was saved` };
  const sizeBytes = Number(stat.size);
  const numbers = [Number(status.hash), Number(status.revision), Number(status.totalKey), Number(status.totalSize)];
  if (numbers.some((n) => !Number.isFinite(n)) || typeof stat.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(stat.sha256)) {
    return { ok: false, reason: `the snapshot ${path} on ${host} could not be read back (status ${JSON.stringify(status)})` };
  }
  const [hash, revision, totalKeys, totalSize] = numbers as [number, number, number, number];
  // etcdctl appends the database's SHA-256 (32 bytes) to the file, which restore checks.
  if (sizeBytes !== totalSize + 32 && sizeBytes !== totalSize) return { ok: false, reason: `the snapshot ${path} on ${host} is ${sizeBytes} bytes on disk, but etcdctl reads a ${totalSize}-byte database from it` };
  return { ok: true, snapshot: { host, path, sizeBytes, sha256: stat.sha256, revision, hash, totalKeys } };
}
