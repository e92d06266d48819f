/**
 * `kspray catalog refresh` against a real git repository: the Kubespray-shaped
 * fixture repo (test/fixtures/kubespray-repo.ts), built from the bundled
 * catalog in the real file layout. Reading that repo back must give the
 * bundled facts again, with the fixture's own commits and dates.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildKubesprayRepo, type FixtureRepo } from './fixtures/kubespray-repo.js';
import { runCli } from './helpers/cli.js';
import { REBUILT_FIELDS } from '../src/catalog/extract/record.js';
import { catalogFromDocument, loadBundledDocument, loadCatalog, refreshedCatalogPath } from '../src/catalog/load.js';
import { diffCatalogs, refreshCatalog, refreshKubespray, writeRefreshedCatalog } from '../src/catalog/refresh.js';
import { foldVariables, SET_CATEGORIES, type VariablesDocument } from '../src/catalog/variables-document.js';
import { realVariables } from './fixtures/kubespray/variable-files.js';
import type { CatalogDocument, TagRecord } from '../src/catalog/schema.js';
import { run } from '../src/process/exec.js';
import { UsageError } from '../src/util/errors.js';

// One tag per layout or naming change the catalog records (see catalog.json `milestones`):
// kubeadm checksums (2.10), no facts playbook (2.12), facts.yml + ansible_version.yml (2.13),
// underscore groups + legacy_groups.yml (2.16), requirements.txt symlink (2.20), newer patches
// listed last (2.22.2), annotated tag (2.23.0), boilerplate + runtime groups (2.24), etcd:children +
// group_mappings (2.27), bare Jinja kube_version (2.28), dynamic_groups role (2.31).
const TAGS = ['v2.10.0', 'v2.12.10', 'v2.13.4', 'v2.16.0', 'v2.20.0', 'v2.22.2', 'v2.23.0', 'v2.24.0', 'v2.27.0', 'v2.28.0', 'v2.31.0'];

/** Fields compared as they are; the rest below need the fixture's known simplifications stated. */
const EXACT_FIELDS = REBUILT_FIELDS.filter((field) => !['sha', 'date', 'notes', 'errors', 'upgrade_plays', 'groups', 'kubeadm_upgrade'].includes(field));

let dir: string;
let repo: FixtureRepo;
let refreshed: CatalogDocument;
let variables: VariablesDocument;
const previousCacheDir = process.env.KSPRAY_CACHE_DIR;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kspray-catalog-refresh-'));
  process.env.KSPRAY_CACHE_DIR = join(dir, 'cache');
  repo = await buildKubesprayRepo({ dir: join(dir, 'kubespray'), tags: TAGS });
  ({ catalog: refreshed, variables } = await refreshKubespray({ repo: repo.url }));
});

afterAll(async () => {
  if (previousCacheDir === undefined) delete process.env.KSPRAY_CACHE_DIR;
  else process.env.KSPRAY_CACHE_DIR = previousCacheDir;
  await rm(dir, { recursive: true, force: true });
});

function bundled(tag: string): Record<string, unknown> {
  const record = loadBundledDocument().tags.find((candidate) => candidate.tag === tag);
  if (!record) throw new Error(`not bundled: ${tag}`);
  return record;
}

function rebuilt(tag: string): TagRecord & Record<string, unknown> {
  const record = refreshed.tags.find((candidate) => candidate.tag === tag);
  if (!record) throw new Error(`not refreshed: ${tag}`);
  return record;
}

