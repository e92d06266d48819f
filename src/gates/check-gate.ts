/**
 * One check of a health gate, for real: the command through the process
 * chokepoint (an argv, never a shell; KUBECONFIG set to the cluster's), the
 * HTTP GET, or the condition read from the API with only the reads it needs.
 * A check that cannot run (no such command, no answer) is a check that did
 * not pass, with the reason as its output.
 */
import { connectKube, type KubeClient } from '../kube/client.js';
import { readNodes, readPodsBySelector, readWorkload } from '../kube/focused.js';
import type { KubeAccess } from '../kube/types.js';
import type { PlanGate, PlanStep } from '../plan/types.js';
import { run } from '../process/exec.js';
import { redact } from '../util/redact.js';
import { deploymentAvailable, nodesReady, podsReady, statefulSetAvailable } from './kube-conditions.js';
import type { GateCheckResult } from './run-gate.js';

export interface GateCheckerOptions {
  /** The kubeconfig the run reads the cluster through (KUBECONFIG of a command gate; the API of a kubernetes gate). */
  kube: KubeAccess | undefined;
  /** Where a command gate runs (the cluster file's directory). */
  cwd: string;
}

export interface GateChecker {
  check(gate: PlanGate, context: { after: PlanStep; attemptTimeoutMs: number; signal: AbortSignal }): Promise<GateCheckResult>;
  close(): void;
}

export function createGateChecker(options: GateCheckerOptions): GateChecker {
  let client: KubeClient | undefined;
  const kube = async (): Promise<KubeClient> => {
    if (client) return client;
    if (!options.kube) throw new Error('no kubeconfig: a kubernetes gate needs the cluster API');
    const connected = await connectKube(options.kube);
    if (!connected.ok) throw new Error(connected.error.message);
    client = connected.value;
    return client;
  };
  return {
    async check(gate, context) {
      if (gate.command) return checkCommand(gate.command, context, options);
      if (gate.http) return checkHttp(gate.http, context);
      return checkKube(gate, await kube());
    },
    close() {
      client?.close();
    },
  };
}

async function checkCommand(argv: string[], context: { after: PlanStep; attemptTimeoutMs: number; signal: AbortSignal }, options: GateCheckerOptions): Promise<GateCheckResult> {
  const result = await run(argv, {
    // Its own process group: on a timeout or a stop, whatever the gate forked ends with it (and the lock knows the group).
    cwd: options.cwd, reject: false, timeoutMs: context.attemptTimeoutMs, signal: context.signal, processGroup: true, killGraceMs: 2_000,
    env: {
      ...(options.kube ? { KUBECONFIG: options.kube.kubeconfigPaths.join(':') } : {}),
      KSPRAY_GATE_AFTER: context.after.id, KSPRAY_GATE_HOSTS: context.after.hosts.join(','),
    },
  });
  // A timeout, a stop or a missing command is thrown by run(), not returned: runGate takes it for a check that did not pass.
  const output = redact(`${result.stdout}\n${result.stderr}`.trim());
  return { passed: result.exitCode === 0, output: output || `${argv[0]} exited ${result.exitCode}` };
}

async function checkHttp(http: NonNullable<PlanGate['http']>, context: { attemptTimeoutMs: number; signal: AbortSignal }): Promise<GateCheckResult> {
  let response: Response;
  try {
    response = await fetch(http.url, { signal: AbortSignal.any([context.signal, AbortSignal.timeout(context.attemptTimeoutMs)]), headers: { 'User-Agent': 'kspray health gate' } });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return { passed: false, output: `GET ${http.url}: ${cause?.code ?? cause?.message ?? (error as Error).message}` };
  }
  const body = await response.text().catch(() => '');
  const statusOk = response.status === http.status;
  const bodyOk = http.bodyContains === null || body.includes(http.bodyContains);
  const excerpt = body.trim().replace(/\s+/g, ' ').slice(0, 200);
  return {
    passed: statusOk && bodyOk,
    output: redact(`GET ${http.url}: ${response.status}${statusOk ? '' : ` (wanted ${http.status})`}${bodyOk ? '' : `, the body does not contain "${http.bodyContains}"`}${excerpt ? `: ${excerpt}` : ''}`),
  };
}

async function checkKube(gate: PlanGate, client: KubeClient): Promise<GateCheckResult> {
  const k = gate.kubernetes!;
  const unwrap = <T>(result: { ok: true; value: T } | { ok: false; error: { message: string } }): T => {
    if (!result.ok) throw new Error(result.error.message);
    return result.value;
  };
  switch (k.condition) {
    case 'pods-ready':
      return podsReady(unwrap(await readPodsBySelector(client, k.namespace!, k.selector!)), `${k.selector} in ${k.namespace}`);
    case 'deployment-available':
      return deploymentAvailable(unwrap(await readWorkload(client, 'deployments', k.namespace!, k.name!)), `Deployment ${k.namespace}/${k.name}`);
    case 'statefulset-available':
      return statefulSetAvailable(unwrap(await readWorkload(client, 'statefulsets', k.namespace!, k.name!)), `StatefulSet ${k.namespace}/${k.name}`);
    case 'nodes-ready':
      return nodesReady(unwrap(await readNodes(client)));
  }
}
