/**
 * Kubernetes versions of a tag: the default (`kube_version`), the minimum it
 * accepts, and the versions it has checksums for. From v2.28.0 Kubespray
 * writes kube_version as Jinja over the checksum dict
 * (`{{ (kubelet_checksums['amd64'] | dict2items)[0].key }}`); it is resolved
 * here the way Ansible would: the key at that index, in file order.
 */
import { minorOf, normalizeVersion, sortVersionsDesc } from '../versions.js';
import { ExtractionError, type TagFiles, pathsUnder } from './tag-files.js';
import { asString, isMapping, topLevelValue } from './yaml-text.js';

const DEFAULTS_DIRS = [
  'roles/kubespray-defaults/defaults', 'roles/kubespray-defaults/vars',
  'roles/kubespray_defaults/defaults', 'roles/kubespray_defaults/vars',
];
const CHECKSUM_DIRS = ['roles/download/defaults', 'roles/download/vars', ...DEFAULTS_DIRS];
const CHECKSUM_ARCH = 'amd64';
const DICT2ITEMS_KEY = /\(\s*(\w+)\s*\[\s*['"]([\w-]+)['"]\s*\]\s*\|\s*dict2items\s*\)\s*\[\s*(-?\d+)\s*\]\s*\.key/;

interface ChecksumDict {
  file: string;
  variable: string;
  byArch: Record<string, Record<string, unknown>>;
}

export async function extractKubeVersions(files: TagFiles, notes: string[]): Promise<Record<string, unknown>> {
  const defaultsFiles = pathsUnder(files, DEFAULTS_DIRS).sort();
  // kubelet's checksums name the versions Kubespray can install; tags before
  // v2.12 have none, and kubeadm's list stands in (as the bundled extractor did).
  const checksums = (await findChecksums(files, 'kubelet_checksums')) ?? (await findChecksums(files, 'kubeadm_checksums'));
  if (!checksums) throw new ExtractionError('no kubelet_checksums or kubeadm_checksums with an amd64 entry');
  const keys = Object.keys(checksums.byArch[CHECKSUM_ARCH] ?? {});
  const supported = sortVersionsDesc([...new Set(keys.map((key) => normalizeVersion(key)).filter((v): v is string => v !== undefined))]);
  if (supported.length === 0) throw new ExtractionError(`${checksums.variable}['${CHECKSUM_ARCH}'] in ${checksums.file} has no version keys`);

  const kube = await readVersionVar(files, defaultsFiles, 'kube_version', checksums);
  if (!kube) throw new ExtractionError(`kube_version is not defined under ${DEFAULTS_DIRS.join(', ')}`);
  const minRequired = await readVersionVar(files, defaultsFiles, 'kube_version_min_required', checksums);
  if (!minRequired) notes.push('kube_version_min_required not defined in this tag');

  const normalizedKeys = keys.map((key) => normalizeVersion(key));
  const record: Record<string, unknown> = {
    kubespray_defaults_files: defaultsFiles,
    kube_version: kube.value,
    kube_version_raw: kube.raw,
    kube_version_source: kube.file,
    ...(kube.resolution ? { kube_version_resolution: kube.resolution } : {}),
    kube_version_v_prefixed_in_vars: kube.vPrefixed,
    kube_version_min_required: minRequired?.value ?? null,
    kube_version_min_required_raw: minRequired?.raw ?? null,
    asserts_no_v_prefix: await findNoVPrefixAssert(files),
    supported_kube_versions: supported,
    supported_kube_minors: [...new Set(supported.map((v) => `v${minorOf(v)}`))],
    supported_min: supported[supported.length - 1],
    supported_max: supported[0],
    supported_source: { file: checksums.file, var: checksums.variable, arch: CHECKSUM_ARCH },
    checksum_file_order_newest_first: normalizedKeys[0] === supported[0] && normalizedKeys[normalizedKeys.length - 1] === supported[supported.length - 1],
    checksum_keys_v_prefixed: keys[0]?.startsWith('v') ?? false,
    checksum_arches: Object.keys(checksums.byArch).sort(),
  };
  Object.assign(record, await otherKubeVersionDefs(files, kube.file, kube.value, notes));
  return record;
}

async function findChecksums(files: TagFiles, variable: string): Promise<ChecksumDict | undefined> {
  const matching = new Set(await files.grep(`^${variable}:`, CHECKSUM_DIRS));
  // roles/download first (where older tags keep them), then kubespray-defaults; sorted within each.
  const ordered = [...pathsUnder(files, CHECKSUM_DIRS.slice(0, 2)).sort(), ...pathsUnder(files, DEFAULTS_DIRS).sort()];
  for (const file of ordered.filter((path) => matching.has(path))) {
    const text = await files.read(file);
    const value = text === undefined ? undefined : topLevelValue(text, variable);
    if (isMapping(value) && isMapping(value[CHECKSUM_ARCH])) {
      const byArch = Object.fromEntries(Object.entries(value).filter((entry): entry is [string, Record<string, unknown>] => isMapping(entry[1])));
      return { file, variable, byArch };
    }
  }
  return undefined;
}

interface VersionVar {
  file: string;
  raw: string;
  value: string;
  vPrefixed: boolean;
  resolution: string | undefined;
}

async function readVersionVar(files: TagFiles, defaultsFiles: readonly string[], variable: string, checksums: ChecksumDict): Promise<VersionVar | undefined> {
  const defining = new Set(await files.grep(`^${variable}:`, DEFAULTS_DIRS));
  for (const file of defaultsFiles.filter((path) => defining.has(path))) {
    const text = await files.read(file);
    const raw = text === undefined ? undefined : asString(topLevelValue(text, variable, { strings: true }));
    if (raw === undefined || raw.trim() === '') continue;
    if (!raw.includes('{{')) {
      const value = normalizeVersion(raw);
      if (!value) throw new ExtractionError(`${variable} in ${file} is not a version: ${JSON.stringify(raw)}`);
      return { file, raw, value, vPrefixed: raw.trim().startsWith('v'), resolution: undefined };
    }
    const resolved = await resolveDict2ItemsKey(files, raw, checksums);
    if (!resolved) throw new ExtractionError(`cannot resolve ${variable} in ${file}: ${raw}`);
    return { file, raw, value: resolved.value, vPrefixed: resolved.key.startsWith('v'), resolution: resolved.resolution };
  }
  return undefined;
}

async function resolveDict2ItemsKey(files: TagFiles, raw: string, checksums: ChecksumDict): Promise<{ key: string; value: string; resolution: string } | undefined> {
  const match = DICT2ITEMS_KEY.exec(raw);
  if (!match) return undefined;
  const [, variable = '', arch = '', indexText = '0'] = match;
  const dict = variable === checksums.variable ? checksums : await findChecksums(files, variable);
  const keys = Object.keys(dict?.byArch[arch] ?? {});
  const index = Number(indexText);
  const key = index < 0 ? keys[keys.length + index] : keys[index];
  const value = key === undefined ? undefined : normalizeVersion(key);
  if (key === undefined || value === undefined) return undefined;
  return { key, value, resolution: `resolved from ${variable}['${arch}'] key index ${index}` };
}

/** Kubespray's own assert that kube_version has no `v` (v2.28.x), where it lives. */
async function findNoVPrefixAssert(files: TagFiles): Promise<string | null> {
  const hits = await files.grep(`kube_version.*startswith\\(['"]v['"]\\)`, ['roles/validate_inventory', 'roles/kubernetes/preinstall/tasks']);
  return hits.sort()[0] ?? null;
}

/** kube_version set again elsewhere (the download role, the sample inventory): a sample value that differs misleads operators. */
async function otherKubeVersionDefs(files: TagFiles, source: string, value: string, notes: string[]): Promise<Record<string, unknown>> {
  const defining = (await files.grep('^kube_version:', ['roles/download/defaults', 'inventory/sample/group_vars'])).filter((path) => path !== source).sort();
  const defs: Array<{ file: string; value: string }> = [];
  for (const file of defining) {
    const text = await files.read(file);
    const other = text === undefined ? undefined : asString(topLevelValue(text, 'kube_version', { strings: true }));
    if (other !== undefined) defs.push({ file, value: other });
  }
  if (defs.length === 0) return {};
  const sample = defs.find((def) => def.file.startsWith('inventory/sample/'));
  if (sample && normalizeVersion(sample.value) !== value) {
    notes.push(`${sample.file} sets kube_version ${sample.value}, differs from role default ${value}`);
  }
  return { other_kube_version_defs: defs, ...(sample ? { sample_inventory_kube_version: sample.value } : {}) };
}
