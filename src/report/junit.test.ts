import { afterEach, describe, expect, it } from 'vitest';
import {
  createJournal, failStep, finishRun, finishStep, interruptRun, recordHostResults, registerSteps, startRun, startStep,
  type Journal,
} from '../journal/journal.js';
import { clearSecrets, registerSecret } from '../util/redact.js';
import { buildJUnitXml, escapeXmlAttribute, escapeXmlText } from './junit.js';
import { buildRunReport } from './run-report.js';
import { testPlan } from '../../test/helpers/plan-doc.js';

interface XmlElement { name: string; attributes: Record<string, string>; children: XmlElement[]; text: string }

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (_match, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(Number.parseInt(entity.slice(1), 10));
    if (ENTITIES[entity] === undefined) throw new Error(`unknown entity &${entity};`);
    return ENTITIES[entity];
  });
}

/** A minimal well-formedness parser: one root, balanced tags, quoted unique attributes, no bare & or <. */
function parseXml(xml: string): XmlElement {
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const stack: XmlElement[] = [{ name: '#document', attributes: {}, children: [], text: '' }];
  const token = /<\/?([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.-]*="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  let match: RegExpExecArray | null;
  let position = 0;
  while ((match = token.exec(body)) !== null) {
    position = token.lastIndex;
    const [whole, name, attributeText, selfClosing, text] = match;
    const top = stack[stack.length - 1]!;
    if (text !== undefined) {
      if (/&(?!(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);)/.test(text)) throw new Error(`bare & in ${JSON.stringify(text)}`);
      top.text += decode(text);
      continue;
    }
    if (whole.startsWith('</')) {
      if (top.name !== name) throw new Error(`</${name}> closes <${top.name}>`);
      stack.pop();
      continue;
    }
    const attributes: Record<string, string> = {};
    for (const [, key, value] of attributeText!.matchAll(/([A-Za-z_][\w.-]*)="([^"]*)"/g)) {
      if (key! in attributes) throw new Error(`duplicate attribute ${key}`);
      if (/&(?!(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);)/.test(value!)) throw new Error(`bare & in attribute ${key}`);
      attributes[key!] = decode(value!);
    }
    const element: XmlElement = { name: name!, attributes, children: [], text: '' };
    top.children.push(element);
    if (selfClosing !== '/') stack.push(element);
  }
  if (position !== body.length) throw new Error(`unparseable XML at ${position}: ${body.slice(position, position + 40)}`);
  if (stack.length !== 1) throw new Error(`unclosed <${stack[stack.length - 1]!.name}>`);
  const roots = stack[0]!.children;
  if (roots.length !== 1) throw new Error('not exactly one root element');
  return roots[0]!;
}

/** The common JUnit XSD (Ant/Jenkins): which children and attributes each element may have, and which it must. */
const XSD: Record<string, { children: string[]; attributes: string[]; required: string[] }> = {
  testsuites: { children: ['testsuite'], attributes: ['name', 'time', 'tests', 'failures', 'errors', 'skipped', 'disabled'], required: [] },
  testsuite: {
    children: ['properties', 'testcase', 'system-out', 'system-err'],
    attributes: ['name', 'tests', 'failures', 'errors', 'skipped', 'disabled', 'time', 'timestamp', 'hostname', 'id', 'package'],
    required: ['name', 'tests', 'failures', 'errors', 'time', 'timestamp', 'hostname'],
  },
  properties: { children: ['property'], attributes: [], required: [] },
  property: { children: [], attributes: ['name', 'value'], required: ['name', 'value'] },
  testcase: { children: ['skipped', 'error', 'failure', 'system-out', 'system-err'], attributes: ['name', 'classname', 'time', 'assertions', 'status'], required: ['name', 'classname', 'time'] },
  failure: { children: [], attributes: ['message', 'type'], required: [] },
  error: { children: [], attributes: ['message', 'type'], required: [] },
  skipped: { children: [], attributes: ['message'], required: [] },
  'system-out': { children: [], attributes: [], required: [] },
  'system-err': { children: [], attributes: [], required: [] },
};

