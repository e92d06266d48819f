/**
 * kspray against the REAL Kubespray tags (the bundle of the 60 release tags,
 * test/helpers/real-kubespray.ts), for every line's latest tag and every tag
 * where a name or layout changes (test/helpers/real-tags.ts): what kspray
 * renders for k1 (less what the tag refuses) and its variants, read by the
 * tag's own files and the real Ansible.
 *
 * - groups and members through the real ansible-inventory;
 * - the hosts of every step through `ansible-playbook --list-hosts` of the
 *   tag's own playbooks, with kspray's inventory, extra-vars and --limit;
 * - the facts step covers every host (v2.27.0 – v2.28.1 need the cluster
 *   group kspray declares);
 * - every variable kspray writes is used by the tag's files and not refused
 *   (an index of the tag's text, independent of kspray's extractor).
 * `npm run sweep` does the same over all 60 tags and prints the figures.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupMembers, inventoryList } from '../src/ansible/inventory.js';
import { groupNamesOf } from '../src/catalog/groups.js';
import { loadBundledDocument, catalogFromDocument } from '../src/catalog/load.js';
import type { Cluster } from '../src/model/schema.js';
import { K1_VARIANTS, k1Variant, withoutUnread } from './helpers/k1-variants.js';
import { listHosts, treeWords } from './helpers/real-checks.js';
import { prepareRealHop, type RealHop } from './helpers/real-hop.js';
import { realTree } from './helpers/real-kubespray.js';
import { realTagsToCheck } from './helpers/real-tags.js';

const catalog = catalogFromDocument(loadBundledDocument());
const TAGS = realTagsToCheck();
const MASTERS = ['k1-master01', 'k1-master02', 'k1-master03'];
const WORKERS = ['k1-node01', 'k1-node02', 'k1-node03', 'k1-node04', 'k1-node05'];
const ALL = [...MASTERS, ...WORKERS].sort();

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'kspray-real-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe.each(TAGS)('Kubespray %s', (tag) => {
  let tree: string;
  let k1: Cluster;
  let hop: RealHop;

  beforeAll(async () => {
    tree = await realTree(tag);
    k1 = withoutUnread(await k1Variant('k1'), tag).cluster;
    hop = await prepareRealHop(k1, tag, tree, join(work, tag, 'k1'));
  });

  it('sees kspray\'s groups and members through the real ansible-inventory', async () => {
    const groups = groupNamesOf(catalog.dialect(tag));
    const list = await inventoryList(hop.inventory);
    expect(groupMembers(list, groups.controlPlane)).toEqual(MASTERS);
    expect(groupMembers(list, groups.etcd)).toEqual(MASTERS);
    expect(groupMembers(list, groups.node)).toEqual(WORKERS);
    expect(groupMembers(list, groups.cluster).sort()).toEqual(ALL);
  });

  it('selects each step\'s hosts in the tag\'s own plays, and gathers the facts of every host', async () => {
    const runs = hop.steps.filter((step) => step.argv !== null);
    const listed = await Promise.all(runs.map((step) => listHosts(step.argv!, tree)));
    for (const [index, step] of runs.entries()) {
      if (step.argv === null) continue;
      const plays = listed[index]!;
      const selected = [...new Set(plays.flatMap((play) => play.hosts))].sort();
      expect(selected, `${step.id}: hosts of ${step.argv.join(' ')}`).toEqual([...step.hosts].sort());
      if (step.kind === 'facts') {
        const gather = plays.filter((play) => /gather|facts/i.test(play.name));
        expect(gather.length, `${step.id}: a play that gathers facts`).toBeGreaterThan(0);
        for (const play of gather) expect(play.hosts, `${step.id}: ${play.name}`).toEqual(ALL);
      }
    }
  });

  it('writes only variables the tag uses, and none it refuses, for k1 and its variants', async () => {
    const words = await treeWords(tree);
    for (const variant of K1_VARIANTS) {
      const cluster = withoutUnread(await k1Variant(variant), tag).cluster;
      const written = variant === 'k1' ? hop : await prepareRealHop(cluster, tag, tree, join(work, tag, variant));
      const unused = written.written.filter(({ name }) => !name.startsWith('ansible_') && (!words.uses(name) || words.refuses(name)));
      expect(unused, `${variant} on ${tag}`).toEqual([]);
    }
  });
});
