/**
 * Shared by every command that takes -c: load the cluster file or fail with
 * every problem listed (exit 2: for commands other than `validate`, an
 * invalid cluster file is bad input).
 */
import { UsageError } from '../util/errors.js';
import { formatProblem } from '../model/problems.js';
import { loadClusterFile, type LoadedCluster, type LoadOptions } from '../model/load.js';
import { printStderr } from './output.js';

export async function loadClusterOrFail(path: string, options: LoadOptions = {}): Promise<LoadedCluster> {
  const result = await loadClusterFile(path, options);
  if (!result.ok) {
    for (const problem of result.problems) printStderr(formatProblem(problem));
    throw new UsageError(`${path} is not a valid cluster file`, `run \`kspray validate -c ${path}\` after fixing the problems above`, { problems: result.problems });
  }
  for (const warning of result.warnings) printStderr(formatProblem(warning));
  return result;
}
