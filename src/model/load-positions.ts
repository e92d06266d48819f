/**
 * The slow path of loading a cluster file (see load.ts): parse again with
 * source positions and report every problem as FILE:LINE:COL, from YAML
 * syntax, the schema and the cross-field rules.
 */
import { LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import type { InvalidCluster, LoadedCluster } from './load.js';
import { cluster as clusterSchema } from './schema.js';
import { checkRules, type SecretProbe } from './rules.js';
import { formatPath, hasErrors, sortProblems, type Problem } from './problems.js';
import { offsetPos, positionOf } from './yaml-positions.js';

export function parseWithPositions(text: string, displayName: string, file: string, baseDir: string, probe: SecretProbe | undefined): LoadedCluster | InvalidCluster {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((error): Problem => {
      const pos = error.linePos?.[0] ?? offsetPos(lineCounter, error.pos[0]);
      return { severity: 'error', file: displayName, line: pos.line, col: pos.col, path: '', message: `YAML: ${firstLine(error.message)}`, fix: yamlFix(error.code) };
    });
    return { ok: false, file, problems: sortProblems(problems) };
  }
  const parsed = clusterSchema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    return { ok: false, file, problems: sortProblems(parsed.error.issues.flatMap((issue) => schemaProblems(issue, doc, lineCounter, displayName))) };
  }
  const problems = checkRules(parsed.data, probe).map((problem): Problem => {
    const pos = positionOf(doc, lineCounter, problem.path, problem.atKey);
    return { severity: problem.severity, file: displayName, line: pos.line, col: pos.col, path: formatPath(problem.path), message: problem.message, fix: problem.fix };
  });
  sortProblems(problems);
  if (hasErrors(problems)) return { ok: false, file, problems };
  return { ok: true, cluster: parsed.data, file, baseDir, warnings: problems };
}

function schemaProblems(issue: z.core.$ZodIssue, doc: Document, lineCounter: LineCounter, file: string): Problem[] {
  const path = issue.path.filter((segment): segment is string | number => typeof segment !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const keyPath = [...path, key];
      const pos = positionOf(doc, lineCounter, keyPath, true);
      return { severity: 'error', file, line: pos.line, col: pos.col, path: formatPath(keyPath), message: `unknown key "${key}"`, fix: `remove it or fix its spelling; \`kspray schema\` lists the keys allowed here` };
    });
  }
  const pos = positionOf(doc, lineCounter, path);
  // zod does not echo the input; the document knows whether the key was written and what it holds.
  const present = doc.hasIn(path);
  const value = present ? doc.getIn(path) : undefined;
  return [{ severity: 'error', file, line: pos.line, col: pos.col, path: formatPath(path), message: issueMessage(issue, present, value), fix: issueFix(issue, present) }];
}

function issueMessage(issue: z.core.$ZodIssue, present: boolean, value: unknown): string {
  const shown = typeof value === 'object' ? '' : ` ${JSON.stringify(value)}`;
  if (issue.code === 'invalid_type') {
    return present ? `must be a ${issue.expected}, not a ${value === null ? 'null' : Array.isArray(value) ? 'list' : typeof value}${shown}` : `required ${issue.expected} is missing`;
  }
  if (issue.code === 'invalid_value') return `${shown.trim() || 'this value'} is not allowed here`;
  if (issue.code === 'invalid_union') return 'is neither of the allowed forms';
  return issue.message;
}

function issueFix(issue: z.core.$ZodIssue, present: boolean): string {
  switch (issue.code) {
    case 'invalid_type':
      return present ? `write a ${issue.expected} here (quote it if YAML reads it as a number or boolean)` : `add it (a ${issue.expected})`;
    case 'invalid_value':
      return `use one of: ${issue.values.map(String).join(', ')}`;
    case 'invalid_union':
      return 'for a secret write { fromEnv: VAR } or { fromFile: path }; see `kspray schema`';
    case 'too_small':
      return `give at least ${String(issue.minimum)}`;
    case 'invalid_format':
      return 'fix the value to match the format described';
    default:
      return 'see `kspray schema` for what is allowed here';
  }
}

function yamlFix(code: string): string {
  if (code === 'DUPLICATE_KEY') return 'remove or rename one of the two keys';
  if (code.includes('INDENT') || code === 'BAD_INDENT') return 'fix the indentation (spaces, not tabs; children indented under their parent)';
  return 'fix the YAML syntax at this position';
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
