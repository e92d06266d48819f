/**
 * Host variables on an Ansible INI host line, written so that Ansible reads
 * back exactly the value of the model. What Ansible does with the line
 * (lib/ansible/plugins/inventory/ini.py, ansible-core 2.14):
 *  1. the file is split with Python's str.splitlines() — so a value may hold
 *     no line break of any kind (the model refuses them, rules-values.ts);
 *  2. the line is split with shlex.split(line, comments=True) in POSIX mode:
 *     whitespace separates tokens, `#` starts a comment even inside a bare
 *     word, `'…'` keeps everything, and in `"…"` a backslash escapes only `"`
 *     and `\` (`$` and backticks mean nothing to shlex);
 *  3. each `key=value` token is split at its first `=`, and the value goes
 *     through ast.literal_eval: a Python literal becomes that value (`200` an
 *     int, `True` a bool, `1,2` a tuple, `'x'` the string x), anything else
 *     stays the text it is.
 * So a string is written bare only when shlex leaves it whole and
 * literal_eval refuses it; everything else is written as a Python literal
 * (literal_eval's input) inside shlex double quotes.
 */
import { isIP } from 'node:net';

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

/** Characters shlex keeps inside a bare word (no whitespace, quote, backslash or `#`) and that need no thought. */
const BARE = /^[A-Za-z0-9_.:/@%+,-]+$/;

/**
 * literal_eval refuses any expression holding a name other than True, False
 * and None. A bare word that starts with such a name (eno49, k1-node01,
 * can-reach=8.8.8.8) therefore stays text; so does an address, which no
 * Python expression spells (10.0.0.1, fd00::1). Anything else is quoted.
 */
function staysText(value: string): boolean {
  if (!BARE.test(value)) return false;
  const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(value)?.[0];
  if (name !== undefined && name !== 'True' && name !== 'False' && name !== 'None') return true;
  // Only now the address test: Node's IPv6 pattern costs milliseconds on its first use.
  return isIP(value) !== 0;
}

/** One `key=value` token of a host line. */
export function iniHostVar(key: string, value: unknown): string {
  if (typeof value === 'string' && staysText(value)) return `${key}=${value}`;
  if (typeof value === 'boolean' || typeof value === 'number') return `${key}=${pythonLiteral(value)}`;
  return `${key}=${shlexQuote(pythonLiteral(value))}`;
}

/** shlex's POSIX double quotes: only `"` and `\` need a backslash. */
function shlexQuote(text: string): string {
  return `"${text.replace(/["\\]/g, '\\$&')}"`;
}
