import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { UsageError } from '../util/errors.js';
import { bundledCatalogPath, catalogFromDocument } from './load.js';
import { catalogDocument } from './schema.js';
import { compareTags, compareVersions } from './versions.js';

// Built from the raw bundled file, not through loadCatalog(): these tests must
// not depend on whatever a developer has refreshed into their cache.
const rawDocument = JSON.parse(readFileSync(bundledCatalogPath, 'utf8')) as { tags: Array<Record<string, unknown>> };
const catalog = catalogFromDocument(rawDocument);

/** The same document with every list we sort reversed or shuffled: answers must not change. */
function scrambled(): unknown {
  const copy = structuredClone(rawDocument);
  copy.tags.reverse();
  for (const record of copy.tags) {
    const versions = record.supported_kube_versions as string[];
    // Rotate: neither end keeps the newest or the oldest version.
    versions.push(...versions.splice(0, Math.ceil(versions.length / 2)));
  }
  return copy;
}

describe('bundled catalog', () => {
  it('validates whole (loadCatalog trusts the bundled snapshot at run time because of it)', () => {
    const result = catalogDocument.safeParse(rawDocument);
    expect(result.success ? [] : result.error.issues.slice(0, 3)).toEqual([]);
    expect(catalog.tags()).toHaveLength(60);
  });
});

describe('tags and lines', () => {
  it('lists tags in semver order, whatever the file order', () => {
    for (const subject of [catalog, catalogFromDocument(scrambled())]) {
      const names = subject.tags().map((record) => record.tag);
      expect(names[0]).toBe('v2.10.0');
      expect(names.at(-1)).toBe('v2.31.0');
      for (let i = 1; i < names.length; i += 1) expect(compareTags(names[i - 1]!, names[i]!)).toBeLessThan(0);
      // Lexical order would put v2.12.10 before v2.12.2.
      expect(names.indexOf('v2.12.10')).toBe(names.indexOf('v2.12.9') + 1);
    }
  });

  it('lists lines ascending, 2.10 … 2.31', () => {
    const lines = catalog.lines();
    expect(lines).toHaveLength(22);
    expect(lines.slice(0, 3)).toEqual(['2.10', '2.11', '2.12']);
    expect(lines.at(-1)).toBe('2.31');
  });

  it.each([
    ['2.10', 'v2.10.4'],
    ['2.12', 'v2.12.10'],
    ['2.13', 'v2.13.4'],
    ['2.14', 'v2.14.2'],
    ['2.22', 'v2.22.2'],
    ['2.31', 'v2.31.0'],
  ])('latestPatch(%s) = %s', (line, tag) => {
    expect(catalog.latestPatch(line)).toBe(tag);
    expect(catalogFromDocument(scrambled()).latestPatch(line)).toBe(tag);
  });

  it('walks lines and tags', () => {
    expect(catalog.tagsOfLine('2.13').map((r) => r.tag)).toEqual(['v2.13.0', 'v2.13.1', 'v2.13.2', 'v2.13.3', 'v2.13.4']);
    expect(catalog.lineOf('v2.13.2')).toBe('2.13');
    expect(catalog.nextLine('2.13')).toBe('2.14');
    expect(catalog.nextLine('2.31')).toBeUndefined();
    expect(catalog.newestTag()).toBe('v2.31.0');
    expect(catalog.tag('2.13.4')?.tag).toBe('v2.13.4');
    expect(catalog.tag('v2.99.0')).toBeUndefined();
  });

  it.each([
    ['1.14', '2.10'],
    ['1.16', '2.12'],
    ['1.17', '2.13'],
    ['v1.18', '2.14'],
    ['1.35.1', '2.31'],
    ['1.11', undefined],
  ])('lineForDefaultMinor(%s) = %s', (minor, line) => {
    expect(catalog.lineForDefaultMinor(minor)).toBe(line);
  });

  it('names the newest tag and the refresh command for an unknown tag', () => {
    const attempt = () => catalog.requireTag('v2.32.0');
    expect(attempt).toThrow(UsageError);
    try {
      attempt();
    } catch (error) {
      const usage = error as UsageError;
      expect(usage.message).toBe('unknown Kubespray tag "v2.32.0": the catalog knows v2.10.0 … v2.31.0 (newest: v2.31.0)');
      expect(usage.hint).toContain('kspray catalog refresh --repo');
      expect(usage.exitCode).toBe(2);
    }
  });
});

