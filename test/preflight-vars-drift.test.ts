/**
 * vars-drift against the real planner, the bundled catalog and the real
 * known-vars data: k1 as the field notes describe it, planned across the
 * releases where Kubespray dropped the variables it sets.
 */
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../src/catalog/load.js';
import { loadClusterFile } from '../src/model/load.js';
import type { Cluster } from '../src/model/schema.js';
import { planUpgrade } from '../src/plan/plan.js';
import { parseVersionPair } from '../src/plan/version-pair.js';
import { hopContextOf } from '../src/preflight/run-host-checks.js';
import { assumedFromTag } from '../src/preflight/run-preflights.js';
import type { HopContext } from '../src/preflight/types.js';
import { checkVarsDrift, knownVarsOf, loadKnownVars } from '../src/preflight/vars-drift.js';
import { k1ClusterFile } from './helpers/cli.js';

const catalog = loadCatalog();

async function k1(): Promise<Cluster> {
  const loaded = await loadClusterFile(k1ClusterFile);
  if (!loaded.ok) throw new Error(`k1 does not load: ${JSON.stringify(loaded.problems)}`);
  return structuredClone(loaded.cluster);
}

/** A cluster at a minor, its tag unknown: the default version of the line whose default it is, at that line's latest patch. */
function atMinor(minor: string): { version: string; tag: undefined } {
  const line = catalog.lineForDefaultMinor(minor)!;
  return { version: catalog.defaultVersion(catalog.latestPatch(line)!), tag: undefined };
}

function hopsOf(cluster: Cluster, pair: string): HopContext[] {
  const versions = parseVersionPair(pair);
  const plan = planUpgrade({
    cluster, clusterFile: 'k1.yaml', catalog, from: versions.from && atMinor(versions.from.minor), to: versions.to, stateDir: '/tmp/state', cacheDir: '/tmp/cache', ksprayVersion: 'test',
  });
  return plan.hops.map(hopContextOf);
}

function drift(cluster: Cluster, hops: readonly HopContext[]) {
  return checkVarsDrift({ cluster, hops, known: loadKnownVars(), assumeFromTag: (hop) => assumedFromTag(catalog, hop) });
}

