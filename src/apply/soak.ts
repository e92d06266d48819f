/**
 * The canary soak: after the canary wave, wait `--soak DURATION` while the
 * canary nodes stay Ready and their pods keep Running. A regression stops the
 * run before the next wave. The clock, the sleep and the cluster read are
 * injected, so the rule itself is tested without waiting; the read asks the
 * API for the canary nodes and the pods on them only (kube/focused.ts).
 */
import { parseDurationMs } from '../util/duration.js';
import type { ClusterFacts } from '../kube/types.js';

export type CanaryFacts = Pick<ClusterFacts, 'nodes' | 'pods'>;

export interface SoakInput {
  nodes: readonly string[];
  durationMs: number;
  intervalMs: number;
  readFacts: () => Promise<{ ok: true; facts: CanaryFacts } | { ok: false; reason: string }>;
  now: () => number;
  /** Waits; false when a stop request ended the wait. */
  sleep: (ms: number) => Promise<boolean>;
  onCheck?: (summary: string) => void;
}

export type SoakResult = { ok: true; checks: number } | { ok: false; problems: string[] } | { ok: 'interrupted'; checks: number };

/** What is wrong with the canaries now; [] when they are healthy. */
export function canaryProblems(facts: CanaryFacts, nodes: readonly string[]): string[] {
  const problems: string[] = [];
  for (const name of nodes) {
    const node = facts.nodes.find((candidate) => candidate.name === name);
    if (!node) problems.push(`node ${name} is gone from the cluster`);
    else if (!node.ready) problems.push(`node ${name} is NotReady`);
  }
  for (const pod of facts.pods) {
    if (pod.nodeName === undefined || !nodes.includes(pod.nodeName)) continue;
    if (pod.phase === 'Succeeded') continue; // finished jobs are fine
    if (pod.phase !== 'Running' || !pod.ready) problems.push(`pod ${pod.namespace}/${pod.name} on ${pod.nodeName} is ${pod.phase}${pod.ready ? '' : ', not ready'}`);
  }
  return problems;
}

export async function soakCanary(input: SoakInput): Promise<SoakResult> {
  const deadline = input.now() + input.durationMs;
  let checks = 0;
  for (;;) {
    const read = await input.readFacts();
    checks += 1;
    if (!read.ok) return { ok: false, problems: [`cannot read the cluster during the soak: ${read.reason}`] };
    const problems = canaryProblems(read.facts, input.nodes);
    if (problems.length > 0) return { ok: false, problems };
    const left = deadline - input.now();
    input.onCheck?.(`canary ${input.nodes.join(', ')} healthy (check ${checks}); ${Math.max(0, Math.ceil(left / 1000))}s of soak left`);
    if (left <= 0) return { ok: true, checks };
    if (!(await input.sleep(Math.min(input.intervalMs, left)))) return { ok: 'interrupted', checks };
  }
}

/** `--soak`: `30s`, `10m`, `1h30m`, `90` (seconds). */
export function parseDuration(text: string): number | undefined {
  return parseDurationMs(text, { bareSeconds: true });
}
