/**
 * The entry point: builds the command tree, runs it, and is the only place
 * that turns errors into exit codes (see README "Exit codes").
 */
import { Command, CommanderError } from 'commander';
import { createRequire } from 'node:module';
import { ExitCode, KsprayError } from '../util/errors.js';
import { ExecError } from '../process/exec-error.js';
import { printedJson, printJson, printStderr } from './output.js';
import { commands } from './commands.js';

const require = createRequire(import.meta.url);

export function buildProgram(): Command {
  const { version } = require('../../package.json') as { version: string };
  const program = new Command('kspray')
    .description('Plan and run Kubespray cluster upgrades: typed, planned, resumable')
    .version(version, '-V, --version')
    .showHelpAfterError('(run kspray --help for usage)')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  for (const register of commands) register(program);
  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.ok;
  } catch (error) {
    const outcome = outcomeOf(error);
    if (outcome.message) printStderr(outcome.message);
    // --json promises one document on stdout for every outcome: an error ends in one too.
    if (argv.includes('--json') && !printedJson() && outcome.document) printJson(outcome.document);
    return outcome.exitCode;
  }
}

interface ErrorOutcome {
  exitCode: number;
  /** What stderr says; undefined when commander already said it. */
  message: string | undefined;
  document: Record<string, unknown> | undefined;
}

function outcomeOf(error: unknown): ErrorOutcome {
  const document = (exitCode: number, kind: string, message: string, extra: Record<string, unknown> = {}) =>
    ({ ok: false, exitCode, error: { kind, message, ...extra } });
  if (error instanceof CommanderError) {
    // --help and --version end through here with exit code 0.
    if (error.exitCode === 0) return { exitCode: ExitCode.ok, message: undefined, document: undefined };
    return { exitCode: ExitCode.usage, message: undefined, document: document(ExitCode.usage, 'usage', error.message.replace(/^error: /, '')) };
  }
  if (error instanceof KsprayError) {
    const kind = error.exitCode === ExitCode.usage ? 'usage' : error.exitCode === ExitCode.interrupted ? 'interrupted' : 'failed';
    return {
      exitCode: error.exitCode,
      message: `kspray: ${error.message}${error.hint ? `\n  ${error.hint}` : ''}`,
      document: document(error.exitCode, kind, error.message, { ...(error.hint ? { hint: error.hint } : {}), ...(error.details ?? {}) }),
    };
  }
  if (error instanceof ExecError) {
    const exitCode = error.cancelled ? ExitCode.interrupted : ExitCode.failed;
    return { exitCode, message: `kspray: ${error.message}`, document: document(exitCode, error.cancelled ? 'interrupted' : 'failed', error.message) };
  }
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return { exitCode: ExitCode.failed, message: `kspray: unexpected error: ${text}`, document: document(ExitCode.failed, 'bug', error instanceof Error ? error.message : String(error)) };
}