describe('Kubernetes versions', () => {
  it('sorts v2.22.2 supported versions although its file lists newer patches last', () => {
    expect(catalog.tag('v2.22.2')?.checksum_file_order_newest_first).toBe(false);
    for (const subject of [catalog, catalogFromDocument(scrambled())]) {
      const versions = subject.supportedVersions('v2.22.2');
      expect(versions[0]).toBe('v1.26.13');
      expect(versions.at(-1)).toBe('v1.24.0');
      for (let i = 1; i < versions.length; i += 1) expect(compareVersions(versions[i - 1]!, versions[i]!)).toBeGreaterThan(0);
      expect(subject.supportedMinors('v2.22.2')).toEqual(['v1.26', 'v1.25', 'v1.24']);
    }
  });

  it.each([
    ['v2.10.0', 'v1.14.1', undefined],
    ['v2.11.0', 'v1.15.3', 'v1.14.0'],
    ['v2.13.2', 'v1.17.7', 'v1.16.0'],
    ['v2.28.0', 'v1.32.5', 'v1.30.0'],
  ])('%s defaults to %s, requires at least %s', (tag, version, min) => {
    expect(catalog.defaultVersion(tag)).toBe(version);
    expect(catalog.minRequired(tag)).toBe(min);
  });

  it('answers supports() with or without a v', () => {
    expect(catalog.supports('v2.13.4', '1.16.3')).toBe(true);
    expect(catalog.supports('v2.13.4', 'v1.16.3')).toBe(true);
    expect(catalog.supports('v2.13.4', '1.14.0')).toBe(false);
    expect(catalog.supports('v2.13.4', 'not-a-version')).toBe(false);
  });

  it.each([
    ['v2.10.0', 'v-prefixed', 'v1.14.1'],
    ['v2.27.1', 'v-prefixed', 'v1.31.9'],
    ['v2.28.0', 'bare', '1.32.5'],
    ['v2.31.0', 'bare', '1.35.4'],
  ])('%s writes kube_version %s', (tag, form, written) => {
    expect(catalog.kubeVersionForm(tag)).toBe(form);
    expect(catalog.formatKubeVersion(tag, catalog.defaultVersion(tag))).toBe(written);
    expect(catalog.formatKubeVersion(tag, written.replace(/^v/, ''))).toBe(written);
  });
});

describe('groups', () => {
  it.each([
    ['v2.15.1', 'dash', { controlPlane: 'kube-master', node: 'kube-node', cluster: 'k8s-cluster', calicoRr: 'calico-rr', etcd: 'etcd' }],
    ['v2.16.0', 'underscore', { controlPlane: 'kube_control_plane', node: 'kube_node', cluster: 'k8s_cluster', calicoRr: 'calico_rr', etcd: 'etcd' }],
    ['v2.31.0', 'underscore', { controlPlane: 'kube_control_plane', node: 'kube_node', cluster: 'k8s_cluster', calicoRr: 'calico_rr', etcd: 'etcd' }],
  ])('%s speaks the %s dialect', (tag, dialect, names) => {
    expect(catalog.dialect(tag)).toBe(dialect);
    expect(catalog.groupNames(tag)).toEqual(names);
  });

  it('has names for every group each tag upgrade targets', () => {
    for (const record of catalog.tags()) {
      const known = new Set([...Object.values(catalog.groupNames(record.tag)), 'bastion']);
      expect(record.groups.upgrade_targets.filter((group) => !known.has(group)), record.tag).toEqual([]);
    }
  });

  it('switches the sample etcd form at v2.27.0', () => {
    expect(catalog.etcdForm('v2.26.1')).toBe('group');
    expect(catalog.etcdForm('v2.27.0')).toBe('children');
    expect(catalog.sampleInventory('v2.27.0').sections).toEqual(['kube_control_plane', 'etcd:children', 'kube_node']);
  });
});

