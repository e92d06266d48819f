/**
 * One health gate, checked until it passes or its timeout: the check is
 * asked, and asked again every interval, while the time left allows. The
 * check itself (a command, an HTTP GET, a condition in the cluster) is
 * injected, and so are the clock and the wait, so the rule is tested without
 * waiting. A stop request ends the wait at once: the gate then neither
 * passed nor failed, and the step after it did not start.
 */
import type { PlanGate } from '../plan/types.js';

export interface GateCheckResult {
  passed: boolean;
  /** What the check said (its output, the status and body, the objects that are not ready), short. */
  output: string;
}

export interface GateVerdict {
  status: 'passed' | 'failed' | 'interrupted';
  attempts: number;
  durationMs: number;
  /** The last check's output. */
  output: string;
  /** failed: why, in one line. */
  reason?: string;
}

export interface RunGateDeps {
  check: (gate: PlanGate, attemptTimeoutMs: number) => Promise<GateCheckResult>;
  now: () => number;
  /** Waits `ms`; resolves early (to false) when `signal` aborts. */
  sleep: (ms: number, signal: AbortSignal) => Promise<boolean>;
  signal: AbortSignal;
  onAttempt?: (attempt: number, result: GateCheckResult) => void;
}

/** A single check never runs longer than this, nor than the time the gate has left. */
const ATTEMPT_CAP_MS = 60_000;

export async function runGate(gate: PlanGate, deps: RunGateDeps): Promise<GateVerdict> {
  const started = deps.now();
  const deadline = started + gate.timeoutMs;
  let attempts = 0;
  let last: GateCheckResult = { passed: false, output: '' };
  for (;;) {
    if (deps.signal.aborted) return { status: 'interrupted', attempts, durationMs: deps.now() - started, output: last.output };
    attempts += 1;
    const left = Math.max(1, deadline - deps.now());
    try {
      last = await deps.check(gate, Math.min(ATTEMPT_CAP_MS, left));
    } catch (error) {
      last = { passed: false, output: error instanceof Error ? error.message : String(error) };
    }
    deps.onAttempt?.(attempts, last);
    const elapsed = deps.now() - started;
    if (last.passed) return { status: 'passed', attempts, durationMs: elapsed, output: last.output };
    if (deps.now() + gate.intervalMs > deadline) {
      return {
        status: 'failed', attempts, durationMs: elapsed, output: last.output,
        reason: `health gate ${gate.name} did not pass within ${formatMs(gate.timeoutMs)} (${attempts} check${attempts === 1 ? '' : 's'})${last.output ? `: ${last.output.split('\n').filter(Boolean).at(-1)}` : ''}`,
      };
    }
    if (!(await deps.sleep(gate.intervalMs, deps.signal))) return { status: 'interrupted', attempts, durationMs: deps.now() - started, output: last.output };
  }
}

function formatMs(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms % 1000 === 0) return `${ms / 1000} s`;
  return `${ms} ms`;
}
