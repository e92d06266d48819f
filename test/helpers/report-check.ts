/**
 * Checks for apply's run reports. validateJsonSchema: a small JSON Schema
 * validator for the keywords zod's toJSONSchema emits for the run report
 * (type, const, enum, anyOf, minimum, maximum, properties, required,
 * additionalProperties, items). Enough to prove a document matches
 * the published schema without adding a validator dependency; an unknown
 * keyword fails loudly so the helper never passes by ignoring a rule.
 */
import { run } from '../../src/process/exec.js';

type Schema = Record<string, unknown>;

const KNOWN = new Set(['$schema', 'type', 'const', 'enum', 'anyOf', 'minimum', 'maximum', 'properties', 'required', 'additionalProperties', 'items', 'description']);

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function typeMatches(expected: string, value: unknown): boolean {
  const actual = typeOf(value);
  return expected === actual || (expected === 'number' && actual === 'integer');
}

/** Every violation as `path: message`; empty when the value is valid. */
export function validateJsonSchema(schema: Schema, value: unknown, path = '$'): string[] {
  const unknown = Object.keys(schema).filter((key) => !KNOWN.has(key));
  if (unknown.length > 0) return [`${path}: schema keyword(s) this helper does not know: ${unknown.join(', ')}`];
  const errors: string[] = [];
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
    if (!types.some((type) => typeMatches(type, value))) return [`${path}: expected ${types.join('|')}, got ${typeOf(value)}`];
  }
  if ('const' in schema && value !== schema.const) errors.push(`${path}: expected ${JSON.stringify(schema.const)}`);
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) errors.push(`${path}: ${JSON.stringify(value)} not in ${JSON.stringify(schema.enum)}`);
  if (Array.isArray(schema.anyOf) && !(schema.anyOf as Schema[]).some((option) => validateJsonSchema(option, value, path).length === 0)) {
    errors.push(`${path}: matches none of anyOf`);
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) errors.push(`${path}: below ${schema.minimum}`);
    if (typeof schema.maximum === 'number' && value > schema.maximum) errors.push(`${path}: above ${schema.maximum}`);
  }
  if (typeOf(value) === 'object') {
    const object = value as Record<string, unknown>;
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    for (const key of (schema.required ?? []) as string[]) if (!(key in object)) errors.push(`${path}: missing ${key}`);
    for (const [key, item] of Object.entries(object)) {
      if (properties[key]) errors.push(...validateJsonSchema(properties[key], item, `${path}.${key}`));
      else if (schema.additionalProperties === false) errors.push(`${path}: unexpected property ${key}`);
    }
  }
  if (Array.isArray(value) && schema.items !== undefined) {
    value.forEach((item, index) => errors.push(...validateJsonSchema(schema.items as Schema, item, `${path}[${index}]`)));
  }
  return errors;
}

export interface JUnitCase { suite: string; name: string; classname: string; outcome: 'passed' | 'failure' | 'error' | 'skipped'; message: string | null }

/** Parses a JUnit file with a real XML parser (Python's ElementTree): every testcase and its outcome. */
export async function parseJUnit(file: string): Promise<{ tests: number; failures: number; cases: JUnitCase[] }> {
  const script = [
    'import json, sys, xml.etree.ElementTree as ET',
    'root = ET.parse(sys.argv[1]).getroot()',
    'cases = []',
    'for suite in root.iter("testsuite"):',
    '    for case in suite.iter("testcase"):',
    '        outcome, message = "passed", None',
    '        for tag in ("failure", "error", "skipped"):',
    '            found = case.find(tag)',
    '            if found is not None: outcome, message = tag, found.get("message")',
    '        cases.append({"suite": suite.get("name"), "name": case.get("name"), "classname": case.get("classname"), "outcome": outcome, "message": message})',
    'print(json.dumps({"tests": int(root.get("tests")), "failures": int(root.get("failures")), "cases": cases}))',
  ].join('\n');
  const result = await run(['python3', '-c', script, file]);
  return JSON.parse(result.stdout) as { tests: number; failures: number; cases: JUnitCase[] };
}