describe('vars-drift on k1', () => {
  it('warns at the hop into line 2.19 when ipip_mode is written under its old name, and names calico_ipip_mode', async () => {
    const cluster = await k1();
    cluster.extraVars = { ipip_mode: 'Never' };
    const hops = hopsOf(cluster, '1.18→1.24');

    const outcome = drift(cluster, hops);

    const ipip = outcome.findings.filter((f) => f.what.includes('ipip_mode'));
    const into219 = hops.find((h) => h.line === '2.19') as HopContext;
    expect(ipip).toHaveLength(1);
    expect(ipip[0]).toMatchObject({ check: 'vars-drift', severity: 'warn', hop: into219.index, where: 'extraVars.ipip_mode' });
    expect(ipip[0]?.what).toContain(`defined by Kubespray ${into219.fromTag} and gone in ${into219.toTag}`);
    expect(ipip[0]?.fix).toContain('calico_ipip_mode');
    expect(ipip[0]?.fix).toContain('network.calico.ipipMode');
    expect(outcome.status).toBe('pass');
  });

  it('says the same for ipip_mode set as a host variable, naming the nodes', async () => {
    const cluster = await k1();
    cluster.nodes[0]!.vars = { ipip_mode: 'Never' };
    cluster.nodes[1]!.vars = { ipip_mode: 'Never' };

    const outcome = drift(cluster, hopsOf(cluster, '1.18→1.24'));

    const finding = outcome.findings.find((f) => f.what.includes('ipip_mode'));
    expect(finding?.where).toBe('nodes[0].vars.ipip_mode (k1-master01), nodes[1].vars.ipip_mode (k1-master02)');
    expect(finding?.details?.variables).toEqual([expect.objectContaining({ name: 'ipip_mode', kind: 'host', renamedTo: 'calico_ipip_mode' })]);
  });

  it('does not warn for the typed network.calico.ipipMode: the renderer writes calico_ipip_mode from v2.13.0', async () => {
    const cluster = await k1();
    const hops = hopsOf(cluster, '1.18→1.24');

    const outcome = drift(cluster, hops);

    expect(cluster.network.calico?.ipipMode).toBe('Never');
    expect(outcome.findings.filter((f) => f.what.includes('ipip_mode'))).toEqual([]);
  });

  it('warns once, at the hop into line 2.28, for the rbd provisioner', async () => {
    const cluster = await k1();
    const hops = hopsOf(cluster, '1.26→1.32');

    const outcome = drift(cluster, hops);

    const into228 = hops.find((h) => h.line === '2.28') as HopContext;
    const rbd = outcome.findings.filter((f) => f.what.includes('rbd_provisioner'));
    expect(rbd).toHaveLength(1);
    expect(rbd[0]).toMatchObject({ severity: 'warn', hop: into228.index });
    expect(rbd[0]?.what).toContain('rbd_provisioner_enabled');
    expect(rbd[0]?.what).toContain(`gone in ${into228.toTag}`);
    expect(rbd[0]?.where).toContain('addons.rbdProvisioner.enabled');
    expect(outcome.table?.rows.some((row) => row[0] === String(into228.index) && row[1] === 'rbd_provisioner_enabled')).toBe(true);
  });

  it('passes the same plan without the rbd provisioner', async () => {
    const cluster = await k1();
    delete cluster.addons?.rbdProvisioner;

    const outcome = drift(cluster, hopsOf(cluster, '1.26→1.32'));

    expect(outcome).toMatchObject({ status: 'pass', findings: [] });
  });

  it('assumes the previous line\'s latest patch when the cluster file names no tag, and says so', async () => {
    const cluster = await k1();
    cluster.extraVars = { ipip_mode: 'Never' };
    const hops = hopsOf(cluster, '1.18→1.19').map((h) => ({ ...h, toTag: 'v2.19.1', line: '2.19', fromTag: undefined }));

    const outcome = drift(cluster, hops);

    expect(outcome.findings[0]?.what).toContain('defined by Kubespray v2.18.2 (assumed: the cluster file names no kubespray.tag) and gone in v2.19.1');
    expect(outcome.findings[0]?.details?.fromTagAssumed).toBe(true);
  });
});

describe('vars-drift rules', () => {
  const hop: HopContext = { index: 1, fromVersion: 'v1.17.0', toVersion: 'v1.18.0', fromTag: 'vA', toTag: 'vB', line: 'x' };
  const bare = { name: 'c', kubernetes: { version: 'v1.17.0' }, nodes: [], network: { plugin: 'calico' } } as unknown as Cluster;

  it('needs "defined in FROM": a variable no tag defines (peers) never drifts', () => {
    const known = knownVarsOf({ vA: ['kube_version'], vB: ['kube_version'] });

    const outcome = checkVarsDrift({ cluster: { ...bare, extraVars: { my_own_var: 1 } }, hops: [hop], known });

    expect(outcome.findings).toEqual([]);
  });

  it('still warns for a switch set to false, saying the feature may now be on for good', () => {
    const known = knownVarsOf({ vA: ['kube_version', 'dashboard_enabled'], vB: ['kube_version'] });

    const outcome = checkVarsDrift({ cluster: { ...bare, extraVars: { dashboard_enabled: false } }, hops: [hop], known });

    expect(outcome.findings.map((f) => [f.severity, f.where])).toEqual([['warn', 'extraVars.dashboard_enabled']]);
    expect(outcome.findings[0]?.why).toContain('it is set to false');
    expect(outcome.findings[0]?.fix).toBe("remove extraVars.dashboard_enabled before hop 1, and check Kubespray vB's release notes for what replaces dashboard_enabled");
  });

  it('is skipped, saying why, when the data does not know the tags', () => {
    const outcome = checkVarsDrift({ cluster: bare, hops: [hop], known: knownVarsOf({}) });

    expect(outcome).toMatchObject({ status: 'skipped', reason: "hop 1: kspray's variable data has no record of vA, vB" });
  });
});
