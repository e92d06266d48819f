/**
 * One upgrade per cluster, whichever machine or pipeline runs it: a
 * coordination.k8s.io/v1 Lease `kspray-<cluster>` in kube-system, as
 * Terraform's kubernetes backend locks its state (and as Kubernetes' own
 * leader election keeps a leader), with optimistic concurrency: every write
 * carries the resourceVersion it was decided on, so of two runs that race
 * for the lease the API server lets exactly one write land; the other gets
 * 409 and reads who won. Unlike Terraform's lock, the lease lasts only while
 * its holder renews it, so a run that died frees the cluster by itself.
 * Timings and the pure judgements: lease-record.ts.
 *
 * Every function answers with data (KubeResult, or an outcome), never throws.
 */
import type { KubeClient } from './client.js';
import {
  type HolderView, type LeaseHolder, type LeaseRecord, type LeaseVerdict, LEASE_DURATION_SECONDS, LeaseSchema, RENEW_INTERVAL_MS, RENEW_RETRY_MS,
  describeHolder, holderIdentity, leaseBody, leaseExpiry, leaseName, leaseRecord, leaseStanding, leaseVerdict,
} from './lease-record.js';
import { type KubeFailure, type KubeResult, fail, ok } from './result.js';
import { STATE_NAMESPACE, decodeObject } from './state-objects.js';

export interface LeaseLockOptions {
  cluster: string;
  holder: LeaseHolder;
  /** Default kube-system. */
  namespace?: string;
  /** Default LEASE_DURATION_SECONDS (300). */
  durationSeconds?: number;
  /** The clock (tests pass one). */
  now?: () => Date;
  /** Take the lease even from a live holder: for --break-lock, once the caller knows that holder is gone. */
  force?: boolean;
}

/** A lease this process holds. */
export interface HeldLease {
  readonly cluster: string;
  readonly namespace: string;
  readonly name: string;
  readonly holder: LeaseHolder;
  readonly identity: string;
  readonly durationSeconds: number;
  /** The lease as this holder last wrote or read it. */
  readonly record: LeaseRecord;
  readonly now: () => Date;
}

export type AcquireOutcome =
  | { status: 'acquired'; lease: HeldLease; tookOver?: { holder: HolderView; expiredAt: Date | undefined; forced: boolean } }
  | { status: 'held'; holder: HolderView; expiresAt: Date | undefined; message: string };

export type RenewOutcome =
  | { status: 'renewed'; lease: HeldLease }
  /** Another run holds the lease now, or it was deleted: stop. */
  | { status: 'lost'; holder: HolderView | undefined; message: string }
  /** The API did not answer as it should: retry; `verdict` says whether the lease still counts as ours meanwhile. */
  | { status: 'failed'; error: KubeFailure; verdict: Exclude<LeaseVerdict, 'lost'>; expiresAt: Date | undefined };

export type ReleaseOutcome = { status: 'released' } | { status: 'gone' } | { status: 'not-ours'; holder: HolderView | undefined };

/** Racing writers make a write fail with 409 and the next read tell why; this many rounds is plenty for two. */
const ACQUIRE_ROUNDS = 4;

const collectionPath = (namespace: string) => `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/leases`;
const leasePath = (namespace: string, name: string) => `${collectionPath(namespace)}/${encodeURIComponent(name)}`;

async function readLease(client: KubeClient, namespace: string, name: string): Promise<KubeResult<LeaseRecord | undefined>> {
  const got = await client.getJson(leasePath(namespace, name));
  if (!got.ok) return got.error.kind === 'not-found' ? ok(undefined) : got;
  return decoded(client, got.value, `lease ${namespace}/${name}`);
}

function decoded(client: KubeClient, value: unknown, what: string): KubeResult<LeaseRecord> {
  const lease = decodeObject(LeaseSchema, value, client.server, what);
  return lease.ok ? ok(leaseRecord(lease.value)) : lease;
}

function held(options: LeaseLockOptions, record: LeaseRecord): HeldLease {
  return {
    cluster: options.cluster,
    namespace: options.namespace ?? STATE_NAMESPACE,
    name: leaseName(options.cluster),
    holder: options.holder,
    identity: holderIdentity(options.holder),
    durationSeconds: options.durationSeconds ?? LEASE_DURATION_SECONDS,
    record,
    now: options.now ?? (() => new Date()),
  };
}

