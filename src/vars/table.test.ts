/**
 * The variable table against what every bundled tag reads (the facts `catalog
 * refresh` extracted from the real Kubespray: data/kubespray/variables.json).
 * This is what lets plan trust the table without loading the facts: every
 * name is read by every tag of its range, and a range ends where the tag
 * stops reading the name.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bundledVariablesPath } from '../catalog/snapshot.js';
import { foldVariables, type VariablesDocument } from '../catalog/variables-document.js';
import { compareTags } from '../catalog/versions.js';
import { loadBundledDocument } from '../catalog/load.js';
import { tagReads, type TagReads } from './facts.js';
import { inRange } from './select.js';
import { RENAMES, SETTINGS } from './table.js';

const document = JSON.parse(readFileSync(bundledVariablesPath, 'utf8')) as VariablesDocument;
const folded = foldVariables(document);
const tags = [...folded.keys()].sort(compareTags);
const reads = new Map<string, TagReads>(tags.map((tag) => [tag, tagReads(tag, folded.get(tag)!)]));
const at = (tag: string): TagReads => reads.get(tag)!;

/** Names the table stops writing before the tag stops reading them, on purpose, and why. */
const EARLY_SWITCH = new Map([
  ['ipip_mode', 'both ipip_mode and calico_ipip_mode are read v2.13.0 – v2.18.2: kspray writes the new name from its first tag'],
  ['containerd_registries', 'still read from v2.18.0 for registry mirrors, but insecure registries go to containerd_insecure_registries there'],
  ['etcd_kubeadm_enabled', 'v2.19.0 – v2.27.x read it only to warn that it is deprecated in favour of etcd_deployment_type: kubeadm'],
]);

const ranges = SETTINGS.flatMap((setting) => setting.names.map((range) => ({ setting, range })));

describe('the variable table against the bundled facts', () => {
  it('has facts for every bundled catalog tag', () => {
    expect(tags).toEqual(loadBundledDocument().tags.map((record) => record.tag).sort(compareTags));
  });

  it.each(ranges.filter(({ setting }) => !setting.ansible).map(({ setting, range }) => [`${setting.field} → ${range.name}`, setting, range] as const))('%s is read by every tag of its range', (_label, setting, range) => {
    const unread = tags.filter((tag) => inRange(tag, range)).filter((tag) => !(setting.scope === 'host' ? at(tag).readsHostVar(range.name) : at(tag).readsExtraVar(range.name)));
    expect(unread).toEqual([]);
  });

  it('ends every range where the tag stops reading the name (or fails on it)', () => {
    const loose: string[] = [];
    for (const { range } of ranges) {
      const covered = (tag: string) => ranges.some((other) => other.range.name === range.name && inRange(tag, other.range));
      if (range.until !== undefined && reads.has(range.until) && !covered(range.until) && !EARLY_SWITCH.has(range.name) && at(range.until).readsExtraVar(range.name)) {
        loose.push(`${range.name} is still read by ${range.until}`);
      }
      const before = range.from === undefined ? undefined : tags.filter((tag) => compareTags(tag, range.from!) < 0).at(-1);
      if (before !== undefined && !covered(before) && at(before).readsExtraVar(range.name)) loose.push(`${range.name} is already read by ${before}`);
    }
    expect(loose).toEqual([]);
  });

  it('knows why ipip_mode stops early: v2.19.0 fails on it, naming calico_ipip_mode', () => {
    expect(at('v2.18.2').readsExtraVar('ipip_mode')).toBe(true);
    expect(at('v2.19.0').rejects('ipip_mode')).toContain('calico_ipip_mode');
  });

  it.each(RENAMES.map((rename) => [rename.from, rename] as const))('rename of %s: unread from its tag on, the new name read there', (_label, rename) => {
    const previous = tags.filter((tag) => compareTags(tag, rename.at) < 0).at(-1)!;
    expect(at(previous).readsExtraVar(rename.from)).toBe(true);
    expect(at(rename.at).readsExtraVar(rename.from)).toBe(false);
    expect(at(rename.at).readsExtraVar(rename.to)).toBe(true);
  });

  it('says what happens after every range that ends (an error names the way out)', () => {
    const endless = SETTINGS.filter((setting) => setting.scope !== 'run' && !setting.inert && setting.names.length > 0 && setting.names.every((range) => range.until !== undefined) && !setting.after);
    expect(endless.map((setting) => setting.field)).toEqual([]);
  });
});
