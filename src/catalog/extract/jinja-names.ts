/**
 * The variable names a piece of Jinja reads and binds, from its text alone:
 * an over-approximation (a filter argument that happens to be a variable
 * counts; a dynamic `lookup('vars', prefix ~ name)` does not), which is the
 * right side to err on when the question is "does this tag read X at all".
 *
 * Read: every identifier of an expression that is not an attribute (`.x`),
 * a filter (`| x`), a test (`is x`), a keyword argument (`x=`), a Jinja
 * keyword or a name bound in the same text; plus the names subscripted out
 * of `hostvars[…]` and `vars` (`hostvars[h]['access_ip']`, `vars.x`).
 * Bound: `{% set x %}`, `{% for a, b in %}`, `{% macro m(x) %}` targets.
 */

const KEYWORDS = new Set([
  'and', 'or', 'not', 'in', 'is', 'if', 'else', 'elif', 'endif', 'for', 'endfor', 'set', 'endset', 'macro', 'endmacro',
  'call', 'endcall', 'filter', 'endfilter', 'block', 'endblock', 'raw', 'endraw', 'with', 'endwith', 'include', 'import',
  'from', 'as', 'recursive', 'true', 'false', 'none', 'True', 'False', 'None', 'do', 'break', 'continue', 'without', 'context',
  'ignore', 'missing', 'extends', 'autoescape', 'endautoescape', 'trans', 'endtrans', 'pluralize',
  // Jinja and Ansible globals that are functions, not variables.
  'range', 'lookup', 'query', 'q', 'dict', 'lipsum', 'cycler', 'joiner', 'namespace', 'undef', 'now',
  'loop', 'super', 'varargs', 'kwargs', 'caller', 'self',
]);

const IDENTIFIER = /[A-Za-z_][A-Za-z0-9_]*/y;
const STRING = /'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"/y;
const NAME_ONLY = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface JinjaNames {
  read: Set<string>;
  bound: Set<string>;
}

/** Names in one Jinja expression (the inside of `{{ }}`, a `when:` condition, …). */
export function expressionNames(expression: string, into: JinjaNames = { read: new Set(), bound: new Set() }): JinjaNames {
  const tokens = tokenize(expression);
  tokens.forEach((token, i) => {
    if (token.kind !== 'name') return;
    const previous = tokens[i - 1];
    const next = tokens[i + 1];
    if (previous?.kind === 'punct' && (previous.text === '.' || previous.text === '|')) {
      // `vars.x` and `hostvars[h].x` read x; any other attribute or filter reads nothing by that name.
      const before = tokens[i - 2];
      if (previous.text === '.' && before && ((before.kind === 'name' && before.text === 'vars') || (before.kind === 'punct' && before.text === ']' && subscriptsHostvars(tokens, i - 2)))) {
        into.read.add(token.text);
      }
      return;
    }
    if (previous?.kind === 'name' && (previous.text === 'is' || (previous.text === 'not' && tokens[i - 2]?.text === 'is'))) return;
    if (next?.kind === 'punct' && next.text === '=' ) return;
    if (KEYWORDS.has(token.text)) return;
    into.read.add(token.text);
  });
  // `hostvars[h]['x']`, `vars['x']`, `lookup('vars', 'x')`: string-named reads.
  tokens.forEach((token, i) => {
    if (token.kind !== 'string' || !NAME_ONLY.test(token.value)) return;
    const open = tokens[i - 1];
    const close = tokens[i + 1];
    if (open?.text === '[' && close?.text === ']') {
      const target = tokens[i - 2];
      if ((target?.kind === 'name' && target.text === 'vars') || (target?.kind === 'punct' && target.text === ']' && subscriptsHostvars(tokens, i - 2))) into.read.add(token.value);
    }
    if (open?.text === ',' && tokens[i - 2]?.kind === 'string' && tokens[i - 2]?.value === 'vars' && tokens[i - 3]?.text === '(' && ['lookup', 'query', 'q'].includes(tokens[i - 4]?.text ?? '')) into.read.add(token.value);
  });
  return into;
}

