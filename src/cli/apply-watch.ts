/**
 * What `kspray apply` watches in the cluster while it runs: the canary soak
 * (--soak) and the health gates (upgrade.gates). Both read only what they
 * need: the canary nodes and the pods on them, the objects a gate names.
 * The Kubernetes client is loaded only when one of them needs it.
 */
import type { ApplyDeps } from '../apply/apply.js';
import type { GateChecker } from '../gates/check-gate.js';
import { resolveKubeconfig } from '../kube/kubeconfig.js';
import type { KubeAccess } from '../kube/types.js';
import type { LoadedCluster } from '../model/load.js';
import type { PlanDocument } from '../plan/types.js';
import { UsageError } from '../util/errors.js';
import type { ApplyCommandOptions } from './apply.js';
import type { LiveFacts } from './live-facts.js';

/** The kubeconfig apply reads the cluster through (the same rules as the plan's read), or undefined when none is found. */
export function kubeAccess(loaded: LoadedCluster, options: Pick<ApplyCommandOptions, 'kubeconfig' | 'context'>): KubeAccess | undefined {
  const resolved = resolveKubeconfig({
    flag: options.kubeconfig, flagContext: options.context, env: process.env.KUBECONFIG,
    model: loaded.cluster.access?.kubeconfig, modelContext: loaded.cluster.access?.context, clusterFile: loaded.file, clusterName: loaded.cluster.name,
  });
  return resolved.ok ? resolved.value : undefined;
}

/** `--soak`: after the canary step, watch the canary nodes (and only them) for the duration; needs the cluster API. */
export async function soakStep(options: ApplyCommandOptions, live: LiveFacts | undefined, noClusterApi: string | undefined, access: KubeAccess | undefined): Promise<ApplyDeps['afterStep']> {
  if (options.soak === undefined || noClusterApi !== undefined) return undefined;
  const { parseDuration, soakCanary } = await import('../apply/soak.js');
  const durationMs = parseDuration(options.soak);
  if (durationMs === undefined) throw new UsageError(`--soak ${options.soak} is not a duration`, 'write e.g. --soak 30s, --soak 10m or --soak 1h');
  if (live && !live.ok && !options.dryRun) throw new UsageError(`--soak needs the cluster API: ${live.reason}`, 'pass --kubeconfig (or set KUBECONFIG) so kspray can watch the canary');
  return async (step, note, stop) => {
    if (step.kind !== 'canary') return { ok: true };
    if (!access) return { ok: false, reason: 'no kubeconfig to watch the canary through' };
    const { connectKube } = await import('../kube/client.js');
    const { readNodesAndTheirPods } = await import('../kube/focused.js');
    const connected = await connectKube(access);
    if (!connected.ok) return { ok: false, reason: `cannot read the cluster during the soak: ${connected.error.message}` };
    const client = connected.value;
    try {
      const { setTimeout: sleep } = await import('node:timers/promises');
      const result = await soakCanary({
        nodes: step.hosts, durationMs, intervalMs: Math.min(15_000, Math.max(1_000, durationMs / 4)),
        readFacts: async () => {
          const read = await readNodesAndTheirPods(client, step.hosts);
          return read.ok ? { ok: true, facts: read.value } : { ok: false, reason: read.error.message };
        },
        now: () => Date.now(), sleep: (ms) => sleep(ms, true, { signal: stop }).catch(() => false), onCheck: note,
      });
      if (result.ok === 'interrupted') return { ok: 'interrupted' };
      return result.ok ? { ok: true } : { ok: false, reason: `canary regression during the soak: ${result.problems.join('; ')}` };
    } finally {
      client.close();
    }
  };
}

/** The health gates' checker, when the plan has gates. */
export async function gateChecker(plan: PlanDocument, loaded: LoadedCluster, access: KubeAccess | undefined): Promise<GateChecker | undefined> {
  if (plan.gates.length === 0) return undefined;
  const { createGateChecker } = await import('../gates/check-gate.js');
  return createGateChecker({ kube: access, cwd: loaded.baseDir });
}
