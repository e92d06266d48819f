/**
 * Exit codes are part of the CLI contract (see README "Exit codes"). Only the
 * CLI entry point turns an error into an exit code; domain code throws these.
 */
export const ExitCode = {
  ok: 0,
  /** The work failed: a playbook failed, a preflight blocks, `validate` found problems. */
  failed: 1,
  /** Bad input or usage: invalid cluster file, unknown version, impossible plan. */
  usage: 2,
  /** Interrupted (Ctrl-C, SIGTERM) or locked by another run. */
  interrupted: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An error meant for the operator: what went wrong, and how to fix it. */
export class KsprayError extends Error {
  readonly exitCode: ExitCode;
  readonly hint: string | undefined;
  /** Machine-readable detail for the --json error document (e.g. the problems of a cluster file). */
  readonly details: Record<string, unknown> | undefined;

  constructor(message: string, options: { exitCode?: ExitCode; hint?: string; cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KsprayError';
    this.exitCode = options.exitCode ?? ExitCode.usage;
    this.hint = options.hint;
    this.details = options.details;
  }
}

/** Bad input or usage (exit 2). */
export class UsageError extends KsprayError {
  constructor(message: string, hint?: string, details?: Record<string, unknown>) {
    super(message, { exitCode: ExitCode.usage, ...(hint === undefined ? {} : { hint }), ...(details === undefined ? {} : { details }) });
    this.name = 'UsageError';
  }
}

/** The work failed (exit 1). */
export class WorkFailedError extends KsprayError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: ExitCode.failed, ...(hint === undefined ? {} : { hint }) });
    this.name = 'WorkFailedError';
  }
}

/** Interrupted or locked (exit 3). */
export class InterruptedError extends KsprayError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: ExitCode.interrupted, ...(hint === undefined ? {} : { hint }) });
    this.name = 'InterruptedError';
  }
}
