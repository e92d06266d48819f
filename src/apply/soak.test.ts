import { describe, expect, it } from 'vitest';
import type { ClusterFacts, NodeFact, PodFact } from '../kube/types.js';
import { canaryProblems, parseDuration, soakCanary } from './soak.js';

const node = (name: string, ready = true): NodeFact => ({ name, ready, unschedulable: false, kubeletVersion: 'v1.17.12', roles: [], labels: {}, zone: undefined });
const pod = (name: string, nodeName: string, phase = 'Running', ready = true): PodFact => ({ namespace: 'default', name, nodeName, labels: {}, phase, ready, owner: undefined });
const facts = (nodes: NodeFact[], pods: PodFact[]): ClusterFacts => ({ serverVersion: 'v1.17.12', nodes, pods, pdbs: [], services: [], served: [], gaps: [] });

describe('canary soak', () => {
  it('passes when the canary stays Ready and its pods Running for the whole duration', async () => {
    let clock = 0;
    const result = await soakCanary({
      nodes: ['w1'], durationMs: 60_000, intervalMs: 20_000,
      readFacts: async () => ({ ok: true, facts: facts([node('w1')], [pod('a', 'w1'), pod('job', 'w1', 'Succeeded', false), pod('b', 'w2', 'Pending', false)]) }),
      now: () => clock, sleep: async (ms) => { clock += ms; return true; },
    });
    expect(result).toEqual({ ok: true, checks: 4 });
  });

  it('stops at the first check that sees a regression, naming it', async () => {
    let clock = 0;
    const states = [facts([node('w1')], [pod('a', 'w1')]), facts([node('w1')], [pod('a', 'w1', 'CrashLoopBackOff', false)])];
    const result = await soakCanary({
      nodes: ['w1'], durationMs: 60_000, intervalMs: 10_000,
      readFacts: async () => ({ ok: true, facts: states.shift() ?? facts([node('w1', false)], []) }),
      now: () => clock, sleep: async (ms) => { clock += ms; return true; },
    });
    expect(result).toEqual({ ok: false, problems: ['pod default/a on w1 is CrashLoopBackOff, not ready'] });
  });

  it('ends when a stop request ends its wait, neither passed nor failed', async () => {
    let clock = 0;
    const result = await soakCanary({
      nodes: ['w1'], durationMs: 60_000, intervalMs: 20_000,
      readFacts: async () => ({ ok: true, facts: facts([node('w1')], []) }),
      now: () => clock, sleep: async (ms) => { clock += ms; return clock <= 20_000; },
    });
    expect(result).toEqual({ ok: 'interrupted', checks: 2 });
  });

  it('names a NotReady or vanished canary node', () => {
    expect(canaryProblems(facts([node('w1', false)], []), ['w1', 'w2'])).toEqual(['node w1 is NotReady', 'node w2 is gone from the cluster']);
  });

  it('parses durations', () => {
    expect(parseDuration('90')).toBe(90_000);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('10m')).toBe(600_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('soon')).toBeUndefined();
    expect(parseDuration('')).toBeUndefined();
  });
});