function xsdErrors(element: XmlElement): string[] {
  const rule = XSD[element.name];
  if (rule === undefined) return [`unknown element <${element.name}>`];
  const errors: string[] = [];
  for (const key of Object.keys(element.attributes)) if (!rule.attributes.includes(key)) errors.push(`<${element.name}> has attribute ${key}`);
  for (const key of rule.required) if (!(key in element.attributes)) errors.push(`<${element.name}> lacks ${key}`);
  for (const key of ['time']) if (key in element.attributes && !/^\d+(\.\d+)?$/.test(element.attributes[key]!)) errors.push(`<${element.name}> ${key} is not a decimal`);
  if ('timestamp' in element.attributes && !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(element.attributes.timestamp!)) errors.push('bad timestamp');
  for (const child of element.children) {
    if (!rule.children.includes(child.name)) errors.push(`<${child.name}> inside <${element.name}>`);
    errors.push(...xsdErrors(child));
  }
  return errors;
}

const STEPS = [
  { id: 'hop1:facts', hop: 1, kind: 'facts' },
  { id: 'hop1:control-plane', hop: 1, kind: 'control-plane' },
  { id: 'hop2:wave1', hop: 2, kind: 'wave' },
  { id: 'hop2:wave2', hop: 2, kind: 'wave' },
  { id: 'hop2:verify', hop: 2, kind: 'verify' },
];

function journal(): Journal {
  let state = startRun(registerSteps(createJournal('k1', testPlan()), STEPS), { runId: 'r1', at: '2024-05-01T10:00:00Z', pid: 1, host: 'ops1', flags: { skippedChecks: [{ id: 'pdb', reason: 'drained <by> hand & "quoted"' }] } });
  state = finishStep(startStep(state, 'hop1:facts', { at: '2024-05-01T10:00:00Z', hop: 1, kind: 'facts' }), 'hop1:facts', { at: '2024-05-01T10:00:01.250Z' });
  state = finishStep(startStep(state, 'hop1:control-plane', { at: '2024-05-01T10:00:02Z', hop: 1, kind: 'control-plane' }), 'hop1:control-plane', { at: '2024-05-01T10:10:02Z' });
  state = startStep(state, 'hop2:wave1', { at: '2024-05-01T10:11:00Z', hop: 2, kind: 'wave', logPath: '/logs/r1/hop2 wave1 <a&b>.log' });
  state = recordHostResults(state, 'hop2:wave1', { 'node4': { ok: 3, changed: 1, failed: 1, unreachable: 0, skipped: 0 }, 'node5': { ok: 0, changed: 0, failed: 0, unreachable: 1, skipped: 0 } });
  state = failStep(state, 'hop2:wave1', { at: '2024-05-01T10:12:30Z', message: 'kubelet "restart" failed: <timeout> & gave up\u0007' });
  return finishRun(state, { at: '2024-05-01T10:12:31Z', status: 'failed' });
}

afterEach(() => clearSecrets());

