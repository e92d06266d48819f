/**
 * Loading a cluster file in three steps, as Changesets does with its config:
 * YAML syntax, the schema, then cross-field rules. Every problem carries
 * file:line:column; nothing is thrown for bad input, problems are returned.
 *
 * Every command that takes -c starts here, so this module stays light: the
 * YAML Document parser that knows source positions (the `yaml` package,
 * ≈ 150 KB) is loaded, with load-positions.ts, only for a file that has a
 * problem to report.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { cluster as clusterSchema, type Cluster } from './schema.js';
import { CORE_SCHEMA, Type, load as loadYaml } from 'js-yaml';
import { checkRules, type SecretProbe } from './rules.js';
import { secretProbe } from './secrets.js';
import type { Problem } from './problems.js';

/** YAML 1.2's core schema with `<<` merge keys (anchors shared between nodes), as load-positions.ts reads it too. */
const SCHEMA = CORE_SCHEMA.extend({ implicit: [new Type('tag:yaml.org,2002:merge', { kind: 'scalar', resolve: (data: unknown) => data === '<<' || data === null })] });

/**
 * js-yaml shares an aliased node instead of copying it, so a small file of
 * nested aliases (a "billion laughs") is a huge tree to walk. Past this many
 * values the file goes to the slow path, whose parser counts alias expansions.
 */
const FAST_PATH_MAX_VALUES = 1_000_000;

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
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory, not a cluster file' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    return { ok: false, file, problems: [{ severity: 'error', file: path, line: 1, col: 1, path: '', message: reason, fix: 'pass the cluster file with -c, e.g. -c inventories/k1/cluster.yaml' }] };
  }
  return parseCluster(text, path, { ...options, baseDir: dirname(file), file });
}

/** Parses cluster YAML text; `displayName` is what problems call the file. */
export async function parseCluster(text: string, displayName: string, options: LoadOptions & { baseDir: string; file?: string }): Promise<LoadedCluster | InvalidCluster> {
  const file = options.file ?? resolve(options.baseDir, displayName);
  const probe = options.checkSecrets ? secretProbe(options.baseDir, options.env) : undefined;
  const valid = parseValid(text, file, options.baseDir, probe);
  if (valid) return valid;
  const { parseWithPositions } = await import('./load-positions.js');
  return parseWithPositions(text, displayName, file, options.baseDir, probe);
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
    data = loadYaml(text, { schema: SCHEMA });
  } catch {
    return undefined;
  }
  if (!withinValues(data, FAST_PATH_MAX_VALUES)) return undefined;
  // jitless: zod's compiled object parser pays for itself over many parses, never for this one (measured: ≈ 10 ms more cold, no gain at 15,000 nodes).
  const parsed = clusterSchema.safeParse(data ?? {}, { jitless: true });
  if (!parsed.success || checkRules(parsed.data, probe).length > 0) return undefined;
  return { ok: true, cluster: parsed.data, file, baseDir, warnings: [] };
}

/** Whether walking `data` (shared nodes counted each time they are reached) meets at most `limit` values. */
function withinValues(data: unknown, limit: number): boolean {
  let budget = limit;
  const walk = (value: unknown): boolean => {
    if (--budget < 0) return false;
    if (value === null || typeof value !== 'object') return true;
    for (const item of Array.isArray(value) ? value : Object.values(value)) if (!walk(item)) return false;
    return true;
  };
  return walk(data);
}
