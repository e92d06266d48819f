/**
 * `kspray catalog refresh`: rebuild the catalog from a Kubespray git
 * repository (a URL, mirrored into the cache, or a local clone used as is).
 * Every release tag of line >= the bundled min line is read from git objects
 * (ls-tree / cat-file / grep at the tag; nothing is checked out), and its
 * record rebuilt by src/catalog/extract. Fields that files alone cannot give
 * are carried over from the bundled record of the same tag AND commit only.
 */
import { createHash } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { SimpleGit } from 'simple-git';
import { writeFileAtomic } from '../util/atomic-write.js';
import { UsageError } from '../util/errors.js';
import { cacheDir } from '../util/paths.js';
import { registerSecret } from '../util/redact.js';
import { kubesprayGit, listAllTags, listTagInfo } from '../kubespray/git.js';
import { extractTagRecord } from './extract/record.js';
import { extractVariables, type FileNamesCache } from './extract/variables.js';
import { type BlobCache, gitTagFiles } from './git-tag-files.js';
import { loadBundledDocument, refreshedCatalogPath } from './load.js';
import { refreshedVariablesPath } from './snapshot.js';
import { type CatalogDocument, type TagRecord, tagRecord } from './schema.js';
import { buildVariablesDocument, type ExtractedTag, type VariablesDocument } from './variables-document.js';
import { compareLines, compareTags, isReleaseTag, lineOfTag } from './versions.js';

export interface RefreshOptions {
  /** A git URL (mirrored under the cache) or the path of a local clone (read in place). */
  repo: string;
  /** Oldest Kubespray line to include; default: the bundled catalog's min line (2.10). */
  minLine?: string;
  /** Called as each tag is done, for progress output. */
  onTag?: (tag: string, done: number, total: number) => void;
}

/** Fields kept from the bundled record when tag and commit are unchanged. */
const OBJECT_FIELDS_MERGED = ['groups', 'ansible', 'kubeadm_upgrade'];
const PARALLEL_TAGS = 4;

export interface RefreshResult {
  catalog: CatalogDocument;
  /** What each tag reads (src/catalog/extract/variables.ts), for the tags whose files could be read. */
  variables: VariablesDocument;
}

export async function refreshCatalog(options: RefreshOptions): Promise<CatalogDocument> {
  return (await refreshKubespray(options)).catalog;
}

/** The catalog and the variable facts of every release tag, from one read of each tag's files. */
export async function refreshKubespray(options: RefreshOptions): Promise<RefreshResult> {
  // A token in the URL is a secret: masked in anything printed, dropped from what is stored.
  registerUrlSecret(options.repo);
  const bundled = loadBundledDocument();
  const minLine = options.minLine ?? String(bundled.meta?.min_line ?? '2.10');
  const { git, where } = await openRepository(options.repo);

  const allTags = await listAllTags(git);
  const infos = (await listTagInfo(git))
    .filter((info) => isReleaseTag(info.tag) && compareLines(lineOfTag(info.tag) ?? '0.0', minLine) >= 0)
    .sort((a, b) => compareTags(a.tag, b.tag));
  if (infos.length === 0) {
    throw new UsageError(`no Kubespray release tags (vX.Y.Z, line >= ${minLine}) in ${displayRepo(options.repo)}`, 'point --repo at a Kubespray clone or URL with its tags');
  }
  const bundledByTag = new Map(bundled.tags.map((record) => [record.tag, record]));
  const blobs: BlobCache = new Map();
  const fileNames: FileNamesCache = new Map();
  const records: TagRecord[] = [];
  const variables: ExtractedTag[] = [];
  const skipped: Array<{ tag: string; reason: string }> = [];
  let done = 0;

  const work = async (info: (typeof infos)[number]): Promise<void> => {
    const previous = bundledByTag.get(info.tag);
    const sameCommit = previous !== undefined && previous.sha === info.sha ? previous : undefined;
    try {
      const files = await gitTagFiles(git, info.tag, blobs);
      // Variable facts come from the files alone: nothing of them is carried over.
      variables.push({ tag: info.tag, sha: info.sha, variables: await extractVariables(files, fileNames) });
      const rebuilt = await extractTagRecord(files, {
        tag: info.tag, sha: info.sha, date: info.commitDate, annotated: info.annotated, taggerDate: info.taggerDate,
      });
      records.push(validated(sameCommit ? carryOver(sameCommit, rebuilt) : rebuilt));
    } catch (error) {
      const reason = error instanceof Error ? error.message.split('\n')[0] ?? String(error) : String(error);
      if (sameCommit) records.push({ ...sameCommit, notes: [...((sameCommit.notes as string[] | undefined) ?? []), `refresh could not re-read this tag (${reason}); bundled record kept`] });
      else skipped.push({ tag: info.tag, reason });
    } finally {
      done += 1;
      options.onTag?.(info.tag, done, infos.length);
    }
  };
  for (let start = 0; start < infos.length; start += PARALLEL_TAGS) {
    await Promise.all(infos.slice(start, start + PARALLEL_TAGS).map(work));
  }
  if (records.length === 0) {
    throw new UsageError(`no tag of ${displayRepo(options.repo)} could be read: ${skipped[0]?.tag}: ${skipped[0]?.reason}`);
  }
  records.sort((a, b) => compareTags(a.tag, b.tag));
  const recorded = new Set(records.map((record) => record.tag));
  const readable = variables.filter((entry) => recorded.has(entry.tag));

  const catalog: CatalogDocument = {
    meta: {
      generated_at: new Date().toISOString(),
      extractor: 'kspray catalog refresh',
      extractor_version: 1,
      source_repo: displayRepo(options.repo),
      repository_path: where,
      mirror_head: (await git.raw(['rev-parse', '--verify', '--quiet', 'HEAD']).catch(() => '')).trim() || null,
      tags_included: records.length,
      skipped_non_release_tags: allTags.filter((tag) => !isReleaseTag(tag)),
      skipped_tags: skipped,
      min_line: minLine,
      carried_over_tags: records.filter((r) => Array.isArray(r.carried_over)).map((r) => r.tag),
    },
    ...(bundled.schema ? { schema: bundled.schema } : {}),
    tags: records,
  };
  const variablesMeta = {
    generated_at: catalog.meta?.generated_at, extractor: 'kspray catalog refresh', extractor_version: 1,
    source_repo: displayRepo(options.repo), tags_included: readable.length,
  };
  return { catalog, variables: buildVariablesDocument(readable, variablesMeta) };
}

