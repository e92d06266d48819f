import { afterEach, describe, expect, it } from 'vitest';
import {
  createJournal, failStep, finishRun, finishStep, interruptRun, recordCleanup, recordHostResults, registerSteps,
  startRun, startStep, type Journal,
} from '../journal/journal.js';
import { clearSecrets, registerSecret } from '../util/redact.js';
import { buildRunReport, runReportJsonSchema, RunReportSchema } from './run-report.js';
import { testPlan } from '../../test/helpers/plan-doc.js';

const STEPS = [
  { id: 'hop1:facts', hop: 1, kind: 'facts' },
  { id: 'hop1:control-plane', hop: 1, kind: 'control-plane' },
  { id: 'hop2:facts', hop: 2, kind: 'facts' },
  { id: 'hop2:wave1', hop: 2, kind: 'wave' },
  { id: 'hop2:verify', hop: 2, kind: 'verify' },
];
const host = (ok: number, changed: number, failed = 0) => ({ ok, changed, failed, unreachable: 0, skipped: 0 });

/** Run r1 did hop 1; run r2 resumed, and failed in hop 2's first wave. */
function failedResumedRun(): Journal {
  let journal = registerSteps(createJournal('k1', testPlan()), STEPS);
  journal = startRun(journal, { runId: 'r1', at: '2024-05-01T10:00:00Z', pid: 1, host: 'ops1' });
  journal = finishStep(startStep(journal, 'hop1:facts', { at: '2024-05-01T10:00:00Z', hop: 1, kind: 'facts' }), 'hop1:facts', { at: '2024-05-01T10:00:30Z' });
  journal = startStep(journal, 'hop1:control-plane', { at: '2024-05-01T10:00:30Z', hop: 1, kind: 'control-plane', logPath: '/l/cp.log' });
  journal = recordHostResults(journal, 'hop1:control-plane', { node1: { ...host(50, 10), durationMs: 500_000 } });
  journal = finishStep(journal, 'hop1:control-plane', { at: '2024-05-01T10:10:30Z' });
  journal = interruptRun(journal, { at: '2024-05-01T10:11:00Z', signal: 'SIGINT' });
  journal = startRun(journal, { runId: 'r2', at: '2024-05-01T11:00:00Z', pid: 2, host: 'ops1', flags: { skippedChecks: [{ id: 'pdb-blocking', reason: 'drained by hand' }] } });
  journal = finishStep(startStep(journal, 'hop2:facts', { at: '2024-05-01T11:00:00Z', hop: 2, kind: 'facts' }), 'hop2:facts', { at: '2024-05-01T11:00:20Z' });
  journal = startStep(journal, 'hop2:wave1', { at: '2024-05-01T11:00:20Z', hop: 2, kind: 'wave', logPath: '/l/wave1.log' });
  journal = recordHostResults(journal, 'hop2:wave1', { node4: host(10, 2, 1), node3: host(30, 8) });
  journal = failStep(journal, 'hop2:wave1', { at: '2024-05-01T11:05:20Z', message: 'ansible-playbook exited with code 2' });
  journal = recordCleanup(journal, { host: 'node1', paths: ['/root/.kube/http-cache'], at: '2024-05-01T11:00:10Z' });
  return finishRun(journal, { at: '2024-05-01T11:05:21Z', status: 'failed' });
}

/** A minimal JSON Schema checker: type, const, enum, properties, required, additionalProperties, items, anyOf, minimum. */
function schemaErrors(schema: Record<string, unknown>, value: unknown, path = '$'): string[] {
  if (Array.isArray(schema.anyOf)) {
    const branches = (schema.anyOf as Record<string, unknown>[]).map((branch) => schemaErrors(branch, value, path));
    return branches.some((errors) => errors.length === 0) ? [] : [`${path}: matches no anyOf branch (${branches.flat().join('; ')})`];
  }
  const errors: string[] = [];
  const typeOf = (item: unknown): string => (item === null ? 'null' : Array.isArray(item) ? 'array' : Number.isInteger(item) ? 'integer' : typeof item);
  if (schema.type !== undefined) {
    const allowed = ([] as unknown[]).concat(schema.type);
    const actual = typeOf(value);
    if (!allowed.includes(actual) && !(actual === 'integer' && allowed.includes('number'))) return [`${path}: ${actual} is not ${allowed.join('|')}`];
  }
  if ('const' in schema && schema.const !== value) errors.push(`${path}: not ${String(schema.const)}`);
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) errors.push(`${path}: ${String(value)} not in enum`);
  if (typeof schema.minimum === 'number' && typeof value === 'number' && value < schema.minimum) errors.push(`${path}: below minimum`);
  if (typeOf(value) === 'object') {
    const object = value as Record<string, unknown>;
    const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
    for (const key of (schema.required ?? []) as string[]) if (!(key in object)) errors.push(`${path}.${key}: required`);
    for (const [key, item] of Object.entries(object)) {
      if (properties[key] !== undefined) errors.push(...schemaErrors(properties[key], item, `${path}.${key}`));
      else if (schema.additionalProperties === false) errors.push(`${path}.${key}: not allowed`);
    }
  }
  if (Array.isArray(value) && schema.items !== undefined) {
    value.forEach((item, index) => errors.push(...schemaErrors(schema.items as Record<string, unknown>, item, `${path}[${index}]`)));
  }
  return errors;
}

