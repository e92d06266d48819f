/**
 * Queries over a catalog document: pure, synchronous, no IO. Tags and
 * versions are always sorted with semver here; the order of the file (and of
 * Kubespray's own checksum lists) is never trusted.
 */
import { sha256Of } from '../util/canonical-json.js';
import { UsageError } from '../util/errors.js';
import { type GroupDialect, type GroupNames, groupNamesOf } from './groups.js';
import type { AnsibleRange, CatalogDocument, SampleInventory, TagRecord, UpgradePlay } from './schema.js';
import {
  bareVersion, compareLines, compareTags, inRange, lineOfTag, minorOf, normalizeTag, normalizeVersion, sortVersionsDesc, vMinorOf,
} from './versions.js';

export type KubeVersionForm = 'v-prefixed' | 'bare';

/** Where a catalog came from: the bundled snapshot or a refreshed copy in the cache. */
export interface CatalogSource {
  kind: 'bundled' | 'refreshed' | 'memory';
  path: string | undefined;
  /** `sha256:<hex>` of the file's bytes, when it was read from one (a plan's catalog input). */
  sha256?: string;
}

export class Catalog {
  readonly source: CatalogSource;
  readonly meta: Record<string, unknown>;
  private readonly records = new Map<string, TagRecord>();
  private readonly sortedNames: string[];
  private readonly byLine = new Map<string, string[]>();
  private readonly supportedCache = new Map<string, string[]>();
  private readonly document: CatalogDocument;

  /** `document` is validated (a refreshed catalog) or trusted (the bundled snapshot, validated by catalog.test.ts). */
  constructor(document: CatalogDocument, source: CatalogSource = { kind: 'memory', path: undefined }) {
    this.source = source;
    this.document = document;
    this.meta = { ...(document.meta ?? {}) };
    for (const record of document.tags) this.records.set(record.tag, record);
    this.sortedNames = [...this.records.keys()].sort(compareTags);
    for (const name of this.sortedNames) {
      const line = lineOfTag(name);
      if (line === undefined) continue;
      const list = this.byLine.get(line) ?? [];
      list.push(name);
      this.byLine.set(line, list);
    }
  }

  /**
   * Which catalog this is, as a plan's input: the hash of the file it was read
   * from, else of its canonical JSON. Two plans made with different catalogs
   * (a refresh, a moved tag) never count as the same plan.
   */
  fingerprint(): string {
    return this.source.sha256 ?? sha256Of(this.document);
  }

  /** The record of a known tag name. */
  private record(name: string): TagRecord {
    const record = this.records.get(name);
    if (!record) throw new Error(`no record for ${name}`);
    return record;
  }

  // ── tags and lines ────────────────────────────────────────────────────────

  /** Every tag, semver ascending. */
  tags(): TagRecord[] {
    return this.sortedNames.map((name) => this.record(name));
  }

  /** Every tag name, semver ascending. */
  tagNames(): string[] {
    return [...this.sortedNames];
  }

  /** The record of a tag (`v2.13.4` or `2.13.4`), or undefined. */
  tag(name: string): TagRecord | undefined {
    const normalized = normalizeTag(name);
    return normalized === undefined || !this.records.has(normalized) ? undefined : this.record(normalized);
  }

  /** The record of a tag; a UsageError naming the newest known tag when it is unknown. */
  requireTag(name: string): TagRecord {
    const record = this.tag(name);
    if (record) return record;
    const newest = this.newestTag();
    throw new UsageError(
      `unknown Kubespray tag ${JSON.stringify(name)}: the catalog knows ${this.sortedNames[0]} … ${newest} (newest: ${newest})`,
      'a newer Kubespray release? run `kspray catalog refresh --repo URL|PATH` to rebuild the catalog from a Kubespray git repository',
    );
  }

  newestTag(): string {
    const newest = this.sortedNames[this.sortedNames.length - 1];
    if (newest === undefined) throw new Error('empty catalog');
    return newest;
  }

  /** Kubespray minor lines, ascending: "2.10" … "2.31". */
  lines(): string[] {
    return [...this.byLine.keys()].sort(compareLines);
  }

  /** Tags of a line, semver ascending (empty for an unknown line). */
  tagsOfLine(line: string): TagRecord[] {
    return (this.byLine.get(normalizeLine(line)) ?? []).map((name) => this.record(name));
  }

  /** The newest patch tag of a line. */
  latestPatch(line: string): string | undefined {
    const tags = this.byLine.get(normalizeLine(line));
    return tags?.[tags.length - 1];
  }

  lineOf(tag: string): string {
    const record = this.requireTag(tag);
    return lineOfTag(record.tag) ?? record.line;
  }

  /** The next line the catalog knows, or undefined for the newest. */
  nextLine(line: string): string | undefined {
    const target = normalizeLine(line);
    return this.lines().find((candidate) => compareLines(candidate, target) > 0);
  }

  /**
   * The line whose latest patch defaults to Kubernetes `minor` (`1.17` or
   * `v1.17`): the line a hop to that minor uses.
   */
  lineForDefaultMinor(minor: string): string | undefined {
    const wanted = minorOf(minor);
    if (wanted === undefined) return undefined;
    return this.lines().find((line) => {
      const latest = this.latestPatch(line);
      return latest !== undefined && minorOf(this.requireTag(latest).kube_version) === wanted;
    });
  }

  // ── Kubernetes versions ───────────────────────────────────────────────────

  /** The default Kubernetes version of a tag, `v`-normalized. */
  defaultVersion(tag: string): string {
    const record = this.requireTag(tag);
    return normalizeVersion(record.kube_version) ?? record.kube_version;
  }

