/**
 * Text and JSON views of the catalog for `kspray catalog`: pure functions of
 * a Catalog, so the CLI only prints.
 */
import type { Catalog } from './catalog.js';
import type { CatalogChanges } from './refresh.js';
import type { CatalogDocument } from './schema.js';
import { minorOf, sortVersionsAsc } from './versions.js';

export interface LineSummary {
  line: string;
  tags: string[];
  latestTag: string;
  sha: string;
  kubeVersion: string;
  kubeVersionForm: 'v-prefixed' | 'bare';
  supportedMinors: string[];
  minRequired: string | null;
  ansiblePins: string[];
  ansibleRange: { min_inclusive: string | null; max_exclusive: string | null };
  impliedCore: string | null;
  dialect: 'dash' | 'underscore';
  etcdForm: 'group' | 'children';
  upgradePlaybook: string;
  factsPlaybook: string | null;
}

export function lineSummaries(catalog: Catalog): LineSummary[] {
  return catalog.lines().map((line) => {
    const latest = catalog.latestPatch(line)!;
    return {
      line,
      tags: catalog.tagsOfLine(line).map((record) => record.tag),
      latestTag: latest,
      sha: catalog.sha(latest),
      kubeVersion: catalog.defaultVersion(latest),
      kubeVersionForm: catalog.kubeVersionForm(latest),
      supportedMinors: catalog.supportedMinors(latest),
      minRequired: catalog.minRequired(latest) ?? null,
      ansiblePins: catalog.ansiblePins(latest),
      ansibleRange: { ...catalog.ansibleRange(latest) },
      impliedCore: catalog.impliedCore(latest) ?? null,
      dialect: catalog.dialect(latest),
      etcdForm: catalog.etcdForm(latest),
      upgradePlaybook: catalog.upgradePlaybook(latest),
      factsPlaybook: catalog.factsPlaybook(latest) ?? null,
    };
  });
}

export function formatRange(range: { min_inclusive: string | null; max_exclusive: string | null }): string {
  const parts = [range.min_inclusive ? `>=${range.min_inclusive}` : '', range.max_exclusive ? `<${range.max_exclusive}` : ''].filter(Boolean);
  return parts.length > 0 ? parts.join(',') : 'any';
}

/** `v1.17, v1.16, v1.15` → `1.15–1.17`. */
function minorSpan(minors: readonly string[]): string {
  const bare = minors.map((m) => minorOf(m) ?? m);
  const sorted = sortVersionsAsc(bare.map((m) => `${m}.0`)).map((v) => minorOf(v) ?? v);
  return sorted.length > 1 ? `${sorted[0]}–${sorted[sorted.length - 1]}` : (sorted[0] ?? '-');
}

export function renderLineTable(rows: readonly LineSummary[]): string {
  const header = ['LINE', 'LATEST', 'KUBERNETES', 'SUPPORTS', 'ANSIBLE PIN', 'CORE', 'ANSIBLE RANGE', 'GROUPS'];
  const body = rows.map((row) => [
    row.line,
    row.latestTag,
    row.kubeVersionForm === 'bare' ? `${row.kubeVersion.slice(1)} (bare)` : row.kubeVersion,
    minorSpan(row.supportedMinors),
    row.ansiblePins.join(' ') || '-',
    row.impliedCore ?? '-',
    formatRange(row.ansibleRange),
    `${row.dialect}${row.etcdForm === 'children' ? ', etcd:children' : ''}`,
  ]);
  return table([header, ...body]);
}

function table(rows: readonly string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  ')).join('\n');
}

export function sourceNote(catalog: Catalog): string {
  const { source } = catalog;
  const where = source.kind === 'refreshed' ? `refreshed catalog ${source.path}` : `bundled catalog (Kubespray ${catalog.tagNames()[0]} … ${catalog.newestTag()})`;
  return `${catalog.tagNames().length} tags from the ${where}`;
}

export function renderTagSummary(catalog: Catalog, tag: string): string {
  const record = catalog.requireTag(tag);
  const names = catalog.groupNames(tag);
  const supported = catalog.supportedVersions(tag);
  const byMinor = catalog.supportedMinors(tag).map((minor) => {
    const patches = supported.filter((v) => `v${minorOf(v)}` === minor);
    return `${minor} (${patches[patches.length - 1]} … ${patches[0]})`;
  });
  const facts = catalog.factsPlaybook(tag);
  const lines = [
    `Kubespray ${record.tag} (line ${catalog.lineOf(tag)}), commit ${record.sha}, ${record.date}`,
    `Kubernetes:  default ${catalog.defaultVersion(tag)}, written ${catalog.formatKubeVersion(tag, catalog.defaultVersion(tag))} (${catalog.kubeVersionForm(tag)}); minimum ${catalog.minRequired(tag) ?? 'not set'}`,
    `             supported ${byMinor.join(', ')}`,
    `Ansible:     ${catalog.ansiblePins(tag).join(' ') || 'no pin'}${catalog.impliedCore(tag) ? ` (ansible-core ${catalog.impliedCore(tag)})` : ''}; playbooks accept ${formatRange(catalog.ansibleRange(tag))}`,
    `Groups:      ${catalog.dialect(tag)}: ${names.controlPlane}, ${names.node}, ${names.cluster}, ${names.calicoRr}, ${names.etcd} (sample inventory etcd: ${catalog.etcdForm(tag)})`,
    `Playbooks:   upgrade ${catalog.upgradePlaybook(tag)}; facts ${facts ?? 'none (before v2.13)'}`,
    'Upgrade plays:',
    ...catalog.upgradePlays(tag).map((play, index) => {
      const serial = play.serial === undefined ? '' : `  serial ${String(play.serial)}`;
      const compat = play.compat ? '  (legacy group compat)' : '';
      return `  ${String(index + 1).padStart(2)}. ${play.hosts}${serial}${play.name ? `  — ${play.name}` : ''}${compat}`;
    }),
  ];
  const drain = catalog.upgradeDefaults(tag)['pre-upgrade'];
  if (drain) lines.push(`Drain defaults: ${Object.entries(drain).map(([key, value]) => `${key}=${JSON.stringify(value)}`).join(' ')}`);
  return lines.join('\n');
}

export function renderRefreshSummary(document: CatalogDocument, changes: CatalogChanges, path: string): string {
  const tags = document.tags.map((record) => record.tag);
  const skipped = (document.meta?.skipped_tags as Array<{ tag: string; reason: string }> | undefined) ?? [];
  const list = (label: string, items: readonly string[]): string | undefined => {
    if (items.length === 0) return undefined;
    const shown = items.length <= 8 ? items.join(', ') : `${items.length} tags (${items.slice(0, 3).join(', ')} … ${items[items.length - 1]})`;
    return `  ${label}: ${shown}`;
  };
  return [
    `catalog refreshed from ${String(document.meta?.source_repo ?? '?')}: ${tags.length} tags (${tags[0]} … ${tags[tags.length - 1]})`,
    list('new', changes.added),
    list('moved to another commit', changes.moved),
    list('facts changed', changes.changed),
    list('no longer found', changes.removed),
    `  unchanged: ${changes.unchanged.length}`,
    ...skipped.map((s) => `  skipped ${s.tag}: ${s.reason}`),
    `written to ${path}`,
  ].filter((line): line is string => line !== undefined).join('\n');
}
