/**
 * The Ansible a tag needs: the pins of its requirements files, the version
 * range its playbooks assert (ansible_version.yml's minimal/maximal vars from
 * v2.13, literal `ansible_version.string is version(...)` checks before), and
 * the ansible-core minor the pins imply.
 */
import { type TagFiles } from './tag-files.js';
import { asString, isMapping, parseYamlStrings } from './yaml-text.js';

const PIN_LINE = /^(ansible|ansible-core|ansible-base)\s*(==|>=|<=|~=|!=|<|>)/;
const REQUIREMENTS_FILE = /^requirements[^/]*\.(txt|ya?ml)$/;
const INLINE_CHECK = /ansible_version\.(?:string|full)\s+is\s+version(?:_compare)?\(\s*["'](\d+(?:\.\d+)*)["']\s*,\s*["']([<>=!]+|lt|le|gt|ge|eq|ne)["']/g;

export async function extractAnsible(files: TagFiles, closure: ReadonlyMap<string, string>): Promise<Record<string, unknown>> {
  const requirements: Record<string, { pins: string[]; symlink_to?: string }> = {};
  for (const path of files.paths().filter((p) => REQUIREMENTS_FILE.test(p))) {
    const text = (await files.read(path)) ?? '';
    const link = files.isSymlink(path) ? await files.readLink(path) : undefined;
    requirements[path] = { pins: pinsOf(text), ...(link !== undefined ? { symlink_to: link } : {}) };
  }
  const requirementsTxt = requirements['requirements.txt']?.pins ?? [];

  const versionFile = [...closure.keys()].find((path) => path.split('/').pop() === 'ansible_version.yml');
  const versionCheck = versionFile ? versionVars(versionFile, closure.get(versionFile) ?? '') : null;
  const inlineChecks = [...closure.entries()].flatMap(([file, text]) => inlineChecksOf(file, text));

  return {
    requirements,
    requirements_txt: requirementsTxt,
    version_check: versionCheck,
    inline_checks: inlineChecks,
    implied_core: impliedCore(requirementsTxt),
    range: rangeOf(versionCheck, inlineChecks),
  };
}

export function pinsOf(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => PIN_LINE.test(line));
}

function versionVars(file: string, text: string): { file: string; vars: Record<string, string> } | null {
  const document = parseYamlStrings(text);
  const vars: Record<string, string> = {};
  for (const play of Array.isArray(document) ? document : []) {
    if (!isMapping(play) || !isMapping(play.vars)) continue;
    for (const [key, value] of Object.entries(play.vars)) {
      const text = asString(value);
      if (/ansible_version/.test(key) && text !== undefined) vars[key] = text;
    }
  }
  return Object.keys(vars).length > 0 ? { file, vars } : null;
}

export function inlineChecksOf(file: string, text: string): Array<{ file: string; version: string; op: string }> {
  return [...text.matchAll(INLINE_CHECK)].map((match) => ({ file, version: match[1] ?? '', op: match[2] ?? '' }));
}

/**
 * The ansible-core minor a requirements pin implies. ansible <= 2.9 was core
 * and community in one; from community ansible 3 each major bundles core
 * 2.(major + 7): 3 → 2.10, 5 → 2.12, 7 → 2.14, 11 → 2.18 (Ansible's own
 * release scheme, which every bundled record agrees with).
 */
export function impliedCore(pins: readonly string[]): string | null {
  const exact = (name: string): string | undefined => {
    for (const pin of pins) {
      const match = new RegExp(`^${name}\\s*==\\s*(\\d+)\\.(\\d+)`).exec(pin);
      if (match) return `${match[1]}.${match[2]}`;
    }
    return undefined;
  };
  const core = exact('ansible-core') ?? exact('ansible-base');
  if (core) return core;
  const community = exact('ansible');
  if (!community) return null;
  const [major = 0, minor = 0] = community.split('.').map(Number);
  return major <= 2 ? `${major}.${minor}` : `2.${major + 7}`;
}

function rangeOf(
  versionCheck: { vars: Record<string, string> } | null,
  inline: ReadonlyArray<{ version: string; op: string }>,
): { min_inclusive: string | null; max_exclusive: string | null } {
  if (versionCheck) {
    return {
      min_inclusive: versionCheck.vars.minimal_ansible_version ?? null,
      max_exclusive: versionCheck.vars.maximal_ansible_version ?? null,
    };
  }
  const mins = inline.filter((c) => c.op === '>=' || c.op === 'ge').map((c) => c.version);
  const maxes = inline.filter((c) => c.op === '<' || c.op === 'lt').map((c) => c.version);
  return {
    min_inclusive: mins.sort(compareDotted).pop() ?? null,
    max_exclusive: maxes.sort(compareDotted)[0] ?? null,
  };
}

function compareDotted(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i += 1) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}
