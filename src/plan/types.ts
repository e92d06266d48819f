/**
 * The plan document's types: `kspray plan` prints it, `kspray apply` plans it
 * again and runs its own result when it equals what was reviewed. The shape is
 * defined once, by the zod schema in plan-schema.ts; these are its inferred
 * types (a type-only import: loading a plan type costs no zod at start-up).
 * Changing the shape means bumping PLAN_VERSION (plan-version.ts).
 */
import type { PlanDocumentSchema, PlanHopSchema, PlanStepSchema, AnsibleRequirementSchema, HopWorkspaceSchema, PlanRequestSchema, PlanInputsSchema, StepKindSchema, PlanGateSchema } from './plan-schema.js';
import type { z } from 'zod';

export type StepKind = z.infer<typeof StepKindSchema>;
export type PlanStep = z.infer<typeof PlanStepSchema>;
export type AnsibleRequirement = z.infer<typeof AnsibleRequirementSchema>;
export type HopWorkspace = z.infer<typeof HopWorkspaceSchema>;
export type PlanHop = z.infer<typeof PlanHopSchema>;
export type PlanRequest = z.infer<typeof PlanRequestSchema>;
export type PlanInputs = z.infer<typeof PlanInputsSchema>;
export type PlanDocument = z.infer<typeof PlanDocumentSchema>;
export type PlanGate = z.infer<typeof PlanGateSchema>;
