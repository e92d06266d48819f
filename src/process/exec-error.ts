/**
 * The typed error of the process chokepoint, and argv display, in a module of
 * their own: the CLI entry point needs them at start-up, execa it does not.
 */
import { redact } from '../util/redact.js';

/** A child process that failed: the command, exit code or signal, and the tail of its stderr, redacted. */
export class ExecError extends Error {
  readonly command: string;
  readonly argv: readonly string[];
  readonly exitCode: number | undefined;
  readonly signal: string | undefined;
  readonly stderrTail: string;
  readonly timedOut: boolean;
  readonly cancelled: boolean;
  readonly notFound: boolean;

  constructor(fields: {
    command: string; argv: readonly string[]; exitCode: number | undefined; signal: string | undefined;
    stderr: string; timedOut: boolean; cancelled: boolean; notFound: boolean;
  }) {
    const tail = redact(tailLines(fields.stderr, 20));
    const what = fields.notFound
      ? `${fields.command}: command not found`
      : fields.timedOut
        ? `${fields.command} timed out`
        : fields.cancelled
          ? `${fields.command} was cancelled`
          : fields.signal
            ? `${fields.command} was killed by ${fields.signal}`
            : `${fields.command} exited with code ${fields.exitCode}`;
    super(tail ? `${what}\n${tail}` : what);
    this.name = 'ExecError';
    this.command = fields.command;
    this.argv = fields.argv.map(redact);
    this.exitCode = fields.exitCode;
    this.signal = fields.signal;
    this.stderrTail = tail;
    this.timedOut = fields.timedOut;
    this.cancelled = fields.cancelled;
    this.notFound = fields.notFound;
  }
}

export function tailLines(text: string, count: number): string {
  const lines = text.trimEnd().split('\n');
  return lines.slice(-count).join('\n');
}

/** Quotes an argv for display (logs, plans): copy-pasteable into a POSIX shell. */
export function formatArgv(argv: readonly string[]): string {
  return argv.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`)).join(' ');
}