/** Whether the `]` at `close` ends a `hostvars[…]` subscript. */
function subscriptsHostvars(tokens: readonly Token[], close: number): boolean {
  let depth = 0;
  for (let j = close; j >= 0; j -= 1) {
    const text = tokens[j]?.text;
    if (text === ']') depth += 1;
    else if (text === '[') {
      depth -= 1;
      if (depth === 0) return tokens[j - 1]?.kind === 'name' && tokens[j - 1]?.text === 'hostvars';
    }
  }
  return false;
}

/** Names in a template text: every `{{ }}` and `{% %}` block, `{# #}` comments left out. */
export function templateNames(text: string, into: JinjaNames = { read: new Set(), bound: new Set() }): JinjaNames {
  const body = text.replace(/\{#[\s\S]*?#\}/g, ' ');
  for (const match of body.matchAll(/\{\{([\s\S]*?)\}\}|\{%-?([\s\S]*?)-?%\}/g)) {
    if (match[1] !== undefined) expressionNames(match[1], into);
    else if (match[2] !== undefined) statementNames(match[2], into);
  }
  return into;
}

/** Whether a string holds Jinja delimiters (a YAML value that Ansible templates). */
export function hasJinja(text: string): boolean {
  return text.includes('{{') || text.includes('{%');
}

function statementNames(statement: string, into: JinjaNames): void {
  const trimmed = statement.trim();
  const forLoop = /^for\s+([\w\s,()]+?)\s+in\s+([\s\S]*)$/.exec(trimmed);
  if (forLoop) {
    for (const name of (forLoop[1] ?? '').match(/[A-Za-z_]\w*/g) ?? []) into.bound.add(name);
    expressionNames((forLoop[2] ?? '').replace(/\brecursive\s*$/, ''), into);
    return;
  }
  const set = /^set\s+([\w\s,]+?)\s*(?:=([\s\S]*))?$/.exec(trimmed);
  if (set) {
    for (const name of (set[1] ?? '').match(/[A-Za-z_]\w*/g) ?? []) into.bound.add(name);
    if (set[2] !== undefined) expressionNames(set[2], into);
    return;
  }
  const macro = /^(?:macro|call)\s*(\w*)\s*\(([^)]*)\)/.exec(trimmed);
  if (macro) {
    if (macro[1]) into.bound.add(macro[1]);
    for (const param of (macro[2] ?? '').split(',')) {
      const name = /^\s*([A-Za-z_]\w*)/.exec(param)?.[1];
      if (name) into.bound.add(name);
    }
    return;
  }
  const keyword = /^(if|elif|filter|with|include|import|from)\b([\s\S]*)$/.exec(trimmed);
  if (keyword) expressionNames(keyword[2] ?? '', into);
}

interface Token {
  kind: 'name' | 'string' | 'number' | 'punct';
  text: string;
  /** A string literal's content. */
  value: string;
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const char = source[i] ?? '';
    if (/\s/.test(char)) {
      i += 1;
      continue;
    }
    IDENTIFIER.lastIndex = i;
    const name = IDENTIFIER.exec(source);
    if (name) {
      tokens.push({ kind: 'name', text: name[0], value: name[0] });
      i += name[0].length;
      continue;
    }
    STRING.lastIndex = i;
    const string = STRING.exec(source);
    if (string) {
      tokens.push({ kind: 'string', text: string[0], value: string[0].slice(1, -1) });
      i += string[0].length;
      continue;
    }
    const number = /^\d[\d_.eE]*/.exec(source.slice(i, i + 32));
    if (number) {
      tokens.push({ kind: 'number', text: number[0], value: number[0] });
      i += number[0].length;
      continue;
    }
    const two = source.slice(i, i + 2);
    const punct = ['==', '!=', '<=', '>=', '//', '**'].includes(two) ? two : char;
    tokens.push({ kind: 'punct', text: punct, value: punct });
    i += punct.length;
  }
  return tokens;
}