describe('buildJUnitXml', () => {
  it('is well-formed XML with the common JUnit structure', () => {
    const root = parseXml(buildJUnitXml(buildRunReport(journal())));

    expect(root.name).toBe('testsuites');
    expect(xsdErrors(root)).toEqual([]);
  });

  it('has one suite per hop and one case per step, with counts and times in seconds', () => {
    const root = parseXml(buildJUnitXml(buildRunReport(journal())));

    expect(root.attributes).toMatchObject({ name: 'kspray k1 r1', tests: '5', failures: '1', errors: '0', skipped: '2', time: '691.250' });
    const [hop1, hop2] = root.children;
    expect(root.children).toHaveLength(2);
    expect(hop1!.attributes).toMatchObject({ name: 'hop1', tests: '2', failures: '0', skipped: '0', time: '601.250', timestamp: '2024-05-01T10:00:00', hostname: 'k1', id: '0' });
    expect(hop2!.attributes).toMatchObject({ name: 'hop2', tests: '3', failures: '1', errors: '0', skipped: '2', time: '90.000', id: '1' });
    const cases = hop2!.children.filter((child) => child.name === 'testcase');
    expect(cases.map((testcase) => [testcase.attributes.name, testcase.attributes.classname, testcase.attributes.time])).toEqual([
      ['hop2:wave1', 'kspray.k1.hop2', '90.000'], ['hop2:wave2', 'kspray.k1.hop2', '0.000'], ['hop2:verify', 'kspray.k1.hop2', '0.000'],
    ]);
    expect(cases[1]!.children.map((child) => child.name)).toEqual(['skipped', 'system-out']);
    expect(cases[1]!.children[0]!.attributes.message).toBe('not run');
    const passed = hop1!.children.find((child) => child.attributes.name === 'hop1:facts')!;
    expect(passed.children.map((child) => child.name)).toEqual(['system-out']);
  });

  it('names the failed hosts and the log in the failure, escaped and intact', () => {
    const root = parseXml(buildJUnitXml(buildRunReport(journal())));
    const failure = root.children[1]!.children.find((child) => child.attributes.name === 'hop2:wave1')!.children.find((child) => child.name === 'failure')!;

    expect(failure.attributes).toEqual({ message: 'wave failed on node4, node5', type: 'StepFailed' });
    expect(failure.text).toBe('kubelet "restart" failed: <timeout> & gave up\nfailed hosts: node4, node5\nlog: /logs/r1/hop2 wave1 <a&b>.log');
    const properties = root.children[0]!.children.find((child) => child.name === 'properties')!;
    expect(properties.children.find((child) => child.attributes.name === 'skippedCheck.pdb')?.attributes.value).toBe('drained <by> hand & "quoted"');
  });

  it('marks an interrupted step as an error', () => {
    const state = interruptRun(
      startStep(startRun(registerSteps(createJournal('k1', testPlan()), STEPS), { runId: 'r2', at: '2024-05-01T10:00:00Z', pid: 1, host: 'h' }), 'hop1:facts', { at: '2024-05-01T10:00:00Z', hop: 1, kind: 'facts' }),
      { at: '2024-05-01T10:00:04Z', signal: 'SIGINT' },
    );

    const root = parseXml(buildJUnitXml(buildRunReport(state)));

    expect(root.attributes).toMatchObject({ errors: '1', failures: '0', skipped: '4' });
    const error = root.children[0]!.children.find((child) => child.attributes.name === 'hop1:facts')!.children[0]!;
    expect(error.name).toBe('error');
    expect(error.attributes.type).toBe('Interrupted');
  });

  it('masks registered secrets', () => {
    registerSecret('tok-abcdef');
    const report = buildRunReport(journal());
    report.hops[1]!.steps[0]!.message = 'bad token tok-abcdef';

    expect(buildJUnitXml(report)).not.toContain('tok-abcdef');
  });
});

describe('escapeXml and the test parser', () => {
  it('escapes markup and drops characters XML cannot hold', () => {
    expect(escapeXmlAttribute('a<b>&"c\'\u0001\n\t')).toBe('a&lt;b&gt;&amp;&quot;c&apos;&#10;&#9;');
    expect(escapeXmlText('a<b>&"c\'\u0001\n\r\uD800')).toBe('a&lt;b&gt;&amp;"c\'\n&#13;');
  });

  it('rejects XML that is not well-formed (the parser can fail)', () => {
    expect(() => parseXml('<a><b></a>')).toThrow(/closes/);
    expect(() => parseXml('<a x="1 & 2"/>')).toThrow(/bare &/);
    expect(() => parseXml('<a>x < y</a>')).toThrow(/unparseable/);
    expect(() => parseXml('<a></a><b/>')).toThrow(/one root/);
    expect(xsdErrors(parseXml('<testsuites><testcase name="x" classname="y" time="1"/></testsuites>'))).toEqual(['<testcase> inside <testsuites>']);
  });
});
