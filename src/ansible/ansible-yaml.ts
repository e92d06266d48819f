/**
 * YAML as Ansible reads it. Ansible loads `-e @FILE`, group_vars and
 * host_vars with PyYAML (YAML 1.1) through its own constructor, which adds
 * `!unsafe` (a value never templated) and `!vault`. A plain `yes` there is
 * True, `1:20` is 80, `0755` is 493, `2001-12-14` a date and a plain `=` an
 * error; the `yaml` package's own 1.1 schema differs in the corners (it reads
 * `y` and `1e3`, PyYAML does not), so the scalar tags below carry PyYAML's
 * resolver patterns (yaml/resolver.py) and constructors word for word.
 *
 * Writing, a string that PyYAML would resolve to something else is quoted (the
 * `yaml` stringifier quotes a plain string that any default tag's `test`
 * matches), and a string holding a Jinja delimiter is tagged `!unsafe`, so no
 * value from a cluster file is ever templated. Reading (kspray import), the
 * same tags give what Ansible would see.
 */
import { Document, LineCounter, parseDocument, visit, type ScalarTag, type Tags } from 'yaml';

/** PyYAML's implicit resolvers (yaml/resolver.py, PyYAML 3.x – 6.x), as JavaScript patterns. */
export const PYYAML_RESOLVERS = {
  bool: /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/,
  float: /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
  int: /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/,
  merge: /^<<$/,
  null: /^(?:~|null|Null|NULL|)$/,
  timestamp: /^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9]{2})?))?)$/,
  value: /^=$/,
} as const;

