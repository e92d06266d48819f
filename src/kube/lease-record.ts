/**
 * kspray's cluster lock as data: the coordination.k8s.io/v1 Lease it writes,
 * read back into a LeaseRecord, and the pure judgements on it ("free, held or
 * expired?" for a run that wants it; "still ours, lost or expired?" for the
 * run that holds it), from (lease, now) and nothing else, so that they are
 * tested without a clock. The IO is in lease-lock.ts.
 *
 * Timing. kspray talks to the API through the kubeconfig's server: with
 * Kubespray's admin.conf that is often the first control-plane node itself, so
 * while kubeadm replaces that node's kube-apiserver (and etcd) the API is
 * gone for tens of seconds, up to a few minutes on a slow node (kubeadm waits
 * up to 5 minutes for a static pod); behind a load balancer the blips are
 * short. A holder renews every RENEW_INTERVAL_MS (30 s) and, after a failed
 * renew, every RENEW_RETRY_MS (5 s); the lease lasts LEASE_DURATION_SECONDS
 * (5 min) from the last renew, so an API outage of about 4 minutes (5 min,
 * less the renew interval and the margin below) costs nothing. A holder
 * that crashed blocks others for at most those 5 minutes (or until
 * --break-lock). Past its expiry the holder still retries: its renew writes
 * with the resourceVersion it holds, so it succeeds only if nobody took the
 * lease meanwhile, and then it never stopped being the only holder.
 *
 * Clocks. renewTime is written with the holder's clock and judged with the
 * taker's; the holder calls its lease expired EXPIRY_MARGIN_MS (30 s) before
 * a taker's clock would, which absorbs that much skew between machines
 * (NTP keeps them far closer).
 */
import { z } from 'zod';
import { type ObjectMeta, ObjectMetaSchema, STATE_NAMESPACE, microTime, parseTime, stateMetadata, stateObjectName } from './state-objects.js';

export const LEASE_DURATION_SECONDS = 300;
export const RENEW_INTERVAL_MS = 30_000;
export const RENEW_RETRY_MS = 5_000;
export const EXPIRY_MARGIN_MS = 30_000;

const ANNOTATION = {
  runId: 'kspray.io/run-id',
  host: 'kspray.io/host',
  user: 'kspray.io/user',
  pid: 'kspray.io/pid',
} as const;

/** Who holds the lock: the run, and where it runs. */
export interface LeaseHolder {
  runId: string;
  host: string;
  user: string;
  pid: number;
}

/** A holder as read from a lease: kspray's own annotations when present (a lease written by hand may have none). */
export interface HolderView extends Partial<LeaseHolder> {
  identity: string;
  /** acquireTime: since when this holder has the lease. */
  since: Date | undefined;
  /** renewTime: when it last said it is alive. */
  renewedAt: Date | undefined;
}

export interface LeaseRecord {
  name: string;
  namespace: string;
  uid: string;
  resourceVersion: string;
  /** Absent or empty: nobody holds it. */
  holderIdentity: string | undefined;
  holder: HolderView | undefined;
  durationSeconds: number | undefined;
  acquireTime: Date | undefined;
  renewTime: Date | undefined;
  transitions: number;
  meta: ObjectMeta;
}

export const LeaseSchema = z.object({
  metadata: ObjectMetaSchema,
  spec: z.object({
    holderIdentity: z.string().nullish(),
    leaseDurationSeconds: z.number().int().nullish(),
    acquireTime: z.string().nullish(),
    renewTime: z.string().nullish(),
    leaseTransitions: z.number().int().nullish(),
  }).nullish(),
});

/** The lock of a cluster: Lease kspray-<cluster> in kube-system. */
export function leaseName(cluster: string): string {
  return stateObjectName(cluster);
}

/** holderIdentity: what `kubectl get lease -n kube-system` shows in its HOLDER column, and what tells holders apart. */
export function holderIdentity(holder: LeaseHolder): string {
  return `${holder.user}@${holder.host} pid ${holder.pid} run ${holder.runId}`;
}

export function leaseRecord(lease: z.infer<typeof LeaseSchema>): LeaseRecord {
  const spec = lease.spec ?? {};
  const identity = spec.holderIdentity ?? undefined;
  const annotations = lease.metadata.annotations ?? {};
  const acquireTime = parseTime(spec.acquireTime);
  const renewTime = parseTime(spec.renewTime);
  const pid = Number(annotations[ANNOTATION.pid]);
  const holder: HolderView | undefined = identity === undefined || identity === '' ? undefined : {
    identity,
    since: acquireTime,
    renewedAt: renewTime,
    ...(annotations[ANNOTATION.runId] === undefined ? {} : { runId: annotations[ANNOTATION.runId] }),
    ...(annotations[ANNOTATION.host] === undefined ? {} : { host: annotations[ANNOTATION.host] }),
    ...(annotations[ANNOTATION.user] === undefined ? {} : { user: annotations[ANNOTATION.user] }),
    ...(Number.isInteger(pid) && pid > 0 ? { pid } : {}),
  };
  return {
    name: lease.metadata.name,
    namespace: lease.metadata.namespace ?? STATE_NAMESPACE,
    uid: lease.metadata.uid,
    resourceVersion: lease.metadata.resourceVersion,
    holderIdentity: holder?.identity,
    holder,
    durationSeconds: spec.leaseDurationSeconds ?? undefined,
    acquireTime,
    renewTime,
    transitions: spec.leaseTransitions ?? 0,
    meta: lease.metadata,
  };
}

