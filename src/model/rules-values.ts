/**
 * Rules on values, so that data stays data (README "Validation"):
 * - no string anywhere holds NUL, a lone surrogate or U+FFFE/U+FFFF (nothing
 *   downstream — argv, YAML, INI — carries them faithfully);
 * - what goes on an inventory host line (node vars, labels, ansibleHost) holds
 *   no control character, line or paragraph separator (Ansible splits the INI
 *   file with Python's splitlines) and no Jinja delimiter (INI has no
 *   `!unsafe`: a value there would be templated);
 * - the preflight settings hold no Jinja delimiter either: kspray hands them
 *   to its own playbooks as JSON extra-vars on the command line, which have
 *   no `!unsafe` and which Ansible templates wherever a play reads them;
 * - variable names are Ansible variable names, labels follow Kubernetes';
 * - secrets are never written in clear where the inventory (0644) would get them.
 * Pure: each problem names its path; load-positions.ts maps it to file:line:col.
 */
import { isIP } from 'node:net';
import type { Cluster } from './schema.js';
import type { RuleProblem } from './rules.js';
import { isPlainSwitch, isSecretName, isSecretRef } from './secret-names.js';
import { hasJinjaDelimiter } from '../ansible/ansible-yaml.js';

type Path = Array<string | number>;

