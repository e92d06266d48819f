import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PlanGate, PlanStep } from '../plan/types.js';
import { createGateChecker } from './check-gate.js';
import { runGate } from './run-gate.js';

const after = { id: 'hop1:canary', hosts: ['k1-node01'] } as PlanStep;

/** Whether the process runs: it exists and is no zombie (a killed process stays one until something reaps it). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !['Z', 'X'].includes(stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3));
  } catch {
    return false;
  }
}

/** One gate checked as apply checks it, with no API, on this machine. */
function runOnce(gate: PlanGate) {
  const checker = createGateChecker({ kube: undefined, cwd: '/' });
  const signal = new AbortController().signal;
  return runGate(gate, {
    check: (planned, attemptTimeoutMs) => checker.check(planned, { after, attemptTimeoutMs, signal }),
    now: () => Date.now(),
    sleep: async () => true,
    signal,
  });
}

describe('a command gate that outlives its time', () => {
  it('does not pass, and says it timed out', async () => {
    const gate: PlanGate = { name: 'slow', kind: 'command', command: ['sleep', '30'], http: null, kubernetes: null, timeoutMs: 300, intervalMs: 1000, after: [after.id] };
    const verdict = await runOnce(gate);
    expect(verdict).toMatchObject({ status: 'failed', attempts: 1 });
    // The process chokepoint throws on a timeout (run() in process/exec.ts); the gate takes that for a check that did not pass.
    expect(verdict.reason).toMatch(/^health gate slow did not pass within 300 ms \(1 check\): .*timed out.*sleep 30$/);
  });

  it('ends what the gate forked too: nothing of it outlives the timeout', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kspray-gate-group-'));
    try {
      const pidFile = join(dir, 'child.pid');
      // The child holds stdout open: with only the leader killed, the check would wait for it.
      const gate: PlanGate = { name: 'forks', kind: 'command', command: ['sh', '-c', `sleep 300 & echo $! > ${pidFile}; wait`], http: null, kubernetes: null, timeoutMs: 500, intervalMs: 1000, after: [after.id] };
      const verdict = await runOnce(gate);
      expect(verdict).toMatchObject({ status: 'failed', attempts: 1 });
      const child = Number((await readFile(pidFile, 'utf8')).trim());
      await expect.poll(() => running(child)).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
