/**
 * Host variables on an Ansible INI host line are split like a shell line and
 * each value goes through Python's literal_eval. These helpers write values so
 * that Ansible reads back exactly the type and text we meant.
 */

/** A Python literal for a JSON-like value (True/False/None, repr-style strings). */
export function pythonLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'None';
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
  if (Array.isArray(value)) return `[${value.map(pythonLiteral).join(', ')}]`;
  const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => `${pythonLiteral(k)}: ${pythonLiteral(v)}`);
  return `{${entries.join(', ')}}`;
}

const PLAIN = /^[A-Za-z0-9_.:/@%+,-]+$/;
// What Python's literal_eval would turn into a non-string: numbers (one dot at
// most, so IP addresses stay strings), booleans, None.
const LITERAL_LOOKING = /^(?:[-+]?(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?[jJ]?|True|False|None|0[xXoObB][\dA-Fa-f_]+)$/;

/** One `key=value` token of a host line. */
export function iniHostVar(key: string, value: unknown): string {
  if (typeof value === 'string' && PLAIN.test(value) && !LITERAL_LOOKING.test(value)) return `${key}=${value}`;
  if (typeof value === 'boolean' || typeof value === 'number') return `${key}=${pythonLiteral(value)}`;
  return `${key}=${shellQuote(pythonLiteral(value))}`;
}

function shellQuote(text: string): string {
  return `"${text.replace(/(["\\$`])/g, '\\$1')}"`;
}
