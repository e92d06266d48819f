/**
 * The real tags the CI tests check: the latest tag of every Kubespray line,
 * and every tag where a name or layout kspray depends on changes — a range
 * boundary of the variable table, a catalog milestone (group dialect, etcd
 * form, bare kube_version, playbook paths), and the layouts refresh is tested
 * on. Derived from the data, so a new boundary is checked without editing a
 * list. `npm run sweep` checks all 60.
 */
import { loadBundledDocument } from '../../src/catalog/load.js';
import { compareTags, lineOfTag } from '../../src/catalog/versions.js';
import { SETTINGS } from '../../src/vars/table.js';

/** Layout changes no milestone names: boilerplate and runtime groups (v2.24.0), the v2.27 facts.yml without boilerplate. */
const LAYOUT_TAGS = ['v2.24.0', 'v2.27.0', 'v2.28.1'];

export function allRealTags(): string[] {
  return loadBundledDocument().tags.map((record) => record.tag).sort(compareTags);
}

export function realTagsToCheck(): string[] {
  const document = loadBundledDocument();
  const all = allRealTags();
  const known = new Set(all);
  const latest = new Map<string, string>();
  for (const tag of all) latest.set(lineOfTag(tag)!, tag);
  const boundaries = SETTINGS.flatMap((setting) => setting.names.flatMap((range) => [range.from, range.until])).filter((tag): tag is string => tag !== undefined);
  const milestones = Object.values(document.milestones ?? {});
  return [...new Set([...latest.values(), ...boundaries, ...milestones, ...LAYOUT_TAGS])].filter((tag) => known.has(tag)).sort(compareTags);
}
