/**
 * What each Kubespray tag reads, as queries: the variable facts `catalog
 * refresh` extracts from the tag's own files (src/catalog/extract/variables.ts),
 * bundled in data/kubespray/variables.json for v2.10.0 – v2.31.0, or
 * refreshed into the cache. Loaded on first use only (~250 KB of JSON, a few
 * ms to fold): `kspray plan` of a cluster whose settings are all typed never
 * loads them (src/vars/unread.ts).
 *
 * An extra-var beats every other source Ansible has, so a tag reads one when
 * it defines or references the name anywhere. An inventory host var loses to
 * what the plays bind themselves (task vars, set_fact, loop variables), so a
 * name the tag only binds and references locally is not read from the
 * inventory. A name the tag asserts is not defined is never read: it fails.
 */
import { readFileSync } from 'node:fs';
import type { TagVariables } from '../catalog/extract/variables.js';
import { bundledVariablesPath, refreshedVariablesPath } from '../catalog/snapshot.js';
import { foldVariables, isVariablesDocument, type VariablesDocument } from '../catalog/variables-document.js';

export interface TagReads {
  tag: string;
  /** A role default, role var or sample group_vars name. */
  defines(name: string): boolean;
  /** In inventory/sample/group_vars (what kspray copies into every hop's inventory). */
  inSample(name: string): boolean;
  /** Read when written as an extra-var. */
  readsExtraVar(name: string): boolean;
  /** Read when written as an inventory host variable. */
  readsHostVar(name: string): boolean;
  /** The tag's own message when it fails on the name (undefined when it does not). */
  rejects(name: string): string | undefined;
}

export interface VariableFacts {
  /** Where the facts came from (for messages). */
  source: string;
  /** A refreshed facts file that exists but was not used, and why (callers warn). */
  ignored?: { path: string; reason: string };
  knows(tag: string): boolean;
  /** The tag's reads; throws for a tag the facts do not know (ask knows() first). */
  of(tag: string): TagReads;
}

export function variableFactsOf(documents: readonly VariablesDocument[], source: string, ignored?: VariableFacts['ignored']): VariableFacts {
  const folded = new Map<string, TagVariables>();
  const reads = new Map<string, TagReads>();
  const find = (tag: string): VariablesDocument | undefined => documents.find((document) => document.tags.some((entry) => entry.tag === tag));
  const variablesOf = (tag: string): TagVariables => {
    let variables = folded.get(tag);
    if (!variables) {
      const document = find(tag);
      if (!document) throw new Error(`no variable facts for ${tag}`);
      for (const [name, value] of foldVariables(document, tag)) if (!folded.has(name)) folded.set(name, value);
      variables = folded.get(tag)!;
    }
    return variables;
  };
  return {
    source,
    ...(ignored ? { ignored } : {}),
    knows: (tag) => find(tag) !== undefined,
    of: (tag) => {
      let entry = reads.get(tag);
      if (!entry) {
        entry = tagReads(tag, variablesOf(tag));
        reads.set(tag, entry);
      }
      return entry;
    },
  };
}

export function tagReads(tag: string, variables: TagVariables): TagReads {
  const defined = new Set([...variables.defaults, ...variables.roleVars, ...variables.sample]);
  const sample = new Set(variables.sample);
  const referenced = new Set(variables.referenced);
  const bound = new Set(variables.bound);
  const hostDefaults = new Set([...variables.defaults, ...variables.sample]);
  const rejected = new Map(Object.entries(variables.rejected));
  return {
    tag,
    defines: (name) => defined.has(name),
    inSample: (name) => sample.has(name),
    readsExtraVar: (name) => !rejected.has(name) && (defined.has(name) || referenced.has(name)),
    readsHostVar: (name) => !rejected.has(name) && (hostDefaults.has(name) || (referenced.has(name) && !bound.has(name))),
    rejects: (name) => rejected.get(name),
  };
}

let memo: { key: string; facts: VariableFacts } | undefined;

/**
 * The refreshed facts in the cache (when valid) before the bundled ones: a tag
 * added by `catalog refresh` has facts, and a re-read tag's newer facts win.
 */
export function loadVariableFacts(): VariableFacts {
  const refreshedPath = refreshedVariablesPath();
  if (memo?.key === refreshedPath) return memo.facts;
  const documents: VariablesDocument[] = [];
  const sources: string[] = [];
  let ignored: VariableFacts['ignored'];
  const refreshed = readDocument(refreshedPath);
  if ('document' in refreshed) {
    documents.push(refreshed.document);
    sources.push(refreshedPath);
  } else if (refreshed.reason !== undefined) {
    ignored = { path: refreshedPath, reason: refreshed.reason };
  }
  const bundled = readDocument(bundledVariablesPath);
  if (!('document' in bundled)) throw new Error(`the bundled variable facts ${bundledVariablesPath} cannot be read (${bundled.reason ?? 'missing'}): reinstall kspray`);
  documents.push(bundled.document);
  sources.push(bundledVariablesPath);
  memo = { key: refreshedPath, facts: variableFactsOf(documents, sources.join(' and '), ignored) };
  return memo.facts;
}

/** The document at path; `reason` undefined when there is no file at all. */
function readDocument(path: string): { document: VariablesDocument } | { reason: string | undefined } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return { reason: (error as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : (error as Error).message };
  }
  try {
    const parsed: unknown = JSON.parse(text);
    return isVariablesDocument(parsed) ? { document: parsed } : { reason: 'not a kspray variable facts document' };
  } catch (error) {
    return { reason: `not valid JSON (${(error as Error).message})` };
  }
}

/** For tests: forget what was loaded. */
export function forgetVariableFacts(): void {
  memo = undefined;
}
