/**
 * The health gates between two steps of a hop: the gates bound to the worker
 * step before `step` (plan.gates' `after`), once that step is done, in this
 * run or an earlier one (a resumed run checks them again first). Each is
 * checked until it passes or its timeout (gates/run-gate.ts); a stop request
 * ends the wait. Every verdict is journaled and said as events.
 */
import { setTimeout as sleepFor } from 'node:timers/promises';
import type { GateCheckResult } from '../gates/run-gate.js';
import { runGate } from '../gates/run-gate.js';
import type { GateRecord, Journal } from '../journal/journal.js';
import { gatesAfter } from '../plan/gates.js';
import { isWorkerStep } from '../plan/step-kinds.js';
import type { PlanGate, PlanHop, PlanStep } from '../plan/types.js';
import { redact } from '../util/redact.js';
import type { EngineEventInput } from './events.js';

export interface GatesBeforeInput {
  hop: PlanHop;
  step: PlanStep;
  gates: readonly PlanGate[];
  journal: Journal;
  skipped: ReadonlyArray<{ name: string; reason: string }>;
  check: ((gate: PlanGate, context: { after: PlanStep; attemptTimeoutMs: number; signal: AbortSignal }) => Promise<GateCheckResult>) | undefined;
  now: () => number;
  /** Ends a wait between two checks (the graceful stop). */
  stop: AbortSignal;
  /** Ends a check under way too (the second Ctrl-C). */
  immediate: AbortSignal;
  emit: (event: EngineEventInput) => void;
  record: (entry: Omit<GateRecord, 'at' | 'runId'>) => Promise<void>;
}

export type GatesVerdict =
  | { ok: true }
  | { ok: false; status: 'failed'; gate: PlanGate; after: PlanStep; reason: string; output: string }
  | { ok: false; status: 'interrupted' };

export async function gatesBefore(input: GatesBeforeInput): Promise<GatesVerdict> {
  const { hop, step } = input;
  const index = hop.steps.findIndex((candidate) => candidate.id === step.id);
  const previous = index > 0 ? hop.steps[index - 1] : undefined;
  if (!previous || !isWorkerStep(previous) || input.journal.steps[previous.id]?.status !== 'succeeded') return { ok: true };
  const say = (gate: PlanGate, event: { phase: 'start' | 'attempt' | 'end'; status: 'checking' | 'passed' | 'failed' | 'skipped' | 'interrupted'; attempt: number; output: string | null; durationMs: number }): void => {
    input.emit({ type: 'gate', name: gate.name, kind: gate.kind, after: previous.id, before: step.id, ...event, durationMs: Math.max(0, Math.round(event.durationMs)) });
  };
  for (const gate of gatesAfter(input.gates, previous.id)) {
    const skipped = input.skipped.find((candidate) => candidate.name === gate.name);
    if (skipped) {
      say(gate, { phase: 'end', status: 'skipped', attempt: 0, output: null, durationMs: 0 });
      await input.record({ name: gate.name, after: previous.id, before: step.id, status: 'skipped', attempts: 0, durationMs: 0, reason: skipped.reason });
      continue;
    }
    say(gate, { phase: 'start', status: 'checking', attempt: 0, output: null, durationMs: 0 });
    const started = input.now();
    const check = input.check;
    const verdict = !check
      ? { status: 'failed' as const, attempts: 0, durationMs: 0, output: '', reason: `health gate ${gate.name} cannot be checked here` }
      : await runGate(gate, {
        check: (planned, attemptTimeoutMs) => check(planned, { after: previous, attemptTimeoutMs, signal: input.immediate }),
        now: input.now,
        sleep: (ms, signal) => sleepFor(ms, true, { signal }).catch(() => false),
        signal: AbortSignal.any([input.stop, input.immediate]),
        onAttempt: (attempt, outcome) => say(gate, {
          phase: 'attempt', status: outcome.passed ? 'passed' : 'checking', attempt, output: outcome.output ? tail(outcome.output) : null, durationMs: input.now() - started,
        }),
      });
    const output = verdict.output ? tail(verdict.output) : null;
    say(gate, { phase: 'end', status: verdict.status, attempt: verdict.attempts, output, durationMs: verdict.durationMs });
    await input.record({
      name: gate.name, after: previous.id, before: step.id, status: verdict.status, attempts: verdict.attempts, durationMs: Math.round(verdict.durationMs),
      ...(output ? { output } : {}),
    });
    if (verdict.status === 'passed') continue;
    if (verdict.status === 'interrupted') return { ok: false, status: 'interrupted' };
    return { ok: false, status: 'failed', gate, after: previous, reason: verdict.reason ?? `health gate ${gate.name} failed`, output: verdict.output };
  }
  return { ok: true };
}

/** The last lines of a check's output, masked: enough to say why, small enough for a journal. */
function tail(text: string): string {
  const kept = redact(text).trim().split('\n').slice(-20).join('\n');
  return kept.length > 2000 ? kept.slice(-2000) : kept;
}
