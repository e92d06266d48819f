import { describe, expect, it } from 'vitest';
import type { PlanGate } from '../plan/types.js';
import { deploymentAvailable, nodesReady, podsReady, statefulSetAvailable } from './kube-conditions.js';
import { runGate, type GateCheckResult } from './run-gate.js';

const gate: PlanGate = { name: 'ceph', kind: 'command', command: ['ceph', 'health'], http: null, kubernetes: null, timeoutMs: 60_000, intervalMs: 10_000, after: ['hop1:canary'] };

function clocked(answers: GateCheckResult[], abortAfter?: number) {
  let clock = 0;
  const controller = new AbortController();
  const asked: number[] = [];
  return {
    asked,
    deps: {
      check: async (_gate: PlanGate, attemptTimeoutMs: number) => {
        asked.push(attemptTimeoutMs);
        clock += 1000;
        return answers.shift() ?? { passed: false, output: 'HEALTH_WARN' };
      },
      now: () => clock,
      sleep: async (ms: number) => {
        clock += ms;
        if (abortAfter !== undefined && asked.length >= abortAfter) controller.abort();
        return !controller.signal.aborted;
      },
      signal: controller.signal,
    },
  };
}

describe('a health gate', () => {
  it('is asked again every interval until it passes', async () => {
    const { deps, asked } = clocked([{ passed: false, output: 'HEALTH_WARN' }, { passed: false, output: 'HEALTH_WARN' }, { passed: true, output: 'HEALTH_OK' }]);
    expect(await runGate(gate, deps)).toEqual({ status: 'passed', attempts: 3, durationMs: 23_000, output: 'HEALTH_OK' });
    expect(asked).toEqual([60_000, 49_000, 38_000]);
  });

  it('fails when the next try would come after its timeout, saying what the check said last', async () => {
    const { deps } = clocked([]);
    const verdict = await runGate(gate, deps);
    expect(verdict).toMatchObject({ status: 'failed', attempts: 6, output: 'HEALTH_WARN' });
    expect(verdict.reason).toBe('health gate ceph did not pass within 1 min (6 checks): HEALTH_WARN');
  });

  it('takes a check that throws for one that did not pass, and stops waiting when asked', async () => {
    const { deps } = clocked([], 2);
    const verdict = await runGate(gate, { ...deps, check: async (...args) => {
      await deps.check(...args);
      throw new Error('ceph: command not found');
    } });
    expect(verdict).toMatchObject({ status: 'interrupted', attempts: 2, output: 'ceph: command not found' });
  });
});

describe('the Kubernetes conditions of a gate', () => {
  const pod = (name: string, phase: string, ready: boolean) => ({ namespace: 'db', name, nodeName: 'w1', labels: {}, phase, ready, owner: undefined });
  it('wants every pod of the selector Running and Ready, and at least one', () => {
    expect(podsReady([], 'app=pg in db')).toEqual({ passed: false, output: 'no pod matches app=pg in db' });
    expect(podsReady([pod('pg-0', 'Running', true), pod('pg-1', 'Running', false)], 'app=pg in db')).toEqual({ passed: false, output: '1 of 2 pod(s) of app=pg in db not ready: pg-1 (Running, not ready)' });
    expect(podsReady([pod('pg-0', 'Running', true)], 'app=pg in db').passed).toBe(true);
  });

  it('wants a Deployment or StatefulSet fully available on its current spec', () => {
    const deployment = (status: Record<string, unknown>, generation = 2) => ({ metadata: { generation }, spec: { replicas: 3 }, status: { observedGeneration: 2, ...status } });
    expect(deploymentAvailable(deployment({ replicas: 3, updatedReplicas: 3, availableReplicas: 3 }), 'd').passed).toBe(true);
    expect(deploymentAvailable(deployment({ replicas: 3, updatedReplicas: 3, availableReplicas: 2 }), 'd')).toEqual({ passed: false, output: 'd: 2/3 available, 3 updated' });
    expect(deploymentAvailable(deployment({ replicas: 3, updatedReplicas: 3, availableReplicas: 3 }, 3), 'd').passed).toBe(false);
    expect(deploymentAvailable(undefined, 'Deployment web/front')).toEqual({ passed: false, output: 'Deployment web/front does not exist' });
    const sts = (status: Record<string, unknown>) => ({ metadata: { generation: 1 }, spec: { replicas: 2 }, status: { observedGeneration: 1, ...status } });
    expect(statefulSetAvailable(sts({ readyReplicas: 2, updatedReplicas: 2, currentRevision: 'a', updateRevision: 'a' }), 's').passed).toBe(true);
    expect(statefulSetAvailable(sts({ readyReplicas: 2, updatedReplicas: 1, currentRevision: 'a', updateRevision: 'b' }), 's').output).toBe('s: 2/2 ready, 1 updated, a rollout is under way');
  });

  it('wants every node Ready', () => {
    const node = (name: string, ready: boolean) => ({ name, ready, unschedulable: false, kubeletVersion: 'v1.17.12', roles: [], labels: {}, zone: undefined });
    expect(nodesReady([node('a', true), node('b', false)])).toEqual({ passed: false, output: '1 node(s) NotReady: b' });
    expect(nodesReady([node('a', true)]).passed).toBe(true);
  });
});
