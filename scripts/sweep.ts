/**
 * `npm run sweep`: kspray against ALL 60 real Kubespray tags of the bundle
 * (../shared/kubespray, or KSPRAY_KUBESPRAY_BUNDLE), the full version of
 * test/real-kubespray.test.ts (which checks a chosen 34 in CI). Per tag:
 *
 * - k1, k1 on containerd, k1 behind an external load balancer, each less the
 *   settings the tag refuses (listed): every variable kspray writes must be
 *   used by the tag's own files and not refused (an index of the tag's text,
 *   independent of kspray's extractor), and kspray's own read check must
 *   find nothing unread;
 * - every step's hosts through the tag's own playbooks (--list-hosts) equal
 *   the step's hosts, and the facts step gathers every host;
 * - the artifacts of k1's hop to the tag's default Kubernetes version,
 *   templated with Ansible from the tag's own download defaults
 *   (test/real-artifacts.test.ts checks five tags in CI): kubeadm (and
 *   kubelet and kubectl where the tag downloads them apart) carry the sha256
 *   the tag's checksum dicts give, nothing Kubespray could not list.
 *
 * Prints one row per tag and the totals; exits 1 when anything fails.
 * The trees are cached like the tests' (KSPRAY_REAL_KUBESPRAY_CACHE).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectArtifacts } from '../src/artifacts/collect.js';
import { bundledCatalog } from '../src/catalog/snapshot.js';
import type { Cluster } from '../src/model/schema.js';
import { hopWorkspace } from '../src/plan/plan.js';
import { unreadOnTags } from '../src/vars/check.js';
import { realTagValues } from '../test/helpers/real-tag-values.js';
import { K1_VARIANTS, k1Variant, withoutUnread } from '../test/helpers/k1-variants.js';
import { listHosts, treeWords } from '../test/helpers/real-checks.js';
import { prepareRealHop } from '../test/helpers/real-hop.js';
import { realSha, realTree } from '../test/helpers/real-kubespray.js';
import { allRealTags } from '../test/helpers/real-tags.js';

const ALL_HOSTS = ['k1-master01', 'k1-master02', 'k1-master03', 'k1-node01', 'k1-node02', 'k1-node03', 'k1-node04', 'k1-node05'].sort();

interface Row {
  tag: string;
  unread: Record<string, number>;
  /** Field → the variants it was dropped from. */
  refused: Map<string, string[]>;
  facts: string;
  steps: string;
  /** Files and images of k1's hop to the tag's default version, e.g. "6 files, 20 images". */
  artifacts: string;
  problems: string[];
}

const catalog = bundledCatalog();

/** k1's hop onto the tag at its default Kubernetes version: its artifacts, checked against the tag's checksum dicts. */
async function sweepArtifacts(tag: string, cluster: Cluster, tree: string, work: string, row: Row): Promise<void> {
  const toVersion = catalog.defaultVersion(tag);
  const kubeVersion = catalog.formatKubeVersion(tag, toVersion);
  const hop = {
    index: 1, tag, sha: await realSha(tag), fromVersion: cluster.kubernetes.version, toVersion, fromTag: null,
    groups: catalog.groupNames(tag), workspace: hopWorkspace({ stateDir: join(work, 'state'), cacheDir: join(work, 'cache') }, tag, cluster.name, false),
    ansible: { executable: 'ansible-playbook' },
  };
  try {
    const [collected] = await collectArtifacts({ hops: [hop], cluster, clusterBaseDir: work, catalog, cacheDir: join(work, 'cache'), kubesprayDir: async () => tree });
    const { artifacts } = collected!;
    row.artifacts = `${artifacts.files.length} files, ${artifacts.images.length} images`;
    for (const problem of artifacts.problems) row.problems.push(`artifacts: ${problem}`);
    const values = await realTagValues(tree);
    for (const name of ['kubeadm', 'kubelet', 'kubectl']) {
      const file = artifacts.files.find((entry) => entry.name === name && entry.arch === 'amd64');
      let expected: string | undefined;
      try {
        expected = values.checksum(name, 'amd64', kubeVersion);
      } catch {
        // v2.10 – v2.11 download kubelet and kubectl inside hyperkube: no checksum dict of their own.
        if (name === 'kubeadm') row.problems.push(`artifacts: the tag has no kubeadm checksum for ${kubeVersion}`);
        continue;
      }
      if (file?.sha256 !== expected) row.problems.push(`artifacts: ${name} ${kubeVersion} listed with sha256 ${file?.sha256 ?? '(none)'}, the tag says ${expected}`);
    }
  } catch (error) {
    row.artifacts = 'failed';
    row.problems.push(`artifacts: ${(error as Error).message.split('\n')[0]}`);
  }
}

