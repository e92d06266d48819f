/**
 * vars-drift against the real planner, the bundled catalog and the variable
 * facts extracted from the real tags: k1 as the field notes describe it,
 * planned across the releases where Kubespray dropped the variables it sets.
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
import { checkVarsDrift } from '../src/preflight/vars-drift.js';
import { unreadOnTags } from '../src/vars/check.js';
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

function drift(cluster: Cluster, hops: readonly HopContext[], allowUnread?: string[]) {
  return checkVarsDrift({
    cluster, hops, allowUnread, assumeFromTag: (hop) => assumedFromTag(catalog, hop),
    unreadOn: (tag) => unreadOnTags(cluster, [tag], { tableVerified: true }),
  });
}

describe('vars-drift on k1: the read check, hop by hop', () => {
  it('names ipip_mode kept as an extra variable on every hop whose tag fails on it, with the typed field to use', async () => {
    const cluster = await k1();
    cluster.extraVars = { ipip_mode: 'Never' };
    const hops = hopsOf(cluster, '1.18→1.24');

    const outcome = drift(cluster, hops);

    const ipip = outcome.findings.filter((f) => f.where === 'extraVars.ipip_mode');
    expect(ipip.map((f) => f.hop)).toEqual(hops.filter((h) => Number(h.line.split('.')[1]) >= 19).map((h) => h.index));
    expect(ipip.length).toBeGreaterThan(1);
    expect(ipip[0]).toMatchObject({ check: 'vars-drift', severity: 'warn' });
    expect(ipip[0]?.what).toMatch(/fails on ipip_mode: ".*calico_ipip_mode/);
    expect(ipip[0]?.why).toContain('render, plan and apply refuse');
    expect(ipip[0]?.fix).toBe('set network.calico.ipipMode instead: kspray writes it under the name each tag reads');
    expect(outcome.status).toBe('pass');
  });

  it('says the same for ipip_mode set as a host variable, naming the node', async () => {
    const cluster = await k1();
    cluster.nodes[0]!.vars = { ipip_mode: 'Never' };

    const outcome = drift(cluster, hopsOf(cluster, '1.22→1.23'));

    const finding = outcome.findings.find((f) => f.where.includes('ipip_mode'));
    expect(finding?.where).toBe('nodes[0].vars.ipip_mode (k1-master01)');
    expect(finding?.details?.variables).toEqual([expect.objectContaining({ name: 'ipip_mode', kind: 'host' })]);
  });

  it('tells, as information, that the typed network.calico.ipipMode is written as calico_ipip_mode from the hop into v2.13', async () => {
    const cluster = await k1();
    const hops = hopsOf(cluster, '1.16→1.17');

    const outcome = drift(cluster, hops);

    expect(outcome.findings).toEqual([expect.objectContaining({ severity: 'info', where: 'network.calico.ipipMode', what: expect.stringContaining('written as calico_ipip_mode for Kubespray v2.13') })]);
  });

  it('reports the rbd provisioner on every hop from line 2.28 on, not only the one that crosses the removal', async () => {
    const cluster = await k1();
    const hops = hopsOf(cluster, '1.26→1.32');

    const outcome = drift(cluster, hops);

    const rbd = outcome.findings.filter((f) => f.where.includes('rbdProvisioner'));
    expect(rbd.map((f) => f.hop)).toEqual(hops.filter((h) => Number(h.line.split('.')[1]) >= 28).map((h) => h.index));
    expect(rbd[0]?.what).toContain('rbd_provisioner_enabled');
    expect(rbd[0]?.fix).toContain('ceph-csi');
    expect(outcome.table?.rows.some((row) => row[1] === 'rbd_provisioner_enabled' && row[4] === 'refused')).toBe(true);
  });

  it('says a setting allowed with --allow-unread silently does nothing', async () => {
    const cluster = await k1();
    delete cluster.addons?.rbdProvisioner;
    cluster.extraVars = { dashboard_enabled: false };
    delete cluster.addons?.dashboard;

    const outcome = drift(cluster, hopsOf(cluster, '1.34→1.35'), ['dashboard_enabled']);

    const finding = outcome.findings.find((f) => f.where === 'extraVars.dashboard_enabled');
    expect(finding?.why).toContain('allowed with --allow-unread: it silently does nothing');
    expect(finding?.why).toContain('it is set to false');
  });

  it('passes the same plan without the settings the tags dropped', async () => {
    const cluster = await k1();
    delete cluster.addons?.rbdProvisioner;

    const outcome = drift(cluster, hopsOf(cluster, '1.26→1.30'));

    expect(outcome).toMatchObject({ status: 'pass', findings: [] });
  });

  it('is skipped, saying why, when no hop\'s tag has facts', async () => {
    const cluster = await k1();
    const hop: HopContext = { index: 1, fromVersion: 'v1.17.0', toVersion: 'v1.18.0', fromTag: 'v2.12.10', toTag: 'v2.99.0', line: '2.99' };
    const outcome = checkVarsDrift({ cluster: { ...cluster, extraVars: { x: 1 } }, hops: [hop], unreadOn: (tag) => unreadOnTags({ ...cluster, extraVars: { x: 1 } }, [tag], { tableVerified: true }) });
    expect(outcome).toMatchObject({ status: 'skipped', reason: expect.stringContaining('no variable facts for Kubespray v2.99.0') });
  });
});
