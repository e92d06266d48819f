/**
 * A problem in a file the operator wrote, reported the way compilers do:
 * `FILE:LINE:COL path: message — how to fix`. Every problem is collected and
 * reported together; the CLI decides what exit code they mean.
 */
export interface Problem {
  severity: 'error' | 'warning';
  file: string;
  line: number;
  col: number;
  /** Dotted path into the cluster file, e.g. `nodes[3].ip`; empty for the whole file. */
  path: string;
  message: string;
  fix: string;
}

export function formatProblem(problem: Problem): string {
  const where = `${problem.file}:${problem.line}:${problem.col}`;
  const label = problem.severity === 'warning' ? 'warning: ' : '';
  const path = problem.path ? `${problem.path}: ` : '';
  return `${where} ${label}${path}${problem.message} — ${problem.fix}`;
}

export function formatPath(path: ReadonlyArray<string | number>): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else {
      // A key with a line break (or any control character) is shown escaped: it must not break the report into lines.
      const shown = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(segment) ? JSON.stringify(segment).replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : segment;
      out += out ? `.${shown}` : shown;
    }
  }
  return out;
}

export function hasErrors(problems: readonly Problem[]): boolean {
  return problems.some((problem) => problem.severity === 'error');
}

export function sortProblems(problems: Problem[]): Problem[] {
  return problems.sort((a, b) => a.line - b.line || a.col - b.col || a.path.localeCompare(b.path));
}