function validated(record: Record<string, unknown>): TagRecord {
  const result = tagRecord.safeParse(record);
  if (result.success) return result.data;
  const problems = result.error.issues.slice(0, 3).map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  throw new Error(`incomplete record: ${problems.join('; ')}`);
}

/** Writes the refreshed catalog where loadCatalog() looks first; returns the path. */
export async function writeRefreshedCatalog(document: CatalogDocument): Promise<string> {
  const path = refreshedCatalogPath();
  await writeFileAtomic(path, `${JSON.stringify(document, null, 1)}\n`);
  return path;
}

/** Writes the refreshed variable facts beside the refreshed catalog (src/vars/facts.ts reads them first); returns the path. */
export async function writeRefreshedVariables(document: VariablesDocument, path = refreshedVariablesPath()): Promise<string> {
  await writeFileAtomic(path, serializeVariables(document));
  return path;
}

/** One tag entry per line: small diffs when a tag is added or re-read. */
export function serializeVariables(document: VariablesDocument): string {
  const tags = document.tags.map((entry) => `  ${JSON.stringify(entry)}`).join(',\n');
  return `{\n "meta": ${JSON.stringify(document.meta)},\n "tags": [\n${tags}\n ]\n}\n`;
}

/** The bundled record overlaid with what was rebuilt; object fields merged one level deep. */
export function carryOver(bundled: TagRecord, rebuilt: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...bundled, ...rebuilt };
  for (const field of OBJECT_FIELDS_MERGED) {
    const old = (bundled as Record<string, unknown>)[field];
    const now = rebuilt[field];
    if (isObject(old) && isObject(now)) merged[field] = { ...old, ...now };
  }
  const carried = Object.keys(bundled).filter((key) => !(key in rebuilt));
  if (carried.length > 0) merged.carried_over = carried;
  return merged;
}

export interface CatalogChanges {
  added: string[];
  removed: string[];
  /** Tags whose commit moved (a re-tag): their bundled facts no longer apply. */
  moved: string[];
  /** Same commit, but a fact kspray uses differs from the current catalog. */
  changed: string[];
  unchanged: string[];
}

