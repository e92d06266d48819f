/**
 * The preflight framework's vocabulary. A check is a pure function from
 * gathered facts to findings; gathering (API, Ansible on hosts) is separate.
 * The shapes of findings and outcomes are the report's schema (report-schema.ts).
 */
import type { z } from 'zod';
import type { CheckOutcomeSchema, FindingSchema, OutcomeTableSchema, SeveritySchema } from './report-schema.js';

export type Severity = z.infer<typeof SeveritySchema>;
export type Finding = z.infer<typeof FindingSchema>;
export type OutcomeTable = z.infer<typeof OutcomeTableSchema>;
export type CheckOutcome = z.infer<typeof CheckOutcomeSchema>;

/** Facts about one hop of the plan, as checks see it. */
export interface HopContext {
  index: number; // 1-based
  fromVersion: string; // v1.x.y
  toVersion: string; // v1.x.y
  fromTag: string | undefined;
  toTag: string;
  line: string;
}

export function worstSeverity(findings: readonly Finding[]): Severity | undefined {
  if (findings.some((f) => f.severity === 'block')) return 'block';
  if (findings.some((f) => f.severity === 'warn')) return 'warn';
  if (findings.length > 0) return 'info';
  return undefined;
}
