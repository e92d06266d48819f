import type { Command } from 'commander';
import { ExitCode } from '../util/errors.js';
import { printStderr, printStdout, printJson } from './output.js';

export function register(program: Command): void {
  program
    .command('validate')
    .description('check a cluster file: every problem as FILE:LINE:COL path: message — how to fix (exit 1 when invalid)')
    .requiredOption('-c, --cluster <file>', 'cluster file (YAML)')
    .option('--json', 'print the problems as one JSON document')
    .action(async (options: { cluster: string; json?: boolean }) => {
      const { loadClusterFile } = await import('../model/load.js');
      const { formatProblem } = await import('../model/problems.js');
      const result = await loadClusterFile(options.cluster, { checkSecrets: true });
      const problems = result.ok ? result.warnings : result.problems;
      if (options.json) {
        printJson({ valid: result.ok, problems });
      } else {
        for (const problem of problems) printStderr(formatProblem(problem));
        if (result.ok) printStdout(`${options.cluster}: valid (${result.cluster.nodes.length} nodes)`);
        else printStderr(`${options.cluster}: ${problems.filter((p) => p.severity === 'error').length} problem(s)`);
      }
      process.exitCode = result.ok ? ExitCode.ok : ExitCode.failed;
    });
}