async function sweepTag(tag: string, work: string): Promise<Row> {
  const tree = await realTree(tag);
  const words = await treeWords(tree);
  const row: Row = { tag, unread: {}, refused: new Map(), facts: '-', steps: '-', artifacts: '-', problems: [] };
  let k1Hop: Awaited<ReturnType<typeof prepareRealHop>> | undefined;
  for (const variant of K1_VARIANTS) {
    const { cluster, dropped } = withoutUnread(await k1Variant(variant), tag);
    for (const field of dropped) row.refused.set(field, [...(row.refused.get(field) ?? []), variant]);
    const hop = await prepareRealHop(cluster, tag, tree, join(work, tag, variant));
    if (variant === 'k1') {
      k1Hop = hop;
      await sweepArtifacts(tag, cluster, tree, join(work, tag, 'artifacts'), row);
    }
    const unused = hop.written.filter(({ name }) => !name.startsWith('ansible_') && (!words.uses(name) || words.refuses(name))).map(({ name }) => name);
    const unreadByKspray = unreadOnTags(cluster, [tag], { tableVerified: false }).map((u) => u.name);
    row.unread[variant] = new Set([...unused, ...unreadByKspray]).size;
    if (unused.length > 0) row.problems.push(`${variant}: written but not used by the tag: ${[...new Set(unused)].join(', ')}`);
    if (unreadByKspray.length > 0) row.problems.push(`${variant}: kspray's check finds unread: ${unreadByKspray.join(', ')}`);
  }
  const runs = k1Hop!.steps.filter((step) => step.argv !== null);
  const listed = await Promise.all(runs.map((step) => listHosts(step.argv!, tree).catch((error: Error) => error)));
  let stepsOk = 0;
  for (const [index, step] of runs.entries()) {
    const plays = listed[index]!;
    if (plays instanceof Error) {
      row.problems.push(`${step.id}: ${plays.message.split('\n')[0]}`);
      continue;
    }
    const selected = [...new Set(plays.flatMap((play) => play.hosts))].sort();
    if (JSON.stringify(selected) === JSON.stringify([...step.hosts].sort())) stepsOk += 1;
    else row.problems.push(`${step.id}: selects ${selected.join(',')} instead of ${[...step.hosts].sort().join(',')}`);
    if (step.kind === 'facts') {
      const gather = plays.filter((play) => /gather|facts/i.test(play.name));
      const covered = gather.length > 0 && gather.every((play) => JSON.stringify(play.hosts) === JSON.stringify(ALL_HOSTS));
      row.facts = covered ? `${ALL_HOSTS.length}/${ALL_HOSTS.length}` : `${Math.min(...gather.map((play) => play.hosts.length))}/${ALL_HOSTS.length}`;
      if (!covered) row.problems.push(`${step.id}: the facts plays do not gather every host`);
    }
  }
  row.steps = `${stepsOk}/${runs.length}`;
  return row;
}

async function main(): Promise<void> {
  const tags = process.argv.slice(2).length > 0 ? process.argv.slice(2) : allRealTags();
  const work = await mkdtemp(join(tmpdir(), 'kspray-sweep-'));
  const started = Date.now();
  const rows: Row[] = [];
  try {
    console.log(['TAG', ...K1_VARIANTS.map((v) => `UNREAD ${v}`), 'FACTS', 'STEPS', 'ARTIFACTS', 'REFUSED (dropped before rendering)'].join('\t'));
    for (const tag of tags) {
      const row = await sweepTag(tag, work);
      rows.push(row);
      const refused = [...row.refused].map(([field, variants]) => (variants.length === K1_VARIANTS.length ? field : `${field} (${variants.join(', ')})`));
      console.log([row.tag, ...K1_VARIANTS.map((v) => String(row.unread[v])), row.facts, row.steps, row.artifacts, refused.join(', ') || '-'].join('\t'));
      for (const problem of row.problems) console.log(`  ! ${problem}`);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  const failed = rows.filter((row) => row.problems.length > 0);
  const unread = Object.fromEntries(K1_VARIANTS.map((v) => [v, rows.reduce((sum, row) => sum + (row.unread[v] ?? 0), 0)]));
  console.log(`\n${rows.length} tags in ${Math.round((Date.now() - started) / 1000)} s: unread variables ${K1_VARIANTS.map((v) => `${v} ${unread[v]}`).join(', ')}; facts covering every host on ${rows.filter((r) => r.facts === `${ALL_HOSTS.length}/${ALL_HOSTS.length}`).length}/${rows.length} tags; steps selecting their hosts on ${rows.filter((r) => r.steps.split('/')[0] === r.steps.split('/')[1]).length}/${rows.length} tags; artifacts listed and checked on ${rows.filter((r) => r.artifacts !== 'failed' && !r.problems.some((p) => p.startsWith('artifacts:'))).length}/${rows.length} tags; ${failed.length} tag(s) with problems`);
  process.exitCode = failed.length > 0 ? 1 : 0;
}

await main();
