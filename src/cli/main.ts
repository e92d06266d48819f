/**
 * The entry point: builds the command tree, runs it, and is the only place
 * that turns errors into exit codes (see README "Exit codes").
 */
import { Command, CommanderError } from 'commander';
import { createRequire } from 'node:module';
import { ExitCode, KsprayError } from '../util/errors.js';
import { ExecError } from '../process/exec-error.js';
import { printStderr } from './output.js';
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
    return exitCodeFor(error);
  }
}

function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) {
    // --help and --version end through here with exit code 0.
    return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  }
  if (error instanceof KsprayError) {
    printStderr(`kspray: ${error.message}${error.hint ? `\n  ${error.hint}` : ''}`);
    return error.exitCode;
  }
  if (error instanceof ExecError) {
    printStderr(`kspray: ${error.message}`);
    return error.cancelled ? ExitCode.interrupted : ExitCode.failed;
  }
  printStderr(`kspray: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return ExitCode.failed;
}
