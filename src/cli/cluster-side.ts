/**
 * State where every client sees it (issue 11): when the cluster API answers,
 * an apply holds the Lease `kspray-<cluster>` in kube-system for as long as it
 * runs (one upgrade per cluster, whichever machine or pipeline runs it), and
 * mirrors its journal into the Secret `kspray-<cluster>-journal` after every
 * save, so that a run on a machine with no local journal (a CI job on a
 * fresh runner) resumes from the cluster's copy. The local file lock stays,
 * for the moments before the API is known and for --no-cluster-api runs.
 *
 * Lease timings (src/kube/lease-record.ts): 5-minute leases renewed every
 * 30 s, a failed renew retried every 5 s and tolerated until the lease would
 * really expire, so the API server restarts of a control-plane upgrade (tens
 * of seconds, up to about 4 minutes) never cost the lease. A lease that is
 * lost all the same (another run took it after it expired) stops this run
 * at once: two runs must never drive one cluster.
 */
import { hostname, userInfo } from 'node:os';
import type { KubeClient } from '../kube/client.js';
import type { HeldLease, LeaseKeeper } from '../kube/lease-lock.js';
import type { KubeconfigSources } from '../kube/kubeconfig.js';
import type { LoadedCluster } from '../model/load.js';
import { InterruptedError } from '../util/errors.js';

export interface ClusterSideFlags {
  kubeconfig?: string | undefined;
  context?: string | undefined;
}

function sourcesOf(loaded: LoadedCluster, flags: ClusterSideFlags): KubeconfigSources {
  return {
    flag: flags.kubeconfig, flagContext: flags.context, env: process.env.KUBECONFIG,
    model: loaded.cluster.access?.kubeconfig, modelContext: loaded.cluster.access?.context,
    clusterFile: loaded.file, clusterName: loaded.cluster.name,
  };
}

/**
 * A client of the cluster's API, or undefined when there is none: the state
 * kept in the cluster is then left alone (the live read of the cluster, and
 * the cluster-api check, are what say why the API does not answer).
 */
async function connectCluster(loaded: LoadedCluster, flags: ClusterSideFlags): Promise<KubeClient | undefined> {
  const { resolveKubeconfig } = await import('../kube/kubeconfig.js');
  const resolved = resolveKubeconfig(sourcesOf(loaded, flags));
  if (!resolved.ok) return undefined;
  const { connectKube } = await import('../kube/client.js');
  const connected = await connectKube(resolved.value);
  return connected.ok ? connected.value : undefined;
}

/** The journal the cluster keeps, when it keeps one; a failure to read it is said and ignored (the local journal stands). */
export async function readClusterJournal(loaded: LoadedCluster, flags: ClusterSideFlags, log: (text: string) => void): Promise<{ text: string; updatedAt: Date | undefined } | undefined> {
  const client = await connectCluster(loaded, flags);
  if (!client) return undefined;
  try {
    const { readJournalSecret } = await import('../kube/state-secret.js');
    const read = await readJournalSecret(client, loaded.cluster.name);
    if (!read.ok) {
      log(`warning: the journal kept in the cluster could not be read (${read.error.message}); going on from the local journal`);
      return undefined;
    }
    return read.value ? { text: read.value.text, updatedAt: read.value.updatedAt } : undefined;
  } finally {
    client.close();
  }
}

export interface ClusterLock {
  release(): Promise<void>;
}

export interface ClusterSide {
  /** Takes the Lease for the run (exit 3 naming the holder when another run holds it); aborts `onLost` if it is ever lost. */
  lock(runId: string, onLost: (message: string) => void): Promise<ClusterLock>;
  /** Mirrors the journal as saved; writes are queued, and a failure is a warning (the next save tries again). */
  mirror(text: string, runId: string | undefined): void;
  /** Waits for the last mirror write, then closes the connection. */
  close(): Promise<void>;
}

