/**
 * What a running step tells the views: its plays and tasks as Ansible
 * announces them, a host's change (it entered a play, failed, retries, or
 * finished), and each host's result when the step ends. The per-host
 * progress (ansible/host-progress.ts) is folded into changes here, so a
 * 500-node run says what changed, not the whole state every event.
 */
import type { AnsibleEvent } from '../ansible/events.js';
import type { HostProgress, ProgressState } from '../ansible/host-progress.js';
import { hostStatusOf } from '../journal/journal.js';
import type { PlanStep } from '../plan/types.js';
import { redact } from '../util/redact.js';
import type { EngineEventInput } from './events.js';
import type { StepOutcome } from './run-step.js';

export interface StepReporter {
  progress(state: ProgressState): void;
  event(event: AnsibleEvent): void;
  /** Each host's result, when the step ended. */
  results(outcome: StepOutcome): void;
}

export function stepReporter(step: PlanStep, emit: (event: EngineEventInput) => void): StepReporter {
  const seen = new Map<string, string>();
  let play: string | null = null;
  const text = (value: string | undefined): string | null => (value === undefined ? null : redact(value));
  return {
    progress(state) {
      for (const [host, progress] of Object.entries(state.hosts)) {
        if (progress.status === 'pending') continue;
        const key = `${progress.status}|${progress.playSeq}|${progress.retry?.attempts ?? ''}|${state.finished}`;
        if (seen.get(host) === key) continue;
        seen.set(host, key);
        emit({
          type: 'host', phase: 'update', stepId: step.id, host, status: state.finished ? finishedStatus(progress) : progress.status,
          play: text(progress.play), task: text(progress.task), message: text(progress.message),
          retry: progress.retry ? { attempt: progress.retry.attempts + 1, of: Math.max(1, progress.retry.retries) } : null,
          counts: null, durationMs: null,
        });
      }
    },
    event(event) {
      if (event.type === 'play_start') {
        play = event.name;
        emit({ type: 'play', stepId: step.id, name: redact(event.name), batch: event.batch ?? null });
      } else if (event.type === 'task_start') {
        emit({ type: 'task', stepId: step.id, name: redact(event.name), play: text(play ?? undefined) });
      }
    },
    results(outcome) {
      for (const [host, result] of Object.entries(outcome.hosts).sort(([a], [b]) => a.localeCompare(b))) {
        const counts = { ok: result.ok, changed: result.changed, failed: result.failed, unreachable: result.unreachable, skipped: result.skipped };
        const failedTask = outcome.failedTasks?.find((task) => task.host === host);
        emit({
          type: 'host', phase: 'result', stepId: step.id, host, status: result.status ?? hostStatusOf(counts),
          play: text(failedTask?.play ?? undefined), task: text(failedTask?.task ?? undefined), message: text(failedTask?.message ?? undefined),
          retry: null, counts, durationMs: result.durationMs ?? null,
        });
      }
    },
  };
}

function finishedStatus(progress: HostProgress): 'ok' | 'changed' | 'failed' | 'unreachable' {
  if (progress.status === 'unreachable' || progress.status === 'failed') return progress.status;
  return progress.changed > 0 ? 'changed' : 'ok';
}
