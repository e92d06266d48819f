import { describe, expect, it } from 'vitest';
import type { PlanGate, PlanStep } from '../plan/types.js';
import { createGateChecker } from './check-gate.js';
import { runGate } from './run-gate.js';

const after = { id: 'hop1:canary', hosts: ['k1-node01'] } as PlanStep;

describe('a command gate that outlives its time', () => {
  it('does not pass, and says it timed out', async () => {
    const gate: PlanGate = { name: 'slow', kind: 'command', command: ['sleep', '30'], http: null, kubernetes: null, timeoutMs: 300, intervalMs: 1000, after: [after.id] };
    const checker = createGateChecker({ kube: undefined, cwd: '/' });
    const signal = new AbortController().signal;
    const verdict = await runGate(gate, {
      check: (planned, attemptTimeoutMs) => checker.check(planned, { after, attemptTimeoutMs, signal }),
      now: () => Date.now(),
      sleep: async () => true,
      signal,
    });
    expect(verdict).toMatchObject({ status: 'failed', attempts: 1 });
    // The process chokepoint throws on a timeout (run() in process/exec.ts); the gate takes that for a check that did not pass.
    expect(verdict.reason).toMatch(/^health gate slow did not pass within 300 ms \(1 check\): .*timed out.*sleep 30$/);
  });
});