export interface LeaseWrite {
  cluster: string;
  namespace: string;
  holder: LeaseHolder;
  durationSeconds: number;
  now: Date;
}

/**
 * The Lease kspray writes: to create (no `previous`), to renew (`previous` is
 * ours: acquireTime and transitions kept) or to take over (`previous` is
 * another's: a new acquireTime, one more transition). `previous`'s
 * resourceVersion makes the write conditional.
 */
export function leaseBody(write: LeaseWrite, previous?: LeaseRecord): Record<string, unknown> {
  const identity = holderIdentity(write.holder);
  const renewing = previous !== undefined && previous.holderIdentity === identity;
  const common = stateMetadata(write.cluster);
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: leaseName(write.cluster),
      namespace: write.namespace,
      ...(previous === undefined ? {} : { resourceVersion: previous.resourceVersion }),
      labels: common.labels,
      annotations: {
        ...common.annotations,
        [ANNOTATION.runId]: write.holder.runId,
        [ANNOTATION.host]: write.holder.host,
        [ANNOTATION.user]: write.holder.user,
        [ANNOTATION.pid]: String(write.holder.pid),
      },
    },
    spec: {
      holderIdentity: identity,
      leaseDurationSeconds: write.durationSeconds,
      acquireTime: microTime(renewing && previous.acquireTime ? previous.acquireTime : write.now),
      renewTime: microTime(write.now),
      leaseTransitions: previous === undefined ? 0 : renewing ? previous.transitions : previous.transitions + 1,
    },
  };
}

/** When the lease runs out: the last renew (or acquire) plus its duration; undefined when it cannot run out (no duration, no time). */
export function leaseExpiry(lease: LeaseRecord): Date | undefined {
  const from = lease.renewTime ?? lease.acquireTime;
  if (from === undefined || lease.durationSeconds === undefined) return undefined;
  return new Date(from.getTime() + lease.durationSeconds * 1000);
}

/** The lease as a run that wants it sees it. */
export type LeaseStanding =
  | { state: 'free' } // no lease, or nobody holds it
  | { state: 'ours'; expiresAt: Date | undefined } // held by this very holder
  | { state: 'held'; holder: HolderView; expiresAt: Date | undefined } // held by another, alive (undefined: never runs out)
  | { state: 'expired'; holder: HolderView; expiredAt: Date }; // held by another that stopped renewing: may be taken over

export function leaseStanding(lease: LeaseRecord | undefined, identity: string, now: Date): LeaseStanding {
  if (lease === undefined || lease.holder === undefined) return { state: 'free' };
  const expiresAt = leaseExpiry(lease);
  if (lease.holder.identity === identity) return { state: 'ours', expiresAt };
  if (expiresAt !== undefined && expiresAt.getTime() <= now.getTime()) return { state: 'expired', holder: lease.holder, expiredAt: expiresAt };
  return { state: 'held', holder: lease.holder, expiresAt };
}

/**
 * The lease as its holder sees it, from the newest lease it has seen (its own
 * last renew, or a read): 'ours' while it lasts (less the skew margin),
 * 'expired' after (keep retrying the renew, start nothing new), 'lost' when
 * it is gone or another holds it (stop).
 */
export type LeaseVerdict = 'ours' | 'expired' | 'lost';

export function leaseVerdict(lease: LeaseRecord | undefined, identity: string, now: Date, marginMs = EXPIRY_MARGIN_MS): LeaseVerdict {
  if (lease === undefined || lease.holderIdentity !== identity) return 'lost';
  const expiresAt = leaseExpiry(lease);
  if (expiresAt !== undefined && now.getTime() >= expiresAt.getTime() - marginMs) return 'expired';
  return 'ours';
}

/** "alice@laptop (pid 4242, run r-1), holding since 2024-05-01T10:00:00.000Z, last renewed …"; control characters from the cluster dropped. */
export function describeHolder(holder: HolderView): string {
  const clean = (text: string) => text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '');
  const who = holder.user !== undefined && holder.host !== undefined
    ? `${clean(holder.user)}@${clean(holder.host)} (${[holder.pid === undefined ? undefined : `pid ${holder.pid}`, holder.runId === undefined ? undefined : `run ${clean(holder.runId)}`].filter(Boolean).join(', ')})`
    : `"${clean(holder.identity)}"`;
  const since = holder.since ? `, holding since ${holder.since.toISOString()}` : '';
  const renewed = holder.renewedAt ? `, last renewed ${holder.renewedAt.toISOString()}` : '';
  return `${who}${since}${renewed}`;
}