/** Takes the cluster's lease: creates it, renews it if already ours, takes it over once expired (or with force); else says who holds it. */
export async function acquireLease(client: KubeClient, options: LeaseLockOptions): Promise<KubeResult<AcquireOutcome>> {
  const namespace = options.namespace ?? STATE_NAMESPACE;
  const name = leaseName(options.cluster);
  const identity = holderIdentity(options.holder);
  const now = options.now ?? (() => new Date());
  const write = () => ({ cluster: options.cluster, namespace, holder: options.holder, durationSeconds: options.durationSeconds ?? LEASE_DURATION_SECONDS, now: now() });
  for (let round = 0; round < ACQUIRE_ROUNDS; round++) {
    const read = await readLease(client, namespace, name);
    if (!read.ok) return read;
    const current = read.value;
    const standing = leaseStanding(current, identity, now());
    if (standing.state === 'held' && !options.force) {
      const until = standing.expiresAt ? `; it runs out at ${standing.expiresAt.toISOString()} unless renewed` : '';
      return ok({ status: 'held', holder: standing.holder, expiresAt: standing.expiresAt, message: `cluster ${options.cluster} is locked by ${describeHolder(standing.holder)} (lease ${namespace}/${name})${until}` });
    }
    const written = current === undefined
      ? await client.post(collectionPath(namespace), leaseBody(write()))
      : await client.put(leasePath(namespace, name), leaseBody(write(), current));
    if (written.ok) {
      const record = decoded(client, written.value, `lease ${namespace}/${name}`);
      if (!record.ok) return record;
      const lease = held(options, record.value);
      if (standing.state === 'expired') return ok({ status: 'acquired', lease, tookOver: { holder: standing.holder, expiredAt: standing.expiredAt, forced: false } });
      if (standing.state === 'held') return ok({ status: 'acquired', lease, tookOver: { holder: standing.holder, expiredAt: undefined, forced: true } });
      return ok({ status: 'acquired', lease });
    }
    // Another writer got there between our read and our write (or the lease went away): read again and decide again.
    if (written.error.kind !== 'conflict' && written.error.kind !== 'not-found') return written;
  }
  return fail({ kind: 'conflict', server: client.server, message: `lease ${namespace}/${name} kept changing while kspray tried to take it (${ACQUIRE_ROUNDS} attempts)`, hint: 'another run is taking the lock at the same moment: try again' });
}

/** Renews a held lease: a write conditional on the resourceVersion it holds. */
export async function renewLease(client: KubeClient, lease: HeldLease): Promise<RenewOutcome> {
  const path = leasePath(lease.namespace, lease.name);
  const put = (previous: LeaseRecord) => client.put(path, leaseBody({ cluster: lease.cluster, namespace: lease.namespace, holder: lease.holder, durationSeconds: lease.durationSeconds, now: lease.now() }, previous));
  const failed = (error: KubeFailure): RenewOutcome => {
    const verdict = leaseVerdict(lease.record, lease.identity, lease.now());
    return { status: 'failed', error, verdict: verdict === 'lost' ? 'expired' : verdict, expiresAt: leaseExpiry(lease.record) };
  };
  let written = await put(lease.record);
  if (!written.ok && (written.error.kind === 'conflict' || written.error.kind === 'not-found')) {
    const read = await readLease(client, lease.namespace, lease.name);
    if (!read.ok) return failed(read.error);
    const now = read.value;
    if (now === undefined) return { status: 'lost', holder: undefined, message: `lease ${lease.namespace}/${lease.name} was deleted while this run held it (--break-lock from another run?)` };
    if (now.holderIdentity !== lease.identity) {
      const by = now.holder ? `it is held now by ${describeHolder(now.holder)}` : 'nobody holds it now';
      return { status: 'lost', holder: now.holder, message: `lost the lock of cluster ${lease.cluster}: ${by}` };
    }
    // Still ours: an earlier renew of ours landed although its answer was lost. Renew on what is stored.
    written = await put(now);
  }
  if (!written.ok) return failed(written.error);
  const record = decoded(client, written.value, `lease ${lease.namespace}/${lease.name}`);
  return record.ok ? { status: 'renewed', lease: { ...lease, record: record.value } } : failed(record.error);
}

