/**
 * Label selectors, evaluated as the API server does: matchLabels and
 * matchExpressions are ANDed; an empty selector matches everything (callers
 * decide when "no selector" means nothing, as policy/v1beta1 PDBs do).
 */
import type { LabelSelector, LabelSelectorRequirement } from './types.js';

export function matchesSelector(labels: Readonly<Record<string, string>>, selector: LabelSelector): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels)) {
    if (labels[key] !== value) return false;
  }
  return selector.matchExpressions.every((req) => matchesRequirement(labels, req));
}

function matchesRequirement(labels: Readonly<Record<string, string>>, req: LabelSelectorRequirement): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, req.key);
  switch (req.operator) {
    case 'In':
      return has && req.values.includes(labels[req.key] as string);
    case 'NotIn':
      return !has || !req.values.includes(labels[req.key] as string);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
  }
}

export function isEmptySelector(selector: LabelSelector): boolean {
  return Object.keys(selector.matchLabels).length === 0 && selector.matchExpressions.length === 0;
}

/** A selector from API JSON, leniently; null when absent or not an object. */
export function labelSelectorOf(raw: unknown): LabelSelector | null {
  if (raw === null || typeof raw !== 'object') return null;
  const { matchLabels, matchExpressions } = raw as { matchLabels?: unknown; matchExpressions?: unknown };
  const labels: Record<string, string> = {};
  if (matchLabels && typeof matchLabels === 'object') {
    for (const [key, value] of Object.entries(matchLabels)) if (typeof value === 'string') labels[key] = value;
  }
  const expressions: LabelSelectorRequirement[] = [];
  if (Array.isArray(matchExpressions)) {
    for (const item of matchExpressions as Array<{ key?: unknown; operator?: unknown; values?: unknown }>) {
      if (typeof item?.key !== 'string' || !isOperator(item.operator)) continue;
      const values = Array.isArray(item.values) ? item.values.filter((v): v is string => typeof v === 'string') : [];
      expressions.push({ key: item.key, operator: item.operator, values });
    }
  }
  return { matchLabels: labels, matchExpressions: expressions };
}

function isOperator(value: unknown): value is LabelSelectorRequirement['operator'] {
  return value === 'In' || value === 'NotIn' || value === 'Exists' || value === 'DoesNotExist';
}

/**
 * Parses the query-string form (`app=web,tier!=db,env in (a,b),!legacy`) into
 * a selector; undefined when the text is malformed.
 */
export function parseSelectorString(text: string): LabelSelector | undefined {
  const selector: LabelSelector = { matchLabels: {}, matchExpressions: [] };
  for (const term of splitTerms(text)) {
    const setMatch = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
    if (setMatch) {
      const values = (setMatch[3] ?? '').split(',').map((v) => v.trim()).filter((v) => v !== '');
      selector.matchExpressions.push({ key: setMatch[1] as string, operator: setMatch[2] === 'in' ? 'In' : 'NotIn', values });
      continue;
    }
    const cmp = /^([\w./-]+)\s*(==|=|!=)\s*([\w./-]*)$/.exec(term);
    if (cmp) {
      const [, key, op, value] = cmp as unknown as [string, string, string, string];
      if (op === '!=') selector.matchExpressions.push({ key, operator: 'NotIn', values: [value] });
      else selector.matchExpressions.push({ key, operator: 'In', values: [value] });
      continue;
    }
    const exists = /^(!?)([\w./-]+)$/.exec(term);
    if (exists) {
      selector.matchExpressions.push({ key: exists[2] as string, operator: exists[1] ? 'DoesNotExist' : 'Exists', values: [] });
      continue;
    }
    return undefined;
  }
  return selector;
}

/** Splits on commas outside parentheses. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth += 1;
    if (ch === ')') depth -= 1;
    if (ch === ',' && depth === 0) {
      terms.push(current.trim());
      current = '';
    } else {
      current += ch;
    }
  }
  if (current.trim() !== '') terms.push(current.trim());
  return terms.filter((t) => t !== '');
}
