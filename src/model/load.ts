/**
 * Loading a cluster file in three steps, as Changesets does with its config:
 * YAML syntax, the schema, then cross-field rules. Every problem carries
 * file:line:column; nothing is thrown for bad input, problems are returned.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { cluster as clusterSchema, type Cluster } from './schema.js';
import { CORE_SCHEMA, load as loadYaml } from 'js-yaml';
import { checkRules, type SecretProbe } from './rules.js';
import { secretProbe } from './secrets.js';
import { formatPath, hasErrors, sortProblems, type Problem } from './problems.js';
import { offsetPos, positionOf } from './yaml-positions.js';

export interface LoadedCluster {
  ok: true;
  cluster: Cluster;
  /** Absolute path of the cluster file. */
  file: string;
  /** Directory of the cluster file: relative paths in it start here. */
  baseDir: string;
  warnings: Problem[];
}

export interface InvalidCluster {
  ok: false;
  file: string;
  problems: Problem[];
}

export interface LoadOptions {
  /** Check that secret references resolve (validate and render do; plan does not need secrets). */
  checkSecrets?: boolean;
  env?: NodeJS.ProcessEnv;
}

export async function loadClusterFile(path: string, options: LoadOptions = {}): Promise<LoadedCluster | InvalidCluster> {
  const file = resolve(path);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message;
    return { ok: false, file, problems: [{ severity: 'error', file: path, line: 1, col: 1, path: '', message: reason, fix: 'pass the cluster file with -c, e.g. -c inventories/k1/cluster.yaml' }] };
  }
  return parseCluster(text, path, { ...options, baseDir: dirname(file), file });
}

/** Parses cluster YAML text; `displayName` is what problems call the file. */
export function parseCluster(text: string, displayName: string, options: LoadOptions & { baseDir: string; file?: string }): LoadedCluster | InvalidCluster {
  const file = options.file ?? resolve(options.baseDir, displayName);
  const probe = options.checkSecrets ? secretProbe(options.baseDir, options.env) : undefined;
  return parseValid(text, file, options.baseDir, probe) ?? parseWithPositions(text, displayName, file, options.baseDir, probe);
}

/**
 * The fast path, for the common case of a valid file: js-yaml keeps no source
 * positions and parses a 15,000-node file several times faster than a full
 * YAML Document. Any problem at all (syntax, schema, rules, even a warning)
 * returns undefined, and the file is parsed again with positions to report it.
 */
function parseValid(text: string, file: string, baseDir: string, probe: SecretProbe | undefined): LoadedCluster | undefined {
  let data: unknown;
  try {
    data = loadYaml(text, { schema: CORE_SCHEMA });
  } catch {
    return undefined;
  }
  const parsed = clusterSchema.safeParse(data ?? {});
  if (!parsed.success || checkRules(parsed.data, probe).length > 0) return undefined;
  return { ok: true, cluster: parsed.data, file, baseDir, warnings: [] };
}

function parseWithPositions(text: string, displayName: string, file: string, baseDir: string, probe: SecretProbe | undefined): LoadedCluster | InvalidCluster {
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
