/**
 * The variable facts of many tags in one document (data/kubespray/variables.json,
 * or `variables.json` beside a refreshed catalog in the cache). Tags are kept in
 * semver order, each set stored as what it adds to and drops from the previous
 * tag's: a 60-tag document is ~10× smaller than full lists, diffs well in git,
 * and a tag's sets are rebuilt by folding the deltas up to it. Pure.
 */
import type { TagVariables } from './extract/variables.js';
import { compareTags } from './versions.js';

export const SET_CATEGORIES = ['defaults', 'roleVars', 'sample', 'referenced', 'bound'] as const;
export type SetCategory = (typeof SET_CATEGORIES)[number];

export interface Delta {
  add?: string[];
  drop?: string[];
}

export interface VariablesTagEntry {
  tag: string;
  sha: string;
  /** Each category's names relative to the previous entry's (the first entry: relative to nothing). */
  sets: Partial<Record<SetCategory, Delta>>;
  /** Names the tag fails on, with its message (full, not a delta: a handful per tag). */
  rejected: Record<string, string>;
}

export interface VariablesDocument {
  meta: Record<string, unknown>;
  tags: VariablesTagEntry[];
}

export interface ExtractedTag {
  tag: string;
  sha: string;
  variables: TagVariables;
}

export function buildVariablesDocument(extracted: readonly ExtractedTag[], meta: Record<string, unknown>): VariablesDocument {
  const ordered = [...extracted].sort((a, b) => compareTags(a.tag, b.tag));
  let previous: Record<SetCategory, Set<string>> = emptySets();
  const tags = ordered.map(({ tag, sha, variables }) => {
    const sets: VariablesTagEntry['sets'] = {};
    const current = emptySets();
    for (const category of SET_CATEGORIES) {
      for (const name of variables[category]) current[category].add(name);
      const add = [...current[category]].filter((name) => !previous[category].has(name)).sort();
      const drop = [...previous[category]].filter((name) => !current[category].has(name)).sort();
      if (add.length > 0 || drop.length > 0) sets[category] = { ...(add.length > 0 ? { add } : {}), ...(drop.length > 0 ? { drop } : {}) };
    }
    previous = current;
    return { tag, sha, sets, rejected: variables.rejected };
  });
  return { meta, tags };
}

/** The full sets of every tag up to and including `upTo` (all tags when undefined), folded from the deltas. */
export function foldVariables(document: VariablesDocument, upTo?: string): Map<string, TagVariables> {
  const out = new Map<string, TagVariables>();
  const running = emptySets();
  for (const entry of document.tags) {
    for (const category of SET_CATEGORIES) {
      const delta = entry.sets[category];
      for (const name of delta?.drop ?? []) running[category].delete(name);
      for (const name of delta?.add ?? []) running[category].add(name);
    }
    out.set(entry.tag, {
      defaults: [...running.defaults], roleVars: [...running.roleVars], sample: [...running.sample],
      referenced: [...running.referenced], bound: [...running.bound], rejected: { ...entry.rejected },
    });
    if (entry.tag === upTo) break;
  }
  return out;
}

/** A document's basic shape, for a file that may be damaged or from another kspray. */
export function isVariablesDocument(value: unknown): value is VariablesDocument {
  if (typeof value !== 'object' || value === null) return false;
  const tags = (value as { tags?: unknown }).tags;
  return Array.isArray(tags) && tags.every((entry) => typeof entry?.tag === 'string' && typeof entry?.sha === 'string'
    && typeof entry?.sets === 'object' && entry.sets !== null && typeof entry?.rejected === 'object' && entry.rejected !== null);
}

function emptySets(): Record<SetCategory, Set<string>> {
  return { defaults: new Set(), roleVars: new Set(), sample: new Set(), referenced: new Set(), bound: new Set() };
}