/** Deletes the lease if it is still ours (a precondition on uid and resourceVersion makes that one atomic step). */
export async function releaseLease(client: KubeClient, lease: HeldLease): Promise<KubeResult<ReleaseOutcome>> {
  const path = leasePath(lease.namespace, lease.name);
  const remove = (record: LeaseRecord) => client.delete(path, { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid: record.uid, resourceVersion: record.resourceVersion } });
  let removed = await remove(lease.record);
  if (!removed.ok && removed.error.kind === 'conflict') {
    const read = await readLease(client, lease.namespace, lease.name);
    if (!read.ok) return read;
    if (read.value === undefined) return ok({ status: 'gone' });
    if (read.value.holderIdentity !== lease.identity) return ok({ status: 'not-ours', holder: read.value.holder });
    removed = await remove(read.value);
  }
  if (removed.ok) return ok({ status: 'released' });
  return removed.error.kind === 'not-found' ? ok({ status: 'gone' }) : removed;
}

export type KeeperEvent =
  | { type: 'renewed'; lease: HeldLease }
  | { type: 'renew-failed'; error: KubeFailure; verdict: Exclude<LeaseVerdict, 'lost'>; expiresAt: Date | undefined }
  | { type: 'lost'; holder: HolderView | undefined; message: string };

export interface KeepOptions {
  /** Default RENEW_INTERVAL_MS (30 s). */
  intervalMs?: number;
  /** After a failed renew; default RENEW_RETRY_MS (5 s). */
  retryMs?: number;
  onEvent?: (event: KeeperEvent) => void;
}

export interface LeaseKeeper {
  /** The lease as last renewed. */
  current(): HeldLease;
  /** Ask before starting a step: 'ours' to go on; 'expired' (renews failing past the lease's end) or 'lost' to start nothing new. */
  verdict(): LeaseVerdict;
  /** Settles when the lease is lost (never, if stopped first). */
  readonly lost: Promise<{ holder: HolderView | undefined; message: string }>;
  /** Stops renewing, after a renew in flight; then releaseLease(client, keeper.current()). */
  stop(): Promise<HeldLease>;
}

/** Renews the lease in the background until stopped or lost; failures are retried sooner and tolerated (see lease-record.ts). */
export function keepLease(client: KubeClient, lease: HeldLease, options: KeepOptions = {}): LeaseKeeper {
  let current = lease;
  let isLost = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  let resolveLost: (value: { holder: HolderView | undefined; message: string }) => void = () => undefined;
  const lost = new Promise<{ holder: HolderView | undefined; message: string }>((resolve) => {
    resolveLost = resolve;
  });
  const schedule = (ms: number) => {
    if (stopped || isLost) return;
    timer = setTimeout(() => {
      inFlight = tick();
    }, ms);
    timer.unref();
  };
  const tick = async () => {
    const outcome = await renewLease(client, current);
    if (outcome.status === 'renewed') current = outcome.lease; // even when stopped meanwhile: the release needs the newest resourceVersion
    if (stopped) return;
    if (outcome.status === 'renewed') {
      options.onEvent?.({ type: 'renewed', lease: current });
      schedule(options.intervalMs ?? RENEW_INTERVAL_MS);
    } else if (outcome.status === 'failed') {
      options.onEvent?.({ type: 'renew-failed', error: outcome.error, verdict: outcome.verdict, expiresAt: outcome.expiresAt });
      schedule(options.retryMs ?? RENEW_RETRY_MS);
    } else {
      isLost = true;
      options.onEvent?.({ type: 'lost', holder: outcome.holder, message: outcome.message });
      resolveLost({ holder: outcome.holder, message: outcome.message });
    }
  };
  schedule(options.intervalMs ?? RENEW_INTERVAL_MS);
  return {
    current: () => current,
    verdict: () => (isLost ? 'lost' : leaseVerdict(current.record, current.identity, current.now())),
    lost,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await inFlight;
      return current;
    },
  };
}
