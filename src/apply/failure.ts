/**
 * Where a run that did not succeed stopped, said once for stderr and the
 * --json document alike: the step and hop, the failed hosts, per failed host
 * the play, task and Ansible's message, the log, the health gate that did
 * not pass, and the command that resumes. Pure.
 */
import { relative } from 'node:path';
import type { PlanHop, PlanStep } from '../plan/types.js';
import { ExitCode } from '../util/errors.js';
import { redact } from '../util/redact.js';
import type { FailedTask } from './run-step.js';

export interface ApplyFailure {
  exitCode: ExitCode;
  message: string;
  hint: string;
  stepId: string | null;
  hop: number | null;
  failedHosts: string[];
  logPath: string | null;
  /** Per failed host: where it failed (play, task, Ansible's message, masked). */
  failedTasks: FailedTask[];
  /** The health gate that did not pass, with its last output. */
  gate: { name: string; after: string; output: string | null } | null;
  /** Interrupted: stopped gracefully at a batch or step boundary (no host in flight). */
  atBoundary: boolean;
  /** The command that resumes where this run stopped; null when there is nothing to resume. */
  resumeCommand: string | null;
}

type Where = Pick<ApplyFailure, 'stepId' | 'hop' | 'failedHosts' | 'logPath' | 'failedTasks' | 'gate' | 'atBoundary' | 'resumeCommand'>;

/** A run that ended before any step of the hop (a refusal, a "no", a hop that cannot be prepared). */
export function nowhere(hop: PlanHop | undefined): Where {
  return { stepId: null, hop: hop?.index ?? null, failedHosts: [], logPath: null, failedTasks: [], gate: null, atBoundary: false, resumeCommand: null };
}

/** A log path as the operator types it, from where kspray was started. */
export function shownPath(file: string): string {
  return relative(process.cwd(), file) || file;
}

export function stepFailure(step: PlanStep, outcome: { failedHosts: string[]; message: string | undefined; failedTasks?: FailedTask[] | undefined }, logFile: string, resume: string): ApplyFailure {
  const log = shownPath(logFile);
  const tasks = (outcome.failedTasks ?? []).map((task) => ({ ...task, message: task.message === null ? null : redact(task.message) }));
  const where = tasks.map(describeTask);
  return {
    exitCode: ExitCode.failed, stepId: step.id, hop: step.hop, failedHosts: outcome.failedHosts, logPath: log, failedTasks: tasks, gate: null, atBoundary: false,
    resumeCommand: resume,
    message: [
      `${step.id} failed${outcome.failedHosts.length > 0 ? ` on ${outcome.failedHosts.join(', ')}` : ''}${where.length === 0 && outcome.message ? `: ${outcome.message}` : ''}`,
      ...where.map((line) => `    ${line}`),
    ].join('\n'),
    hint: `full output: ${log}; fix the cause, then resume at ${step.id}: ${resume}`,
  };
}

/** `k1-node03: play "…", task "…": Ansible's message`. */
export function describeTask(task: FailedTask): string {
  const parts = [task.play === null ? undefined : `play "${task.play}"`, task.task === null ? undefined : `task "${task.task}"`].filter(Boolean).join(', ');
  return `${task.host}${parts ? `: ${parts}` : ''}${task.message ? `: ${task.message}` : ''}`;
}

export function gateFailure(input: { name: string; after: PlanStep; before: PlanStep; reason: string; output: string }, resume: string): ApplyFailure {
  const output = redact(input.output).trim();
  return {
    ...nowhere(undefined), exitCode: ExitCode.failed, hop: input.after.hop, stepId: input.before.id,
    gate: { name: input.name, after: input.after.id, output: output === '' ? null : output },
    resumeCommand: resume,
    message: `${input.reason}; ${input.before.id} was not started${output ? `\n    output: ${output.split('\n').slice(-5).join('\n            ')}` : ''}`,
    hint: `fix what the gate checks (after ${input.after.id}), then resume: ${resume} (the gate is checked again first); to go on without it: --skip-gate ${input.name} --reason TEXT`,
  };
}

export function interruptedFailure(step: PlanStep | undefined, hop: PlanHop | undefined, options: { logFile?: string | undefined; atBoundary: boolean; resume: string; notStarted?: boolean }): ApplyFailure {
  const stepText = step ? (options.notStarted ? `before ${step.id}` : `during ${step.id}`) : '';
  return {
    ...nowhere(hop), exitCode: ExitCode.interrupted, stepId: step?.id ?? null, hop: step?.hop ?? hop?.index ?? null,
    logPath: options.logFile ? shownPath(options.logFile) : null, atBoundary: options.atBoundary, resumeCommand: options.resume,
    message: options.atBoundary
      ? `stopped as asked${stepText ? ` ${stepText}` : ''}, at a boundary: no host was left in flight`
      : `interrupted${stepText ? ` ${stepText}` : ''}`,
    hint: `resume${step ? ` at ${step.id}` : ''}: ${options.resume}`,
  };
}