/** What a refresh changes relative to the catalog in use. */
export function diffCatalogs(before: readonly TagRecord[], after: readonly TagRecord[]): CatalogChanges {
  const old = new Map(before.map((r) => [r.tag, r]));
  const now = new Map(after.map((r) => [r.tag, r]));
  const changes: CatalogChanges = { added: [], removed: [], moved: [], changed: [], unchanged: [] };
  for (const [tag, record] of now) {
    const prior = old.get(tag);
    if (!prior) changes.added.push(tag);
    else if (prior.sha !== record.sha) changes.moved.push(tag);
    else if (factsDiffer(prior, record)) changes.changed.push(tag);
    else changes.unchanged.push(tag);
  }
  for (const tag of old.keys()) if (!now.has(tag)) changes.removed.push(tag);
  for (const list of Object.values(changes)) list.sort(compareTags);
  return changes;
}

function factsDiffer(a: TagRecord, b: TagRecord): boolean {
  const keys = ['kube_version', 'kube_version_min_required', 'supported_kube_versions', 'upgrade_playbook', 'upgrade_plays', 'groups', 'sample_inventory', 'ansible'] as const;
  return keys.some((key) => JSON.stringify(pick(a[key])) !== JSON.stringify(pick(b[key])));
}

function pick(value: unknown): unknown {
  if (!isObject(value)) return value;
  return Object.fromEntries(Object.keys(value).sort().map((key) => [key, pick(value[key])]));
}

/** A Kubespray repository to read tags from: a local clone in place, a URL or bundle mirrored into the cache. */
export async function openRepository(repo: string): Promise<{ git: SimpleGit; where: string }> {
  // A git bundle file (Kubespray's tags, as CI keeps them offline) is cloned like a URL.
  const isUrl = /^[a-z][a-z0-9+.-]*:\/\//i.test(repo) || /^[^/]+@[^:/]+:/.test(repo) || (repo.endsWith('.bundle') && await isFile(repo));
  if (!isUrl) {
    const local = resolve(repo);
    if (!(await isDirectory(local))) throw new UsageError(`no such directory: ${repo}`, 'pass a Kubespray clone or a git URL to --repo');
    const git = kubesprayGit(local);
    const inside = await git.raw(['rev-parse', '--git-dir']).catch(() => undefined);
    if (inside === undefined) throw new UsageError(`${repo} is not a git repository`, 'pass a Kubespray clone or a git URL to --repo');
    return { git, where: local };
  }
  // A URL: keep a bare mirror in the cache, so a later refresh only fetches what is new.
  const mirror = join(cacheDir(), 'catalog-mirrors', `${createHash('sha256').update(repo).digest('hex').slice(0, 16)}.git`);
  if (await isDirectory(mirror)) {
    const git = kubesprayGit(mirror);
    await git.raw(['fetch', '--prune', '--prune-tags', '--force', 'origin']).catch((error: unknown) => {
      throw new UsageError(`cannot fetch ${displayRepo(repo)}: ${gitFailure(error)}`, 'check the URL, your network and your ssh key (git never prompts here)');
    });
    return { git, where: mirror };
  }
  const staging = `${mirror}.partial-${process.pid}`;
  try {
    await mkdir(dirname(mirror), { recursive: true });
    await rm(staging, { recursive: true, force: true });
    await kubesprayGit().raw(['clone', '--mirror', '--quiet', '--', repo, staging]);
    await rename(staging, mirror);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw new UsageError(`cannot clone ${displayRepo(repo)}: ${gitFailure(error)}`, 'check the URL, your network and your ssh key (git never prompts here)');
  }
  return { git: kubesprayGit(mirror), where: mirror };
}

/** git's own reason (its `fatal:` lines), without the rest of its output. */
function gitFailure(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const fatal = text.split('\n').map((line) => line.trim()).filter((line) => /^(fatal|error):/.test(line));
  return displayRepo((fatal.length > 0 ? fatal.join(' ') : text.trim().split('\n')[0] ?? text).replace(/\s+/g, ' '));
}

function registerUrlSecret(repo: string): void {
  const userinfo = /^[a-z][a-z0-9+.-]*:\/\/([^/@]*)@/i.exec(repo)?.[1];
  if (!userinfo) return;
  const secret = userinfo.includes(':') ? userinfo.slice(userinfo.indexOf(':') + 1) : userinfo;
  registerSecret(secret);
  try {
    registerSecret(decodeURIComponent(secret));
  } catch {
    // not percent-encoded: the raw form is registered already
  }
}

/** A repository location fit to print and store: credentials in a URL are dropped. */
export function displayRepo(repo: string): string {
  return repo.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s'"]*@/gi, '$1');
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