const UNCARRIABLE = /[\u0000\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** The cheap first look: most strings hold none of these, and then UNCARRIABLE need not run (15,000 nodes). */
const MAYBE_UNCARRIABLE = /[\u0000\ud800-\udfff\ufffe\uffff]/;
/** C0 controls (tab and newline included), DEL, C1 controls (NEL), and the line and paragraph separators. */
const NOT_ON_A_LINE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** One look for what a host-line value may not hold (a control character, a separator, or the `{` of a Jinja delimiter). */
const MAYBE_NOT_INI = /[\u0000-\u001f\u007f-\u009f\u2028\u2029{]/;
/** A DNS name or an alias from the SSH config, or an address (checked with isIP). */
const HOST_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
/** Kubernetes' qualified name (the part after the prefix of a label key) and label value. */
const LABEL_NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** Deeper than this, Python's parser (which reads INI host variables) gives up and the value would reach Ansible as a string. */
const MAX_INI_DEPTH = 32;

export function valueRules(cluster: Cluster): RuleProblem[] {
  return [...uncarriable(cluster), ...nodeValues(cluster), ...extraVars(cluster), ...preflightValues(cluster)];
}

function error(path: Path, message: string, fix: string, atKey = false): RuleProblem {
  return { severity: 'error', path, message, fix, ...(atKey ? { atKey } : {}) };
}

/** Why a character is shown, never the character: `U+2028 (line separator)`. */
function describeChar(text: string, pattern: RegExp): string {
  const char = pattern.exec(text)?.[0] ?? '';
  const code = `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
  const names: Record<string, string> = { '\n': 'newline', '\r': 'carriage return', '\t': 'tab', '\u0000': 'NUL', '\u0085': 'next line', '\u2028': 'line separator', '\u2029': 'paragraph separator' };
  const name = names[char];
  return name ? `${code} (${name})` : code;
}

function uncarriable(cluster: Cluster): RuleProblem[] {
  const problems: RuleProblem[] = [];
  // The path is built only for a problem: the walk meets every string of a 15,000-node cluster.
  const walk = (value: unknown, path: () => Path): void => {
    if (typeof value === 'string') {
      if (MAYBE_UNCARRIABLE.test(value) && UNCARRIABLE.test(value)) problems.push(error(path(), `holds ${describeChar(value, UNCARRIABLE)}, which no file or command line carries faithfully`, 'remove the character (a "\\0" or "\\uFFFE" escape in a quoted string writes one)'));
    } else if (Array.isArray(value)) {
      for (let index = 0; index < value.length; index++) walk(value[index], () => [...path(), index]);
    } else if (value !== null && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      for (const key in record) {
        if (MAYBE_UNCARRIABLE.test(key) && UNCARRIABLE.test(key)) problems.push(error([...path(), key], `the key holds ${describeChar(key, UNCARRIABLE)}, which no file or command line carries faithfully`, 'rename the key', true));
        walk(record[key], () => [...path(), key]);
      }
    }
  };
  walk(cluster, () => []);
  return problems;
}

/** Names repeat on every node (kubelet_max_pods, topology.kubernetes.io/zone): each is judged once. */
function memo<T>(judge: (name: string) => T): (name: string) => T {
  const known = new Map<string, T>();
  return (name) => {
    if (!known.has(name)) known.set(name, judge(name));
    return known.get(name)!;
  };
}

function nodeValues(cluster: Cluster): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const labelKey = memo(labelKeyProblem);
  const varName = memo((name) => (!VARIABLE_NAME.test(name) ? 'invalid' : isSecretName(name) ? 'secret' : 'ok'));
  cluster.nodes.forEach((node, index) => {
    const at = (...rest: Path): Path => ['nodes', index, ...rest];
    if (node.ansibleHost !== undefined && (node.ansibleHost.length > 253 || !HOST_NAME.test(node.ansibleHost)) && !isIP(node.ansibleHost)) {
      problems.push(error(at('ansibleHost'), `"${printable(node.ansibleHost)}" is neither an IP address nor a host name`, 'write the address or DNS name Ansible connects to, e.g. 192.168.30.13 or k1-node01.example.com'));
    }
    for (const [key, value] of Object.entries(node.labels ?? {})) {
      const keyProblem = labelKey(key);
      if (keyProblem) problems.push(error(at('labels', key), `label key "${printable(key)}" ${keyProblem}`, 'write [prefix/]name: the name ≤ 63 of letters, digits, -, _ and ., starting and ending with a letter or digit; the prefix a lower-case DNS subdomain', true));
      if (value.length > 63 || (value !== '' && !LABEL_NAME.test(value))) {
        problems.push(error(at('labels', key), `label value "${printable(value)}" is not a Kubernetes label value`, 'write at most 63 letters, digits, -, _ and ., starting and ending with a letter or digit (or an empty string)'));
      }
    }
    for (const [key, value] of Object.entries(node.vars ?? {})) {
      const name = varName(key);
      if (name === 'invalid') {
        problems.push(error(at('vars', key), `"${printable(key)}" is not an Ansible variable name`, 'use letters, digits and _, not starting with a digit', true));
        continue;
      }
      if (name === 'secret' && !isPlainSwitch(value)) {
        problems.push(error(at('vars', key), `${key} looks like a secret, and host variables are written to the inventory (mode 0644, meant for git)`, `set it for every host as extraVars.${key}: { fromEnv: VAR } (written to the 0600 secrets file), or keep it in Ansible Vault outside kspray`));
        continue;
      }
      problems.push(...iniValueProblems(value, at('vars', key), 0));
    }
  });
  return problems;
}

/** What an INI host variable cannot carry, at any depth of a list or map. */
function iniValueProblems(value: unknown, path: Path, depth: number): RuleProblem[] {
  if (depth > MAX_INI_DEPTH) return [error(path, `nests lists or maps deeper than ${MAX_INI_DEPTH} levels, which Ansible reads back as a string`, 'flatten the value, or move it to extraVars')];
  if (typeof value === 'string') {
    if (!MAYBE_NOT_INI.test(value)) return [];
    if (NOT_ON_A_LINE.test(value)) return [error(path, `holds ${describeChar(value, NOT_ON_A_LINE)}: an inventory host line cannot carry it`, 'remove it; a value with line breaks belongs in extraVars')];
    if (hasJinjaDelimiter(value)) return [error(path, 'holds a Jinja delimiter ({{, {% or {#), which Ansible would template from the inventory', 'write the literal value; a value must never become an expression (extraVars writes such text !unsafe, the inventory cannot)')];
    return [];
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return [error(path, `${String(value)} cannot be written on an inventory host line`, 'write a finite number, or quote it to keep the text')];
  if (Array.isArray(value)) return value.flatMap((item, index) => iniValueProblems(item, [...path, index], depth + 1));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => {
      const keyProblems = NOT_ON_A_LINE.test(key) || hasJinjaDelimiter(key)
        ? [error([...path, key], 'the key holds a control character or a Jinja delimiter, which an inventory host line cannot carry', 'rename the key', true)]
        : [];
      return [...keyProblems, ...iniValueProblems(item, [...path, key], depth + 1)];
    });
  }
  return [];
}

function extraVars(cluster: Cluster): RuleProblem[] {
  const problems: RuleProblem[] = [];
  for (const [key, value] of Object.entries(cluster.extraVars ?? {})) {
    if (!VARIABLE_NAME.test(key)) {
      problems.push(error(['extraVars', key], `"${printable(key)}" is not an Ansible variable name`, 'use letters, digits and _, not starting with a digit', true));
      continue;
    }
    if (isSecretRef(value)) {
      if ('fromEnv' in value && !VARIABLE_NAME.test(value.fromEnv)) problems.push(error(['extraVars', key, 'fromEnv'], `"${printable(value.fromEnv)}" is not an environment variable name`, 'use letters, digits and _, not starting with a digit'));
      if ('fromFile' in value && value.fromFile === '') problems.push(error(['extraVars', key, 'fromFile'], 'the secret file path is empty', 'name the file that holds the secret (relative paths start at the cluster file)'));
      continue;
    }
    if (isSecretName(key) && !isPlainSwitch(value)) {
      problems.push({ severity: 'warning', path: ['extraVars', key], message: `${key} looks like a secret written in the cluster file; kspray writes it to the secrets file (mode 0600), never to extra-vars/<name>.yml`, fix: `keep it out of the file: write ${key}: { fromEnv: VAR } or { fromFile: path }` });
    }
    problems.push(...jinjaKeys(value, ['extraVars', key]));
  }
  return problems;
}

/** Every string of preflight.* (cachePaths, the etcd settings, and any added later): playbooks/*.yml read them as `-e '{"kspray_…": …}'`. */
function preflightValues(cluster: Cluster): RuleProblem[] {
  const walk = (value: unknown, path: Path): RuleProblem[] => {
    if (typeof value === 'string') {
      return hasJinjaDelimiter(value)
        ? [error(path, 'holds a Jinja delimiter ({{, {% or {#), which Ansible would template in kspray\'s own playbooks', 'write the literal value; a value must never become an expression')]
        : [];
    }
    if (Array.isArray(value)) return value.flatMap((item, index) => walk(item, [...path, index]));
    return [];
  };
  return Object.entries(cluster.preflight ?? {}).flatMap(([key, value]) => walk(value, ['preflight', key]));
}

/** Keys are never templated, but a key that looks like a template is a value in the wrong place. */
function jinjaKeys(value: unknown, path: Path): RuleProblem[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => jinjaKeys(item, [...path, index]));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, item]) => [
    ...(hasJinjaDelimiter(key) ? [error([...path, key], 'the key holds a Jinja delimiter ({{, {% or {#)', 'write a literal key', true)] : []),
    ...jinjaKeys(item, [...path, key]),
  ]);
}

function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) return 'has a prefix that is not a lower-case DNS subdomain';
  if (name.length === 0 || name.length > 63 || !LABEL_NAME.test(name)) return 'is not a Kubernetes label name';
  return undefined;
}

/** Text quoted in a message: control characters shown as escapes, and at most 80 characters. */
export function printable(text: string): string {
  const escaped = JSON.stringify(text).slice(1, -1).replace(/[\u007f-\u009f\u2028\u2029]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return escaped.length > 80 ? `${escaped.slice(0, 77)}...` : escaped;
}
