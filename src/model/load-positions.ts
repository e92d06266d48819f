/**
 * The slow path of loading a cluster file (see load.ts): parse again with
 * source positions and report every problem as FILE:LINE:COL, from YAML
 * syntax, the schema and the cross-field rules.
 */
import { LineCounter, isSeq, parseDocument, visit, type Document } from 'yaml';
import type { z } from 'zod';
import type { InvalidCluster, LoadedCluster } from './load.js';
import { cluster as clusterSchema } from './schema.js';
import { checkRules, type SecretProbe } from './rules.js';
import { formatPath, hasErrors, sortProblems, type Problem } from './problems.js';
import { offsetPos, positionOf } from './yaml-positions.js';

/** How often aliases may expand (the `yaml` package's own default): more is an alias bomb, not a cluster. */
const MAX_ALIAS_COUNT = 100;

export function parseWithPositions(text: string, displayName: string, file: string, baseDir: string, probe: SecretProbe | undefined): LoadedCluster | InvalidCluster {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: true });
  const at = (offset: number, message: string, fix: string): Problem => {
    const pos = offsetPos(lineCounter, offset);
    return { severity: 'error', file: displayName, line: pos.line, col: pos.col, path: '', message, fix };
  };
  const syntax = doc.errors.map((error): Problem => {
    const pos = error.linePos?.[0] ?? offsetPos(lineCounter, error.pos[0]);
    return { ...at(0, '', ''), line: pos.line, col: pos.col, message: `YAML: ${yamlMessage(error.code, error.message)}`, fix: yamlFix(error.code, error.message) };
  });
  visit(doc, {
    Alias(_, alias) {
      if (!alias.resolve(doc)) syntax.push(at(alias.range?.[0] ?? 0, `YAML: alias *${alias.source} refers to no anchor &${alias.source} defined before it`, `define &${alias.source} before this alias, or write the value out`));
    },
  });
  if (syntax.length > 0) return { ok: false, file, problems: sortProblems(syntax) };
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    // Only aliases and merges make toJS throw here: an alias bomb (expansions past the count), an alias inside its own anchor, a merge of a non-map.
    const text = error instanceof Error ? error.message : String(error);
    if (/alias count/i.test(text)) return { ok: false, file, problems: [at(0, `YAML: aliases expand more than ${MAX_ALIAS_COUNT} times (nested aliases multiply: an "alias bomb")`, 'write the values out, or use each anchor a few times only')] };
    const fix = /merge/i.test(text) ? 'a merge key (<<) takes a map, an alias of one, or a list of them' : 'write the values out instead of the alias';
    return { ok: false, file, problems: [at(0, `YAML: ${firstLine(text)}`, fix)] };
  }
  if (data === null || data === undefined) {
    return { ok: false, file, problems: [at(0, 'the file is empty', 'write the cluster: start from inventories/k1/cluster.yaml, or `kspray import` an inventory')] };
  }
  const parsed = clusterSchema.safeParse(data);
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
  const value = present ? doc.getIn(path, false) : undefined;
  return [{ severity: 'error', file, line: pos.line, col: pos.col, path: formatPath(path), message: issueMessage(issue, present, value), fix: issueFix(issue, present) }];
}

/** zod's names for types, as the operator's YAML calls them. */
const TYPE_NAMES: Record<string, string> = {
  object: 'a map (key: value)', record: 'a map (key: value)', array: 'a list', string: 'a string', number: 'a number', int: 'a whole number',
  boolean: 'true or false', null: 'empty (null)',
};

function typeName(expected: string): string {
  return TYPE_NAMES[expected] ?? `a ${expected}`;
}

/** What the operator wrote, by the name YAML gives it (`doc.getIn` gives collections as nodes, scalars as values). */
function describeValue(value: unknown): string {
  if (isSeq(value) || Array.isArray(value)) return 'a list';
  if (value === null || value === undefined) return 'empty (null)';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value)}`;
  return `the ${typeof value} ${String(value)}`;
}

function issueMessage(issue: z.core.$ZodIssue, present: boolean, value: unknown): string {
  switch (issue.code) {
    case 'invalid_type':
      return present ? `must be ${typeName(issue.expected)}, not ${describeValue(value)}` : `required ${issue.expected === 'object' ? 'map' : issue.expected} is missing`;
    case 'invalid_value':
      return present ? `${describeValue(value)} is not one of the allowed values` : 'a required value is missing';
    case 'invalid_union':
      // The forms are secret references: what was written there may be the secret itself, so it is never shown.
      return present ? `${isSeq(value) ? 'a list' : value !== null && typeof value === 'object' ? 'this map' : `a ${value === null ? 'null' : typeof value}`} is neither of the allowed forms` : 'a required value is missing';
    case 'too_small':
      if (!issue.message.startsWith('Too small')) return issue.message; // a message the schema wrote
      if (issue.origin === 'array') return `needs at least ${String(issue.minimum)} item${Number(issue.minimum) === 1 ? '' : 's'}, has ${isSeq(value) ? value.items.length : 0}`;
      if (issue.origin === 'string') return `must not be empty`;
      return `must be at least ${String(issue.minimum)}`;
    case 'too_big':
      if (!issue.message.startsWith('Too big')) return issue.message;
      return issue.origin === 'string' ? `is longer than ${String(issue.maximum)} characters` : `must be at most ${String(issue.maximum)}`;
    default:
      return issue.message;
  }
}

function issueFix(issue: z.core.$ZodIssue, present: boolean): string {
  switch (issue.code) {
    case 'invalid_type':
      if (!present) return `add it (${typeName(issue.expected)})`;
      return issue.expected === 'string' ? 'write a string here (quote it if YAML reads it as a number or boolean)' : `write ${typeName(issue.expected)} here`;
    case 'invalid_value':
      return `use one of: ${issue.values.map(String).join(', ')}`;
    case 'invalid_union':
      return 'for a secret write { fromEnv: VAR } or { fromFile: path }; see `kspray schema`';
    case 'too_small':
      return issue.origin === 'array' ? `list at least ${String(issue.minimum)}` : `give at least ${String(issue.minimum)}`;
    case 'too_big':
      return issue.origin === 'string' ? 'shorten it' : `give at most ${String(issue.maximum)}`;
    case 'invalid_format':
      return 'fix the value to match the format described';
    default:
      return 'see `kspray schema` for what is allowed here';
  }
}

/** The `yaml` package's message without its "at line L, column C" (the position is given already) and its API advice. */
function yamlMessage(code: string, message: string): string {
  if (code === 'MULTIPLE_DOCS') return 'the file holds more than one YAML document (a second `---`)';
  return (firstLine(message) ?? message).replace(/ at line \d+, column \d+:?$/, '');
}

function yamlFix(code: string, message = ''): string {
  // "Flow map … must be sufficiently indented and end with a }": the closing bracket is what is most often missing.
  const closer = / end with an? ([}\]])/.exec(message)?.[1];
  if (closer) return `close the flow ${closer === '}' ? 'map' : 'list'} with ${closer} (and indent its lines under their parent)`;
  if (code === 'DUPLICATE_KEY') return 'remove or rename one of the two keys';
  if (code === 'MULTIPLE_DOCS') return 'a cluster file is one document: remove the `---` line and what follows, or move it to a file of its own';
  if (code.includes('INDENT') || code === 'BAD_INDENT') return 'fix the indentation (spaces, not tabs; children indented under their parent)';
  return 'fix the YAML syntax at this position';
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
