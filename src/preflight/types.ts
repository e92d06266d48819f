/**
 * The preflight framework's vocabulary. A check is a pure function from
 * gathered facts to findings; gathering (API, Ansible on hosts) is separate.
 */
export type Severity = 'block' | 'warn' | 'info';

export interface Finding {
  /** The check that produced it, e.g. "pdb". */
  check: string;
  severity: Severity;
  /** What was found, one line. */
  what: string;
  /** Where: a namespace/name, a host, a file:line. */
  where: string;
  /** Why it matters for the upgrade. */
  why: string;
  /** How to fix it. */
  fix: string;
  /** 1-based index of the first hop it applies to; undefined: every hop. */
  hop?: number;
  /** Extra machine-readable detail for --json. */
  details?: Record<string, unknown>;
}

/** Facts about one hop of the plan, as checks see it. */
export interface HopContext {
  index: number; // 1-based
  fromVersion: string; // v1.x.y
  toVersion: string; // v1.x.y
  fromTag: string | undefined;
  toTag: string;
  line: string;
}

/** A table a check shows alongside its findings (e.g. the PDB listing), for text, Markdown and JSON reports alike. */
export interface OutcomeTable {
  title: string;
  columns: string[];
  rows: string[][];
}

export interface CheckOutcome {
  check: string;
  /** 'skipped' when the facts it needs could not be gathered (said in `reason`). */
  status: 'pass' | 'fail' | 'skipped';
  findings: Finding[];
  reason?: string;
  /** What the check looked at, as a table (optional). */
  table?: OutcomeTable;
}

export function worstSeverity(findings: readonly Finding[]): Severity | undefined {
  if (findings.some((f) => f.severity === 'block')) return 'block';
  if (findings.some((f) => f.severity === 'warn')) return 'warn';
  if (findings.length > 0) return 'info';
  return undefined;
}