/** The cluster side of an apply, when the API answers; undefined otherwise (the local lock alone then). */
export async function openClusterSide(loaded: LoadedCluster, flags: ClusterSideFlags, log: (text: string) => void): Promise<ClusterSide | undefined> {
  const client = await connectCluster(loaded, flags);
  if (!client) return undefined;
  const cluster = loaded.cluster.name;
  const { writeJournalSecret } = await import('../kube/state-secret.js');
  let resourceVersion: string | undefined;
  let writes = Promise.resolve();
  let warned = false;
  return {
    async lock(runId, onLost) {
      const { acquireLease, keepLease, releaseLease } = await import('../kube/lease-lock.js');
      const { describeHolder, leaseName } = await import('../kube/lease-record.js');
      const acquired = await acquireLease(client, { cluster, holder: { runId, host: hostname(), user: userName(), pid: process.pid } });
      if (!acquired.ok) {
        throw new InterruptedError(
          `cannot take the cluster's lease ${leaseName(cluster)} in kube-system: ${acquired.error.message}`,
          'another kspray may be running against this cluster; check it, or the API (a Lease needs coordination.k8s.io rights), and run again',
        );
      }
      if (acquired.value.status === 'held') {
        const { holder, expiresAt } = acquired.value;
        throw new InterruptedError(
          `cluster ${cluster} is being upgraded by another kspray run: ${describeHolder(holder)}${expiresAt ? ` (its lease runs until ${expiresAt.toISOString()} unless renewed)` : ''}`,
          `wait for it to end (kspray status -c FILE on that machine), or stop it there; its lease is the Lease ${leaseName(cluster)} in kube-system`,
        );
      }
      const { lease, tookOver } = acquired.value;
      if (tookOver) log(`took over the cluster's lease from ${describeHolder(tookOver.holder)}: it expired${tookOver.expiredAt ? ` at ${tookOver.expiredAt.toISOString()}` : ''}`);
      const keeper: LeaseKeeper = keepLease(client, lease, {
        onEvent: (event) => {
          if (event.type === 'renew-failed') log(`warning: could not renew the cluster's lease (${event.error.message}); retrying${event.expiresAt ? ` (it lasts until ${event.expiresAt.toISOString()})` : ''}`);
        },
      });
      void keeper.lost.then(({ message }) => onLost(`the cluster's lease was lost: ${message}`));
      return {
        async release() {
          const last: HeldLease = await keeper.stop();
          const released = await releaseLease(client, last);
          if (!released.ok) log(`warning: the cluster's lease could not be released (${released.error.message}); it expires by itself`);
        },
      };
    },
    mirror(text, runId) {
      writes = writes.then(async () => {
        const written = await writeJournalSecret(client, { cluster, text, ...(runId ? { runId } : {}), ...(resourceVersion ? { resourceVersion } : {}) });
        if (written.ok) {
          resourceVersion = written.value.resourceVersion;
          warned = false;
        } else if (!warned) {
          warned = true;
          log(`warning: the journal could not be mirrored into the cluster (${written.error.message}); the local journal is complete, and the next step's save tries again`);
        }
      });
    },
    async close() {
      await writes;
      client.close();
    },
  };
}

function userName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

/**
 * Which journal a run goes on from when the machine has one and the cluster
 * another: the newer complete one (a journal that does not parse is not
 * complete), and kspray says so. Pure.
 */
export function pickJournal<J>(local: { journal: J; savedAt: string | undefined } | undefined, remote: { journal: J | undefined; savedAt: string | undefined; problem?: string } | undefined):
  { journal: J | undefined; source: 'local' | 'cluster' | 'none'; note: string | undefined } {
  if (!remote || remote.journal === undefined) {
    const note = remote?.problem ? `the journal kept in the cluster is not complete (${remote.problem}); going on from the local one` : undefined;
    return local ? { journal: local.journal, source: 'local', note } : { journal: undefined, source: 'none', note };
  }
  if (!local) return { journal: remote.journal, source: 'cluster', note: `no local journal: resuming from the one kept in the cluster (saved ${remote.savedAt ?? 'at an unknown time'})` };
  const newer = savedTime(remote.savedAt) > savedTime(local.savedAt);
  if (newer) return { journal: remote.journal, source: 'cluster', note: `the journal kept in the cluster (saved ${remote.savedAt}) is newer than the local one (saved ${local.savedAt ?? 'at an unknown time'}): going on from the cluster's` };
  return { journal: local.journal, source: 'local', note: savedTime(remote.savedAt) !== savedTime(local.savedAt) ? `the local journal (saved ${local.savedAt ?? '?'}) is newer than the one kept in the cluster (saved ${remote.savedAt ?? '?'}): going on from the local one` : undefined };
}

/** When a copy was saved, as a time (not as text: two spellings of one instant are one time); none or unreadable is the oldest. */
function savedTime(savedAt: string | undefined): number {
  const ms = savedAt === undefined ? Number.NaN : Date.parse(savedAt);
  return Number.isNaN(ms) ? Number.NEGATIVE_INFINITY : ms;
}