async function git(cwd: string, args: string[]): Promise<string> {
  const identity = { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@kspray.invalid', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@kspray.invalid' };
  return (await run(['git', ...args], { cwd, env: { GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', ...identity } })).stdout;
}

describe('refreshCatalog over the fixture repository', () => {
  it('finds every release tag, at the fixture commits and dates', async () => {
    expect(refreshed.tags.map((record) => record.tag)).toEqual(TAGS);
    expect(refreshed.meta?.skipped_tags).toEqual([]);
    for (const tag of TAGS) {
      const sha = repo.shas[tag];
      expect(rebuilt(tag).sha, tag).toBe(sha);
      expect(rebuilt(tag).date, tag).toBe((await git(repo.path, ['log', '-1', '--format=%cI', sha!])).trim());
    }
    // The fixture's commits are not Kubespray's: nothing may be carried over from the bundled records.
    expect(rebuilt('v2.13.4').sha).not.toBe(bundled('v2.13.4').sha);
    expect(refreshed.meta?.carried_over_tags).toEqual([]);
    expect(rebuilt('v2.13.4').dns).toBeUndefined();
  });

  it.each(TAGS)('%s: rebuilds the bundled facts from files', (tag) => {
    const want = bundled(tag);
    const got = rebuilt(tag);
    for (const field of EXACT_FIELDS) expect(got[field], `${tag} ${field}`).toEqual(want[field]);
  });

  it.each(TAGS)('%s: rebuilds the upgrade plays and groups', (tag) => {
    const want = bundled(tag) as TagRecord;
    const got = rebuilt(tag);
    // Fixture plays run only kubespray-defaults (role lists are not reproduced), and
    // a compat play gets the fixture's own group_by task, so those two are left out.
    const shape = (plays: TagRecord['upgrade_plays']) =>
      plays.map(({ roles: _roles, group_by: groupBy, ...play }) => (play.compat ? play : { ...play, group_by: groupBy }));
    expect(shape(got.upgrade_plays)).toEqual(shape(want.upgrade_plays));
    const { legacy_compat: gotCompat, ...gotGroups } = got.groups;
    const { legacy_compat: wantCompat, ...wantGroups } = want.groups;
    expect(gotGroups).toEqual(wantGroups);
    if (wantCompat?.files.some((file) => file.startsWith('roles/'))) {
      // v2.29+: the mapping lives in the dynamic_groups role, which the fixture writes into boilerplate.yml.
      expect({ ...gotCompat, files: [] }).toEqual({ ...wantCompat, files: [] });
    } else {
      expect(gotCompat).toEqual(wantCompat);
    }
    const pick = (k: Record<string, unknown> | null | undefined) => k && { file: k.file, apply: k.apply_version_arg, others: k.other_control_planes_use };
    expect(pick(got.kubeadm_upgrade)).toEqual(pick(want.kubeadm_upgrade as Record<string, unknown>));
  });

  it('extracts the variable facts of every tag: the real tag\'s names, which the fixture carries', () => {
    const folded = foldVariables(variables);
    expect([...folded.keys()]).toEqual(TAGS);
    for (const tag of TAGS) {
      const real = realVariables(tag)!;
      const got = folded.get(tag)!;
      // The fixture's own roles and plays add a few names; every real one must be there.
      for (const category of SET_CATEGORIES) expect(real[category].filter((name) => !got[category].includes(name)), `${tag} ${category}`).toEqual([]);
      expect(got.rejected, tag).toEqual(real.rejected);
    }
    expect(variables.tags.map((entry) => entry.sha)).toEqual(TAGS.map((tag) => repo.shas[tag]));
  });

  it('answers the catalog queries like the bundled catalog', () => {
    const catalog = catalogFromDocument(refreshed);
    expect(catalog.supportedVersions('v2.22.2')[0]).toBe('v1.26.13');
    expect(rebuilt('v2.22.2').checksum_file_order_newest_first).toBe(false);
    expect(catalog.kubeVersionForm('v2.27.0')).toBe('v-prefixed');
    expect(catalog.kubeVersionForm('v2.28.0')).toBe('bare');
    expect(rebuilt('v2.28.0').kube_version_resolution).toBe("resolved from kubelet_checksums['amd64'] key index 0");
    expect(catalog.dialect('v2.13.4')).toBe('dash');
    expect(catalog.dialect('v2.16.0')).toBe('underscore');
    expect(catalog.factsPlaybook('v2.12.10')).toBeUndefined();
    expect(catalog.factsPlaybook('v2.13.4')).toBe('facts.yml');
    expect(catalog.ansiblePins('v2.20.0')).toEqual(['ansible==5.7.1', 'ansible-core==2.12.5']);
    expect(rebuilt('v2.23.0').annotated_tag).toBe(true);
  });

  it('writes the cache catalog atomically, and loadCatalog() then prefers it', async () => {
    const path = await writeRefreshedCatalog(refreshed);

    expect(path).toBe(join(dir, 'cache', 'catalog.json'));
    expect((await readdir(join(dir, 'cache'))).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    const catalog = loadCatalog();
    expect(catalog.source).toEqual({ kind: 'refreshed', sha256: expect.stringMatching(/^sha256:/), path: refreshedCatalogPath() });
    expect(catalog.tagNames()).toEqual(TAGS);
    expect(catalog.sha('v2.13.4')).toBe(repo.shas['v2.13.4']);
    expect(catalog.newestTag()).toBe('v2.31.0');
  });

  it('reads a local clone in place, without mirroring it', async () => {
    const mirrors = join(dir, 'cache', 'catalog-mirrors');
    const before = await readdir(mirrors);
    const local = await refreshCatalog({ repo: repo.path, minLine: '2.28' });
    expect(local.tags.map((record) => [record.tag, record.sha])).toEqual(['v2.28.0', 'v2.31.0'].map((tag) => [tag, repo.shas[tag]]));
    expect(local.meta?.repository_path).toBe(repo.path);
    expect(await readdir(mirrors)).toEqual(before);
  });

  it('refuses a directory that is not a git repository', async () => {
    const plain = join(dir, 'not-a-repo');
    await run(['mkdir', '-p', plain]);
    await expect(refreshCatalog({ repo: plain })).rejects.toThrow(UsageError);
  });
});

describe('kspray catalog refresh (CLI)', () => {
  it('fetches a moved tag into the mirror, reports it, and lists the refreshed catalog', async () => {
    // A small repo of its own: this test re-tags, and the CLI refreshes twice.
    const small = await buildKubesprayRepo({ dir: join(dir, 'kubespray-small'), tags: ['v2.30.0', 'v2.31.0'] });
    const env = { KSPRAY_CACHE_DIR: join(dir, 'cli-cache') };
    const first = await runCli(['catalog', 'refresh', '--repo', small.url], { env });
    expect(first.stderr).toContain(`catalog refreshed from ${small.url}: 2 tags (v2.30.0 … v2.31.0)`);
    expect(first.stderr).toContain('unchanged: 0');
    expect(first.exitCode).toBe(0);

    // Re-tag v2.31.0 onto a new commit: the next refresh must fetch it (the mirror is reused) and say so.
    await git(small.path, ['commit', '--quiet', '--allow-empty', '-m', 'retag']);
    await git(small.path, ['tag', '--force', 'v2.31.0']);
    const moved = (await git(small.path, ['rev-parse', 'v2.31.0^{commit}'])).trim();
    const second = await runCli(['catalog', 'refresh', '--repo', small.url], { env });
    expect(second.exitCode).toBe(0);
    expect(second.stderr).toContain('moved to another commit: v2.31.0');
    expect(second.stderr).toContain('unchanged: 1');

    const list = await runCli(['catalog', 'list', '--json'], { env });
    expect(list.exitCode).toBe(0);
    const listed = JSON.parse(list.stdout) as { source: { kind: string }; lines: Array<{ line: string; latestTag: string; sha: string }> };
    expect(listed.source.kind).toBe('refreshed');
    expect(listed.lines.map((line) => [line.line, line.latestTag])).toEqual([['2.30', 'v2.30.0'], ['2.31', 'v2.31.0']]);
    expect(listed.lines[1]?.sha).toBe(moved);
  });
});

describe('diffCatalogs', () => {
  it('tells new, moved, changed and removed tags apart', () => {
    const base = loadBundledDocument().tags.filter((r) => ['v2.13.3', 'v2.13.4', 'v2.14.0'].includes(r.tag));
    const after = [
      { ...base[0]!, sha: 'f'.repeat(40) },
      { ...base[1]!, kube_version: 'v1.17.13' },
      bundled('v2.14.1') as TagRecord,
    ];
    expect(diffCatalogs(base, after)).toEqual({ added: ['v2.14.1'], removed: ['v2.14.0'], moved: ['v2.13.3'], changed: ['v2.13.4'], unchanged: [] });
  });
});