describe('playbooks and Ansible', () => {
  it.each([
    ['v2.10.0', 'upgrade-cluster.yml', undefined],
    ['v2.12.10', 'upgrade-cluster.yml', undefined],
    ['v2.13.0', 'upgrade-cluster.yml', 'facts.yml'],
    ['v2.22.0', 'upgrade-cluster.yml', 'playbooks/facts.yml'],
    ['v2.29.0', 'upgrade-cluster.yml', 'playbooks/facts.yml'],
  ])('%s: upgrade %s, facts %s', (tag, upgrade, facts) => {
    expect(catalog.upgradePlaybook(tag)).toBe(upgrade);
    expect(catalog.factsPlaybook(tag)).toBe(facts);
  });

  it('keeps the real plays, hosts and serial of the upgrade playbook', () => {
    const masters = catalog.upgradePlays('v2.13.2').find((play) => play.hosts === 'kube-master' && play.serial === 1);
    expect(masters?.name).toBe('Handle upgrades to master components first to maintain backwards compat.');
  });

  it('names the plays that cordon (upgrade/pre-upgrade): the control plane\'s and the workers\', in every tag', () => {
    expect(catalog.cordoningPlays('v2.16.0')).toEqual([
      'Handle upgrades to master components first to maintain backwards compat.',
      'Finally handle worker upgrades, based on given batch size',
    ]);
    expect(catalog.cordoningPlays('v2.31.0')[0]).toBe('Handle upgrades to control plane components first to maintain backwards compat.');
    for (const { tag } of catalog.tags()) {
      const plays = catalog.upgradePlays(tag);
      const cordoning = catalog.cordoningPlays(tag);
      expect(cordoning, tag).toHaveLength(2);
      expect(plays.filter((play) => cordoning.includes(play.name ?? '')).map((play) => play.serial === 1), tag).toEqual([true, false]);
    }
  });

  it.each([
    ['v2.10.0', '2.14.18', true],
    ['v2.15.0', '2.9.27', true],
    ['v2.15.0', '2.10.0', false],
    ['v2.22.2', '2.14.18', false],
    ['v2.23.0', '2.14.18', true],
    ['v2.24.0', '2.14.18', false],
    ['v2.31.0', '2.18.3', true],
  ])('%s accepts ansible-core %s: %s', (tag, local, ok) => {
    expect(catalog.ansibleSatisfies(tag, local)).toBe(ok);
  });

  it('reports pins and the implied ansible-core', () => {
    expect(catalog.ansiblePins('v2.17.0')).toEqual(['ansible==3.4.0', 'ansible-base==2.10.11']);
    expect(catalog.impliedCore('v2.17.0')).toBe('2.10');
    expect(catalog.impliedCore('v2.10.0')).toBeUndefined(); // `ansible>=2.7.8` pins nothing exactly
    expect(catalog.ansibleRange('v2.23.0')).toEqual({ min_inclusive: '2.14.0', max_exclusive: '2.15.0' });
  });

  it('exposes sha, drain defaults and kubeadm facts', () => {
    expect(catalog.sha('v2.13.4')).toMatch(/^[0-9a-f]{40}$/);
    expect(catalog.upgradeDefaults('v2.16.0')['pre-upgrade']?.drain_nodes).toBe(true);
    expect(catalog.kubeadmUpgrade('v2.28.0')?.apply_version_arg).toBe('v{{ kube_version }}');
    expect(catalog.dns('v2.13.4')?.coredns_service_name).toBe('coredns');
  });
});
