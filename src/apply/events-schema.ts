/**
 * The apply engine's events: what a run, its hops, steps, waves, hosts,
 * plays, tasks, health gates and preflight findings do, with times. The
 * engine emits them (engine.ts) and knows nothing of who listens; the views
 * subscribe (src/view: the terminal view, the line view for pipelines, and
 * `--events FILE`, one JSON object per line). This zod schema is the one
 * contract: the types are inferred from it (events.ts, type-only), and
 * `kspray schema events` publishes it as schema/events.schema.json.
 *
 * Every event has `v` (this schema's version), `seq` (0, 1, 2, … within a
 * run), `at` (ISO time of emission, on apply's clock) and `type`. Durations
 * are milliseconds, measured from Ansible's own event times where a batch's
 * events give them (a wave's duration is its batch's, not the time kspray
 * took to notice).
 */
import { z } from 'zod';

export const EVENTS_VERSION = 1 as const;

const id = z.string().min(1);
const ms = z.number().nonnegative();
const hostCounts = z.strictObject({ ok: z.number().int().nonnegative(), changed: z.number().int().nonnegative(), failed: z.number().int().nonnegative(), unreachable: z.number().int().nonnegative(), skipped: z.number().int().nonnegative() });

const base = {
  v: z.literal(EVENTS_VERSION),
  seq: z.number().int().nonnegative(),
  at: z.string().describe('ISO time the event was emitted, on apply\'s clock'),
};

export const RunStartEventSchema = z.strictObject({
  ...base, type: z.literal('run'), phase: z.literal('start'),
  runId: id, cluster: z.string(), from: z.string(), to: z.string(), planId: z.string(),
  steps: z.array(z.strictObject({
    id, hop: z.number().int().positive(), kind: z.string(), title: z.string(), hosts: z.number().int().nonnegative(),
    estimateMs: ms.describe('Expected duration, from earlier runs\' durations (else a default per batch)'),
  })).describe('The steps this run means to take, in order'),
  alreadyDone: z.array(z.string()),
});

export const RunEndEventSchema = z.strictObject({
  ...base, type: z.literal('run'), phase: z.literal('end'), runId: id,
  status: z.enum(['succeeded', 'nothing-to-do', 'stopped', 'declined', 'refused', 'failed', 'interrupted']),
  exitCode: z.number().int(), message: z.string().nullable(), durationMs: ms,
});

export const HopEventSchema = z.strictObject({
  ...base, type: z.literal('hop'), phase: z.enum(['start', 'end']),
  hop: z.number().int().positive(), tag: z.string(), fromVersion: z.string(), toVersion: z.string(),
  status: z.enum(['succeeded', 'failed', 'interrupted', 'stopped', 'refused', 'declined']).optional().describe('phase end: how the hop ended in this run'),
});

export const StepStartEventSchema = z.strictObject({
  ...base, type: z.literal('step'), phase: z.literal('start'),
  stepId: id, hop: z.number().int().positive(), kind: z.string(), title: z.string(), hosts: z.array(z.string()), estimateMs: ms,
  drains: z.array(z.string()).describe('The plays of the step\'s playbook that cordon and drain their batch: a host that finished one is upgraded'),
});

export const StepEndEventSchema = z.strictObject({
  ...base, type: z.literal('step'), phase: z.literal('end'),
  stepId: id, title: z.string(), status: z.enum(['succeeded', 'failed', 'interrupted']), durationMs: ms, message: z.string().nullable(), failedHosts: z.array(z.string()),
  atBoundary: z.boolean().describe('interrupted: stopped at a batch boundary (graceful stop), no host in flight'),
});

export const WaveEventSchema = z.strictObject({
  ...base, type: z.literal('wave'), phase: z.enum(['start', 'end']),
  stepId: id, wave: z.number().int().positive().describe('The wave\'s serial batch in its ansible-playbook run, 1-based'),
  hosts: z.array(z.string()),
  status: z.enum(['succeeded', 'failed', 'interrupted']).optional(),
  durationMs: ms.optional().describe('phase end: from the batch\'s own Ansible events'),
});

export const PlayEventSchema = z.strictObject({
  ...base, type: z.literal('play'), stepId: id, name: z.string(), batch: z.number().int().positive().nullable().describe('Which serial batch of the play (1-based), when Ansible said'),
});

export const TaskEventSchema = z.strictObject({
  ...base, type: z.literal('task'), stepId: id, name: z.string(), play: z.string().nullable(),
});

export const HostEventSchema = z.strictObject({
  ...base, type: z.literal('host'), phase: z.enum(['update', 'result']).describe('update: the host entered a play, failed, retries, or finished; result: its counts when its step ended'),
  stepId: id, host: z.string(), status: z.enum(['pending', 'running', 'ok', 'changed', 'failed', 'unreachable', 'skipped']),
  play: z.string().nullable(), task: z.string().nullable(), message: z.string().nullable().describe('Ansible\'s message of a failure (masked)'),
  retry: z.strictObject({ attempt: z.number().int().positive(), of: z.number().int().positive() }).nullable().describe('An until loop trying again (a drain waiting on evictions)'),
  counts: hostCounts.nullable(), durationMs: ms.nullable(),
});

export const GateEventSchema = z.strictObject({
  ...base, type: z.literal('gate'), phase: z.enum(['start', 'attempt', 'end']),
  name: z.string(), kind: z.enum(['command', 'http', 'kubernetes']), after: id.describe('The worker step the gate follows'), before: z.string().nullable().describe('The step that waits for it'),
  status: z.enum(['checking', 'passed', 'failed', 'skipped', 'interrupted']),
  attempt: z.number().int().nonnegative(), output: z.string().nullable().describe('The check\'s last output (masked, tail)'), durationMs: ms,
});

export const FindingEventSchema = z.strictObject({
  ...base, type: z.literal('finding'), hop: z.number().int().positive(), check: z.string(), severity: z.enum(['block', 'warn', 'info']),
  what: z.string(), where: z.string(), fix: z.string(),
});

export const NoteEventSchema = z.strictObject({
  ...base, type: z.literal('note'), text: z.string(), stepId: z.string().nullable(),
});

export const StopEventSchema = z.strictObject({
  ...base, type: z.literal('stop'), mode: z.enum(['graceful', 'immediate']), signal: z.string(),
});

export const EngineEventSchema = z.discriminatedUnion('type', [
  z.discriminatedUnion('phase', [RunStartEventSchema, RunEndEventSchema]),
  HopEventSchema,
  z.discriminatedUnion('phase', [StepStartEventSchema, StepEndEventSchema]),
  WaveEventSchema, PlayEventSchema, TaskEventSchema, HostEventSchema, GateEventSchema, FindingEventSchema, NoteEventSchema, StopEventSchema,
]).describe('kspray apply event (one per line of --events FILE)');

/** The events' JSON Schema (draft 2020-12), from the schema the tests check them with. */
export function eventsJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(EngineEventSchema) as Record<string, unknown>;
}