afterEach(() => clearSecrets());

describe('buildRunReport', () => {
  it('reports the run, its hops and steps in plan order, with host results and failed hosts', () => {
    const report = buildRunReport(failedResumedRun());

    expect(report).toMatchObject({
      reportVersion: 2, cluster: 'k1', runId: 'r2', status: 'failed',
      startedAt: '2024-05-01T11:00:00.000Z', endedAt: '2024-05-01T11:05:21.000Z', durationMs: 321_000,
      skippedChecks: [{ id: 'pdb-blocking', reason: 'drained by hand' }],
      totals: { steps: 5, succeeded: 3, failed: 1, interrupted: 0, running: 0, pending: 1, failedHosts: ['node4'] },
      interruption: null,
      cleanups: [{ host: 'node1', paths: ['/root/.kube/http-cache'], at: '2024-05-01T11:00:10.000Z', stepId: null }],
    });
    expect(report.hops.map((hop) => [hop.hop, hop.status, hop.steps.map((step) => step.id)])).toEqual([
      [1, 'succeeded', ['hop1:facts', 'hop1:control-plane']],
      [2, 'failed', ['hop2:facts', 'hop2:wave1', 'hop2:verify']],
    ]);
    expect(report.hops[0]?.durationMs).toBe(630_000);
    const wave = report.hops[1]!.steps[1]!;
    expect(wave).toMatchObject({ status: 'failed', durationMs: 300_000, logPath: '/l/wave1.log', failedHosts: ['node4'], runId: 'r2', fromEarlierRun: false, message: 'ansible-playbook exited with code 2' });
    expect(wave.hosts.map((result) => [result.name, result.status])).toEqual([['node3', 'changed'], ['node4', 'failed']]);
    expect(report.hops[0]!.steps[1]).toMatchObject({ runId: 'r1', fromEarlierRun: true, hosts: [{ name: 'node1', durationMs: 500_000 }] });
    expect(report.hops[1]!.steps[2]).toMatchObject({ status: 'pending', startedAt: null, durationMs: null, attempts: 0 });
  });

  it('validates against its own zod schema and its published JSON Schema', () => {
    const report = JSON.parse(JSON.stringify(buildRunReport(failedResumedRun()))) as unknown;
    const interrupted = JSON.parse(JSON.stringify(buildRunReport(interruptRun(
      startStep(startRun(registerSteps(createJournal('k1', testPlan()), STEPS), { runId: 'r1', at: '2024-05-01T10:00:00Z', pid: 1, host: 'h' }), 'hop1:facts', { at: '2024-05-01T10:00:00Z', hop: 1, kind: 'facts' }),
      { at: '2024-05-01T10:00:05Z', signal: 'SIGTERM' },
    )))) as unknown;
    const schema = runReportJsonSchema();

    expect(RunReportSchema.safeParse(report).success).toBe(true);
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schemaErrors(schema, report)).toEqual([]);
    expect(schemaErrors(schema, interrupted)).toEqual([]);
    expect((interrupted as { interruption: unknown }).interruption).toEqual({ at: '2024-05-01T10:00:05.000Z', signal: 'SIGTERM', step: 'hop1:facts' });
  });

  it('is rejected by the JSON Schema when it is wrong (the checker can fail)', () => {
    const report = JSON.parse(JSON.stringify(buildRunReport(failedResumedRun()))) as Record<string, unknown>;
    const schema = runReportJsonSchema();

    expect(schemaErrors(schema, { ...report, reportVersion: 3 })).not.toEqual([]);
    expect(schemaErrors(schema, { ...report, extra: true })).not.toEqual([]);
    expect(schemaErrors(schema, { ...report, status: 'exploded' })).not.toEqual([]);
    const { totals: _dropped, ...missing } = report;
    expect(schemaErrors(schema, missing)).toEqual(['$.totals: required']);
  });

  it('masks registered secrets', () => {
    registerSecret('hunter2-secret');
    const journal = failStep(
      startStep(startRun(createJournal('k1', testPlan()), { runId: 'r1', at: '2024-05-01T10:00:00Z', pid: 1, host: 'h' }), 's', { at: '2024-05-01T10:00:00Z', hop: 1, kind: 'facts' }),
      's', { at: '2024-05-01T10:00:01Z', message: 'token hunter2-secret rejected' },
    );

    expect(JSON.stringify(buildRunReport(journal))).not.toContain('hunter2-secret');
  });

  it('reports a journal without runs', () => {
    const report = buildRunReport(registerSteps(createJournal('k1', testPlan()), STEPS));

    expect(report).toMatchObject({ runId: null, status: null, startedAt: null, durationMs: null });
    expect(report.hops.map((hop) => hop.status)).toEqual(['pending', 'pending']);
  });
});
