/**
 * The preflight report's one contract: the zod schemas its findings, check
 * outcomes and the report document are typed from (types.ts infers them,
 * type-only), and the published JSON Schema (schema/preflight.schema.json).
 * A plan carries its hops' findings in the same Finding shape.
 */
import { z } from 'zod';

export const SeveritySchema = z.enum(['block', 'warn', 'info']);

export const FindingSchema = z.strictObject({
  check: z.string().describe('The check that produced it, e.g. "pdb"'),
  severity: SeveritySchema,
  what: z.string().describe('What was found, one line'),
  where: z.string().describe('Where: a namespace/name, a host, a file:line'),
  why: z.string().describe('Why it matters for the upgrade'),
  fix: z.string().describe('How to fix it'),
  hop: z.number().int().positive().optional().describe('1-based index of the first hop it applies to; absent: every hop'),
  details: z.record(z.string(), z.unknown()).optional().describe('Extra machine-readable detail'),
});

/** A table a check shows alongside its findings (e.g. the PDB listing), for text, Markdown and JSON reports alike. */
export const OutcomeTableSchema = z.strictObject({
  title: z.string(),
  columns: z.array(z.string()),
  rows: z.array(z.array(z.string())),
});

export const CheckOutcomeSchema = z.strictObject({
  check: z.string(),
  status: z.enum(['pass', 'fail', 'skipped']).describe("'skipped' when the facts it needs could not be gathered (said in reason)"),
  findings: z.array(FindingSchema),
  reason: z.string().optional(),
  table: OutcomeTableSchema.optional().describe('What the check looked at, as a table'),
});

export const PREFLIGHT_VERSION = 1 as const;

export const PreflightHopSchema = z.strictObject({
  index: z.number().int().positive(),
  line: z.string(),
  tag: z.string(),
  fromTag: z.string().nullable(),
  fromVersion: z.string(),
  toVersion: z.string(),
});

export const PreflightReportSchema = z.strictObject({
  preflightVersion: z.literal(PREFLIGHT_VERSION),
  cluster: z.strictObject({ name: z.string(), file: z.string() }),
  hops: z.array(PreflightHopSchema),
  outcomes: z.array(CheckOutcomeSchema),
  findings: z.array(FindingSchema),
  blocking: z.boolean(),
}).describe('kspray preflight report');

export function preflightJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(PreflightReportSchema) as Record<string, unknown>;
}
