/**
 * Reading Kubespray's YAML the way Ansible does, cheaply. Ansible uses PyYAML
 * (YAML 1.1: `yes`/`no` are booleans), so parse with version 1.1. Some files
 * are large (the checksum file holds thousands of lines), so a single
 * top-level variable is cut out of the text and parsed alone. Key order
 * survives parsing (version keys like `v1.14.1` are not integer-like), and
 * that order is a fact we report: v2.22.2 appends newer patches at the end.
 */
import { parse, parseAllDocuments } from 'yaml';

/** Parses a whole YAML file as Ansible would; undefined when it is not valid YAML. */
export function parseYaml(text: string): unknown {
  try {
    return parse(text, { version: '1.1', uniqueKeys: false, maxAliasCount: -1 });
  } catch {
    return undefined;
  }
}

/**
 * Parses with every scalar kept as the string it was written as: version
 * variables like `2.10` must not become the number 2.1.
 */
export function parseYamlStrings(text: string): unknown {
  try {
    const [document] = parseAllDocuments(text, { schema: 'failsafe', uniqueKeys: false });
    if (!document || document.errors.length > 0) return undefined;
    return document.toJS({ maxAliasCount: -1 });
  } catch {
    return undefined;
  }
}

const TOP_LEVEL_KEY = /^([A-Za-z_][\w-]*)\s*:(?:\s|$)/;

/**
 * The text of one top-level variable (its key line and every indented,
 * blank or comment line that follows), or undefined when the file does not
 * define it at the top level.
 */
export function topLevelBlock(text: string, key: string): string | undefined {
  const lines = text.split(/\r?\n/);
  const start = lines.findIndex((line) => TOP_LEVEL_KEY.exec(line)?.[1] === key);
  if (start === -1) return undefined;
  let end = start + 1;
  while (end < lines.length) {
    const line = lines[end] ?? '';
    if (line.length > 0 && !/^\s/.test(line) && !line.startsWith('#')) break;
    end += 1;
  }
  return lines.slice(start, end).join('\n');
}

/** The value of a top-level variable (parsed alone), or undefined when absent or unparsable. */
export function topLevelValue(text: string, key: string, options: { strings?: boolean } = {}): unknown {
  const block = topLevelBlock(text, key);
  if (block === undefined) return undefined;
  const parsed = options.strings ? parseYamlStrings(block) : parseYaml(block);
  return isMapping(parsed) ? parsed[key] : undefined;
}

/** Whether a top-level variable is defined in the file. */
export function definesTopLevel(text: string, key: string): boolean {
  return topLevelBlock(text, key) !== undefined;
}

export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}
