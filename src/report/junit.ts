/**
 * The run report as JUnit XML, the one test-result format every CI shows:
 * testsuites → one testsuite per hop → one testcase per step. A failed step
 * is a <failure> naming its failed hosts and its log; an interrupted one an
 * <error>; a step that did not run is <skipped>. Element and attribute names
 * follow the common (Ant/Jenkins) JUnit XSD. Pure: text in, text out.
 */
import { redact } from '../util/redact.js';
import type { ReportHop, ReportStep, RunReport } from './run-report.js';

/** Escapes text for XML element content, dropping characters XML 1.0 cannot hold; secrets masked. */
export function escapeXmlText(text: string): string {
  return redact(text)
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r/g, '&#13;');
}

/** Escapes text for a double- or single-quoted attribute value. */
export function escapeXmlAttribute(text: string): string {
  return escapeXmlText(text)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    // A parser normalizes raw newlines and tabs in attributes to spaces: keep them as references.
    .replace(/\n/g, '&#10;')
    .replace(/\t/g, '&#9;');
}

function seconds(ms: number | null): string {
  return ((ms ?? 0) / 1000).toFixed(3);
}

/** The XSD's timestamp is an xs:dateTime without zone: UTC, seconds precision. */
function timestamp(iso: string | null): string {
  const date = iso === null ? new Date(0) : new Date(iso);
  return date.toISOString().slice(0, 19);
}

function attrs(values: Record<string, string | number>): string {
  return Object.entries(values).map(([name, value]) => ` ${name}="${escapeXmlAttribute(String(value))}"`).join('');
}

type Outcome = 'passed' | 'failure' | 'error' | 'skipped';

function outcomeOf(step: ReportStep): Outcome {
  switch (step.status) {
    case 'succeeded': return 'passed';
    case 'failed': return 'failure';
    case 'interrupted': return 'error';
    case 'running':
    case 'pending': return 'skipped';
  }
}

function failureText(step: ReportStep): string {
  const lines = [step.message ?? `step ${step.id} failed`];
  if (step.failedHosts.length > 0) lines.push(`failed hosts: ${step.failedHosts.join(', ')}`);
  if (step.logPath !== null) lines.push(`log: ${step.logPath}`);
  return lines.join('\n');
}

function testcase(report: RunReport, step: ReportStep, indent: string): string {
  const open = `${indent}<testcase${attrs({ name: step.id, classname: `kspray.${report.cluster}.hop${step.hop}`, time: seconds(step.durationMs) })}`;
  const inner = `${indent}  `;
  const body: string[] = [];
  switch (outcomeOf(step)) {
    case 'failure': {
      const hosts = step.failedHosts.length > 0 ? ` on ${step.failedHosts.join(', ')}` : '';
      body.push(`${inner}<failure${attrs({ message: `${step.kind} failed${hosts}`, type: 'StepFailed' })}>${escapeXmlText(failureText(step))}</failure>`);
      break;
    }
    case 'error':
      body.push(`${inner}<error${attrs({ message: `${step.kind} was interrupted`, type: 'Interrupted' })}>${escapeXmlText(failureText(step))}</error>`);
      break;
    case 'skipped':
      body.push(`${inner}<skipped${attrs({ message: step.status === 'running' ? 'still running when the report was made' : 'not run' })}/>`);
      break;
    case 'passed':
      break;
  }
  const out = [`kind: ${step.kind}`, `attempts: ${step.attempts}`];
  if (step.fromEarlierRun && step.runId !== null) out.push(`ran in earlier run ${step.runId}`);
  if (step.logPath !== null) out.push(`log: ${step.logPath}`);
  for (const host of step.hosts) {
    out.push(`${host.name}: ${host.status} ok=${host.ok} changed=${host.changed} failed=${host.failed} unreachable=${host.unreachable} skipped=${host.skipped}`);
  }
  body.push(`${inner}<system-out>${escapeXmlText(out.join('\n'))}</system-out>`);
  return `${open}>\n${body.join('\n')}\n${indent}</testcase>`;
}

interface Counts { tests: number; failures: number; errors: number; skipped: number; timeMs: number }

function countsOf(steps: readonly ReportStep[]): Counts {
  const count = (outcome: Outcome): number => steps.filter((step) => outcomeOf(step) === outcome).length;
  return {
    tests: steps.length, failures: count('failure'), errors: count('error'), skipped: count('skipped'),
    timeMs: steps.reduce((total, step) => total + (step.durationMs ?? 0), 0),
  };
}

function testsuite(report: RunReport, hop: ReportHop, id: number): string {
  const counts = countsOf(hop.steps);
  const firstStart = hop.steps.map((step) => step.startedAt).find((at) => at !== null) ?? report.startedAt;
  const head = `  <testsuite${attrs({
    name: `hop${hop.hop}`, tests: counts.tests, failures: counts.failures, errors: counts.errors,
    skipped: counts.skipped, time: seconds(counts.timeMs), timestamp: timestamp(firstStart),
    hostname: report.cluster, id, package: `kspray.${report.cluster}`,
  })}>`;
  const properties = [
    ['cluster', report.cluster], ['runId', report.runId ?? ''], ['planId', report.planId],
    ['runStatus', report.status ?? ''], ['hopStatus', hop.status],
    ...report.skippedChecks.map((check) => [`skippedCheck.${check.id}`, check.reason]),
  ].map(([name, value]) => `      <property${attrs({ name: name!, value: value! })}/>`);
  return [
    head,
    '    <properties>', ...properties, '    </properties>',
    ...hop.steps.map((step) => testcase(report, step, '    ')),
    '    <system-out></system-out>',
    '    <system-err></system-err>',
    '  </testsuite>',
  ].join('\n');
}

export function buildJUnitXml(report: RunReport): string {
  const all = countsOf(report.hops.flatMap((hop) => hop.steps));
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs({
      name: `kspray ${report.cluster} ${report.runId ?? ''}`.trim(), tests: all.tests, failures: all.failures,
      errors: all.errors, skipped: all.skipped, time: seconds(all.timeMs),
    })}>`,
    ...report.hops.map((hop, index) => testsuite(report, hop, index)),
    '</testsuites>',
  ];
  return `${lines.join('\n')}\n`;
}