  /** Every Kubernetes version the tag has checksums for, `v`-normalized, semver descending. */
  supportedVersions(tag: string): string[] {
    const record = this.requireTag(tag);
    let cached = this.supportedCache.get(record.tag);
    if (!cached) {
      cached = sortVersionsDesc(record.supported_kube_versions.map((v) => normalizeVersion(v) ?? v));
      this.supportedCache.set(record.tag, cached);
    }
    return [...cached];
  }

  supports(tag: string, version: string): boolean {
    const normalized = normalizeVersion(version);
    return normalized !== undefined && this.supportedVersions(tag).includes(normalized);
  }

  /** The lowest Kubernetes version the tag accepts (kube_version_min_required), undefined where the tag defines none (v2.10). */
  minRequired(tag: string): string | undefined {
    const min = this.requireTag(tag).kube_version_min_required;
    return min === null ? undefined : (normalizeVersion(min) ?? min);
  }

  /** Supported minors, `v`-prefixed (`v1.17`), descending. */
  supportedMinors(tag: string): string[] {
    const minors = new Set<string>();
    for (const version of this.supportedVersions(tag)) {
      const minor = vMinorOf(version);
      if (minor) minors.add(minor);
    }
    return [...minors];
  }

  /** `v-prefixed` up to v2.27.x (`v1.31.4`), `bare` from v2.28.0 (`1.32.5`: a `v` there breaks download URLs). */
  kubeVersionForm(tag: string): KubeVersionForm {
    return this.requireTag(tag).kube_version_v_prefixed_in_vars ? 'v-prefixed' : 'bare';
  }

  /** A Kubernetes version written the way the tag's `kube_version` wants it. */
  formatKubeVersion(tag: string, version: string): string {
    const normalized = normalizeVersion(version);
    if (normalized === undefined) throw new UsageError(`not a Kubernetes version: ${JSON.stringify(version)}`, 'write it as 1.x.y or v1.x.y');
    return this.kubeVersionForm(tag) === 'bare' ? bareVersion(normalized) : normalized;
  }

  // ── inventory groups ──────────────────────────────────────────────────────

  dialect(tag: string): GroupDialect {
    return this.requireTag(tag).groups.dialect;
  }

  groupNames(tag: string): GroupNames {
    return groupNamesOf(this.dialect(tag));
  }

  /** How the sample inventory defines etcd: its own `[etcd]` hosts, or `[etcd:children]` (from v2.27.0). */
  etcdForm(tag: string): 'group' | 'children' {
    return this.requireTag(tag).sample_inventory.etcd.form;
  }

  sampleInventory(tag: string): SampleInventory {
    return this.requireTag(tag).sample_inventory;
  }

  // ── Ansible ───────────────────────────────────────────────────────────────

  ansibleRange(tag: string): AnsibleRange {
    return this.requireTag(tag).ansible.range;
  }

  /** The ansible / ansible-core / ansible-base lines of the tag's requirements.txt. */
  ansiblePins(tag: string): string[] {
    return [...this.requireTag(tag).ansible.requirements_txt];
  }

  /** The ansible-core minor the pins imply (`2.12`), undefined where nothing is pinned exactly. */
  impliedCore(tag: string): string | undefined {
    return this.requireTag(tag).ansible.implied_core ?? undefined;
  }

  /** Whether a local ansible-core version (e.g. `2.14.18`) lies in the range the tag's playbooks accept. */
  ansibleSatisfies(tag: string, localVersion: string): boolean {
    return inRange(localVersion, this.ansibleRange(tag));
  }

  // ── playbooks ─────────────────────────────────────────────────────────────

  /** The upgrade playbook to run, relative to the Kubespray checkout (the entry the record names). */
  upgradePlaybook(tag: string): string {
    return this.requireTag(tag).upgrade_playbook.entry;
  }

  /** The facts playbook to run before a limited upgrade; undefined before v2.13.0, which has none. */
  factsPlaybook(tag: string): string | undefined {
    const paths = this.requireTag(tag).facts_playbook_paths;
    // From v2.29 there is also playbooks/internal_facts.yml: the operator-facing one is facts.yml.
    return paths.find((path) => path.split('/').pop() === 'facts.yml') ?? paths[0];
  }

  upgradePlays(tag: string): UpgradePlay[] {
    return [...this.requireTag(tag).upgrade_plays];
  }

  /**
   * The plays of the upgrade playbook that cordon the nodes of their batch:
   * they run Kubespray's upgrade/pre-upgrade role (cordon, drain), and
   * upgrade/post-upgrade uncordons when the node is done.
   */
  cordoningPlays(tag: string): string[] {
    return this.requireTag(tag).upgrade_plays
      .filter((play) => play.name !== null && (play.roles ?? []).includes('upgrade/pre-upgrade'))
      .map((play) => play.name!);
  }

  // ── everything else ───────────────────────────────────────────────────────

  sha(tag: string): string {
    return this.requireTag(tag).sha;
  }

  dns(tag: string): Record<string, unknown> | undefined {
    return this.requireTag(tag).dns;
  }

  upgradeDefaults(tag: string): Record<string, Record<string, string | number | boolean | null>> {
    return this.requireTag(tag).upgrade_defaults ?? {};
  }

  kubeadmUpgrade(tag: string): Record<string, unknown> | undefined {
    return this.requireTag(tag).kubeadm_upgrade ?? undefined;
  }
}

/** `2.13`, `v2.13`, `release-2.13` → `2.13`. */
function normalizeLine(line: string): string {
  const minor = minorOf(line.trim().replace(/^release-/, ''));
  return minor ?? line;
}