/** What Ansible's templating looks for: `{{`, `{%` and `{#` (Jinja's default delimiters). */
export const JINJA_DELIMITER = /\{[{%#]/;

export function hasJinjaDelimiter(text: string): boolean {
  return JINJA_DELIMITER.test(text);
}

/** Whether a plain (unquoted) scalar with this text would reach Ansible as anything but this string. */
export function pyyamlReadsAsNonString(text: string): boolean {
  return Object.values(PYYAML_RESOLVERS).some((pattern) => pattern.test(text));
}

/** PyYAML's construct_yaml_int. */
function pyInt(text: string): number {
  let value = text.replace(/_/g, '');
  const sign = value.startsWith('-') ? -1 : 1;
  if (value[0] === '-' || value[0] === '+') value = value.slice(1);
  if (value === '0') return 0;
  if (value.startsWith('0b')) return sign * parseInt(value.slice(2), 2);
  if (value.startsWith('0x')) return sign * parseInt(value.slice(2), 16);
  if (value.startsWith('0')) return sign * parseInt(value, 8);
  if (value.includes(':')) return sign * value.split(':').reduce((total, part) => total * 60 + Number(part), 0);
  return sign * Number(value);
}

/** PyYAML's construct_yaml_float. */
function pyFloat(text: string): number {
  let value = text.replace(/_/g, '').toLowerCase();
  const sign = value.startsWith('-') ? -1 : 1;
  if (value[0] === '-' || value[0] === '+') value = value.slice(1);
  if (value === '.inf') return sign * Infinity;
  if (value === '.nan') return NaN;
  if (value.includes(':')) return sign * value.split(':').reduce((total, part) => total * 60 + Number(part), 0);
  return sign * Number(value);
}

/** A number as PyYAML reads it back: an int, or a float with the dot its float pattern requires (`1e+21` alone is a string there). */
function formatNumber(value: number): string {
  if (Number.isNaN(value)) return '.nan';
  if (!Number.isFinite(value)) return value > 0 ? '.inf' : '-.inf';
  if (Number.isInteger(value) && Math.abs(value) < 1e21) return String(value);
  const text = String(value);
  const [mantissa, exponent] = text.split('e');
  if (exponent === undefined) return text;
  return `${mantissa!.includes('.') ? mantissa : `${mantissa}.0`}e${exponent}`;
}

function invalid(what: string, text: string, onError: (message: string) => void): string {
  onError(`${JSON.stringify(text)} reads as ${what} in YAML 1.1, which Ansible cannot construct`);
  return text;
}

/** The scalar tags of PyYAML's SafeLoader (and Ansible's !unsafe / !vault), for the `yaml` package. */
function ansibleScalarTags(onTimestamp?: (text: string) => void): ScalarTag[] {
  return [
    { tag: 'tag:yaml.org,2002:null', default: true, identify: (value) => value === null || value === undefined, test: PYYAML_RESOLVERS.null, resolve: () => null, stringify: () => 'null' },
    {
      tag: 'tag:yaml.org,2002:bool', default: true, identify: (value) => typeof value === 'boolean', test: PYYAML_RESOLVERS.bool,
      resolve: (text) => /^(?:yes|true|on)$/i.test(text), stringify: ({ value }) => (value ? 'true' : 'false'),
    },
    {
      tag: 'tag:yaml.org,2002:int', default: true, identify: (value) => typeof value === 'number' && Number.isInteger(value) && Math.abs(value) < 1e21,
      test: PYYAML_RESOLVERS.int,
      resolve: (text, onError) => {
        const value = pyInt(text);
        return Number.isFinite(value) ? value : invalid('an integer', text, onError);
      },
      stringify: ({ value }) => formatNumber(Number(value)),
    },
    {
      tag: 'tag:yaml.org,2002:float', default: true, identify: (value) => typeof value === 'number', test: PYYAML_RESOLVERS.float,
      resolve: (text) => pyFloat(text), stringify: ({ value }) => formatNumber(Number(value)),
    },
    {
      // PyYAML makes a date or datetime of it; kspray's values are JSON-like, so the text is kept (import says so).
      tag: 'tag:yaml.org,2002:timestamp', default: true, test: PYYAML_RESOLVERS.timestamp,
      resolve: (text) => {
        onTimestamp?.(text);
        return text;
      },
    },
    {
      // YAML 1.1's "value" key: SafeLoader has no constructor for it, so Ansible fails on a plain `=`.
      tag: 'tag:yaml.org,2002:value', default: true, test: PYYAML_RESOLVERS.value,
      resolve: (text, onError) => {
        onError('a plain = is YAML 1.1\'s value key, which Ansible cannot read: quote it ("=")');
        return text;
      },
    },
    { tag: '!unsafe', resolve: (text) => new UnsafeText(text) },
    { tag: '!vault', resolve: (text) => new VaultValue(text) },
  ];
}

/** A `!unsafe` string: text Ansible never templates, whatever it holds. */
export class UnsafeText {
  constructor(readonly text: string) {}
  toJSON(): string {
    return this.text;
  }
}

/** A `!vault` value: Ansible Vault ciphertext, which kspray never decrypts. */
export class VaultValue {
  constructor(readonly ciphertext: string) {}
  toJSON(): string {
    return '!vault';
  }
}

const SCALAR_TAGS = new Set(['tag:yaml.org,2002:null', 'tag:yaml.org,2002:bool', 'tag:yaml.org,2002:int', 'tag:yaml.org,2002:float', 'tag:yaml.org,2002:timestamp']);

/**
 * Characters a string may hold that PyYAML must not meet raw: C1 controls and
 * U+FFFE/U+FFFF (its reader refuses them), NEL and the line/paragraph
 * separators (line breaks in YAML 1.1, which would fold a plain or quoted
 * scalar), and the BOM. The `yaml` stringifier escapes only C0 controls.
 */
const NEEDS_ESCAPE = /[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]/;

/** A double-quoted scalar with every character outside plain printable text escaped (JSON's escapes are YAML's too). */
function escapedDoubleQuoted(text: string): string {
  return JSON.stringify(text).replace(/[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

type StringifyFn = NonNullable<ScalarTag['stringify']>;

function escapingStringify(fallback: StringifyFn): StringifyFn {
  return (item, ctx, onComment, onChompKeep) =>
    typeof item.value === 'string' && NEEDS_ESCAPE.test(item.value) ? escapedDoubleQuoted(item.value) : fallback(item, ctx, onComment, onChompKeep);
}

/** yaml's 1.1 collections, strings, binary, omap, pairs, set (and merge, for reading), with PyYAML's scalars instead of yaml's. */
function ansibleTags(onTimestamp?: (text: string) => void, { merge = true } = {}): (tags: Tags) => Tags {
  return (tags) => {
    const str = tags.find((tag): tag is ScalarTag => typeof tag === 'object' && tag.tag === 'tag:yaml.org,2002:str');
    const stringify = str?.stringify ? escapingStringify(str.stringify) : undefined;
    const kept = tags.filter((tag) => typeof tag === 'object' && !SCALAR_TAGS.has(tag.tag) && (merge || tag.tag !== 'tag:yaml.org,2002:merge')).map((tag) => (tag === str && stringify ? { ...str, stringify } : tag));
    const own = ansibleScalarTags(onTimestamp).map((tag) => (tag.tag === '!unsafe' && stringify ? { ...tag, stringify } : tag));
    return [...kept, ...own];
  };
}

/**
 * A map of variables as YAML for Ansible: strings PyYAML would read as
 * another type are quoted, and strings holding a Jinja delimiter are written
 * `!unsafe` (at any depth: Ansible's constructor honours the tag on every
 * node, and wraps the string so that it is never templated).
 */
export function stringifyForAnsible(value: Record<string, unknown>): string {
  // Without the merge tag: it would write the string "<<" as a bare merge key.
  const doc = new Document(value, { version: '1.1', customTags: ansibleTags(undefined, { merge: false }) });
  visit(doc, {
    Scalar(key, node) {
      if (typeof node.value !== 'string') return;
      // Quoted whatever the `yaml` stringifier would decide: PyYAML's patterns are the rule here.
      if (pyyamlReadsAsNonString(node.value)) node.type = 'QUOTE_DOUBLE';
      if (key !== 'key' && hasJinjaDelimiter(node.value)) node.tag = '!unsafe';
    },
  });
  return doc.toString({ lineWidth: 0, indent: 2, defaultStringType: 'PLAIN', defaultKeyType: 'PLAIN' });
}

export interface AnsibleYamlProblem {
  line: number;
  col: number;
  message: string;
  fix: string;
}

export type AnsibleYamlResult =
  | { ok: true; value: unknown; /** Texts PyYAML reads as dates, kept as text. */ timestamps: string[] }
  | { ok: false; problems: AnsibleYamlProblem[] };

/** An alias may expand this many times; more is a "billion laughs" document, not a variables file. */
export const MAX_ALIAS_COUNT = 100;

/** Reads a variables file the way Ansible does (YAML 1.1, PyYAML's types, merge keys, !unsafe, !vault), with positions for every problem. */
export function parseAnsibleYaml(text: string): AnsibleYamlResult {
  const lineCounter = new LineCounter();
  const timestamps: string[] = [];
  const doc = parseDocument(text, { version: '1.1', customTags: ansibleTags((t) => timestamps.push(t)), merge: true, uniqueKeys: false, prettyErrors: false, lineCounter });
  const at = (offset: number): { line: number; col: number } => lineCounter.linePos(offset);
  const problems: AnsibleYamlProblem[] = doc.errors.map((error) => ({
    ...at(error.pos[0]),
    message: `YAML: ${error.code === 'MULTIPLE_DOCS' ? 'the file holds more than one YAML document' : (error.message.split('\n')[0] ?? error.message).replace(/ at line \d+, column \d+:?$/, '')}`,
    fix: error.code === 'MULTIPLE_DOCS' ? 'keep the variables in one document (remove the `---` line and what follows, or merge them)' : 'fix the YAML at this position',
  }));
  visit(doc, {
    Alias(_, node) {
      if (!node.resolve(doc)) {
        const offset = node.range?.[0] ?? 0;
        problems.push({ ...at(offset), message: `YAML: alias *${node.source} has no anchor &${node.source} before it`, fix: `define &${node.source} before using it, or write the value out` });
      }
    },
  });
  if (problems.length > 0) return { ok: false, problems: problems.sort((a, b) => a.line - b.line || a.col - b.col) };
  try {
    return { ok: true, value: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }), timestamps };
  } catch (error) {
    // toJS throws only for aliases: too many expansions (an alias bomb), or one inside its own anchor.
    const bomb = error instanceof Error && /alias count/i.test(error.message);
    const message = bomb ? `aliases expand more than ${MAX_ALIAS_COUNT} times (nested aliases multiply: an "alias bomb")` : error instanceof Error ? error.message : String(error);
    return { ok: false, problems: [{ line: 1, col: 1, message: `YAML: ${message}`, fix: 'write the values out, or use each anchor a few times only' }] };
  }
}
