/**
 * A real tag's own values, read from its role files as text (the download
 * and defaults roles' defaults and vars, merged in file order), without
 * Ansible: the oracle the artifacts tests compare kspray's templated lists
 * with. Only the expression forms the checked tags use are understood, each
 * spelled out below; any other form fails the test, never guesses.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import semver from 'semver';
import { parse } from 'yaml';

export interface TagValues {
  raw(name: string): unknown;
  /** The value of `name` for a hop at `kubeVersion` (as the tag writes it: v1.17.12 or 1.32.8). */
  resolve(name: string, kubeVersion: string): string;
  /** `<name>_checksums[arch][kubeVersion]`, without a sha256: prefix. */
  checksum(file: string, arch: string, kubeVersion: string): string;
}

const ROLE_DIRS = ['download', 'kubespray-defaults', 'kubespray_defaults'].flatMap((role) => [join('roles', role, 'defaults'), join('roles', role, 'vars')]);

async function yamlFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const out: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await yamlFiles(path)));
    else if (/\.ya?ml$/.test(entry.name)) out.push(path);
  }
  return out;
}

export async function realTagValues(tree: string): Promise<TagValues> {
  const values: Record<string, unknown> = {};
  for (const dir of ROLE_DIRS) {
    for (const file of await yamlFiles(join(tree, dir))) Object.assign(values, parse(await readFile(file, 'utf8')) ?? {});
  }
  const raw = (name: string): unknown => {
    if (!(name in values)) throw new Error(`the tag defines no ${name}`);
    return values[name];
  };
  const minorKey = (table: Record<string, unknown>, kubeVersion: string): unknown => {
    const minor = kubeVersion.replace(/^v/, '').split('.').slice(0, 2).join('.');
    const key = [`v${minor}`, minor].find((candidate) => candidate in table);
    if (key === undefined) throw new Error(`no entry for ${minor} in ${Object.keys(table).join(', ')}`);
    return table[key];
  };
  const resolveText = (name: string, value: unknown, kubeVersion: string): string => {
    const text = String(value).trim();
    if (!text.includes('{{')) return text;
    let m = /^\{\{\s*(\w+)\s*\}\}$/.exec(text);
    if (m) return resolve(m[1]!, kubeVersion);
    m = /^\{\{\s*(\w+)\[kube_major_version\]\s*\}\}$/.exec(text);
    if (m) return resolveText(name, minorKey(raw(m[1]!) as Record<string, unknown>, kubeVersion), kubeVersion);
    m = /^\{\{\s*\((\w+)\['amd64'\] \| dict2items\)\[0\]\.key\s*\}\}$/.exec(text);
    if (m) return Object.keys((raw(m[1]!) as Record<string, Record<string, unknown>>).amd64!)[0]!;
    m = /^\{\{\s*\((\w+)\['amd64'\]\.keys\(\) \| select\('version', '([\d.]+)', '<'\)\)\[0\]\s*\}\}$/.exec(text);
    if (m) return Object.keys((raw(m[1]!) as Record<string, Record<string, unknown>>).amd64!).find((key) => semver.lt(semver.coerce(key)!, semver.coerce(m![2]!)!))!;
    m = /^\{\{\s*'(v?[\d.]+)' if \(kube_version is version\('(v?[\d.]+)', '>='\)\) else '(v?[\d.]+)'\s*\}\}$/.exec(text);
    if (m) return semver.gte(semver.coerce(kubeVersion)!, semver.coerce(m[2]!)!) ? m[1]! : m[3]!;
    throw new Error(`${name}: the test does not know this expression form: ${text}`);
  };
  const resolve = (name: string, kubeVersion: string): string => resolveText(name, raw(name), kubeVersion);
  return {
    raw,
    resolve,
    checksum: (file, arch, kubeVersion) => {
      const table = raw(`${file}_checksums`) as Record<string, Record<string, unknown>>;
      const value = table[arch]?.[kubeVersion];
      if (value === undefined) throw new Error(`${file}_checksums has no ${arch} ${kubeVersion}`);
      return String(value).replace(/^sha256:/, '');
    },
  };
}
