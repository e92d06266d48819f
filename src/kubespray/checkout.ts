/**
 * Kubespray checkouts per tag from one shared mirror:
 *
 *   <cacheDir>/kubespray/mirror.git          bare `git clone --mirror`, fetched as needed
 *   <cacheDir>/kubespray/worktrees/<tag>     `git worktree add --detach … <sha>`
 *
 * One mirror means one download of Kubespray's history for every tag and
 * every cluster; a worktree per tag means hops never check out over each
 * other. The commit comes from the catalog or the lock file, and the tag must
 * still peel to it: a tag that moved upstream is refused, never followed
 * (the worktree is checked out at the pinned sha, not at the tag).
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { SimpleGit } from 'simple-git';
import { KsprayError, ExitCode, UsageError } from '../util/errors.js';
import { kubesprayGit, peeledSha } from './git.js';
import { acquireMirrorLock } from './workspace-lock.js';

export interface CheckoutRequest {
  /** Kubespray's repository: URL, file:// URL or a path (absolute, or relative to the current directory). */
  repo: string;
  cacheDir: string;
  tag: string;
  /** The commit the tag must peel to (catalog or lock file). */
  sha: string;
  /** How long to wait for another kspray holding the mirror. */
  lockTimeoutMs?: number;
}

export interface KubesprayCheckout {
  dir: string;
  sha: string;
  mirror: string;
  /** `reused`: the worktree was already at the sha and clean; nothing was fetched. */
  action: 'reused' | 'created';
}

export interface KubesprayCachePaths {
  root: string;
  mirror: string;
  lock: string;
  worktree: string;
}

export function kubesprayCachePaths(cacheDir: string, tag: string): KubesprayCachePaths {
  const root = join(cacheDir, 'kubespray');
  return { root, mirror: join(root, 'mirror.git'), lock: join(root, 'mirror.lock'), worktree: join(root, 'worktrees', tag) };
}

/** A URL (scheme:// or scp-like user@host:path) as given; a path made absolute, as git records it in the mirror's config. */
export function normalizeRepo(repo: string, baseDir: string = process.cwd()): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(repo) || /^[^/:]+@[^/:]+:/.test(repo)) return repo;
  return isAbsolute(repo) ? resolve(repo) : resolve(baseDir, repo);
}

export async function ensureKubesprayCheckout(request: CheckoutRequest): Promise<KubesprayCheckout> {
  const { tag } = request;
  const sha = request.sha.toLowerCase();
  checkInputs(tag, sha);
  const repo = normalizeRepo(request.repo);
  const paths = kubesprayCachePaths(request.cacheDir, tag);
  // Fast path, no lock and no network: the worktree is at the pinned sha and
  // clean, and the mirror still has the tag there (a fetch for another tag may
  // have brought a move in since).
  if ((await worktreeState(paths.worktree, sha)) === 'ready' && existsSync(paths.mirror)) {
    await verifyTag(kubesprayGit(paths.mirror), repo, tag, sha);
    return { dir: paths.worktree, sha, mirror: paths.mirror, action: 'reused' };
  }
  const lock = await acquireMirrorLock(paths.lock, request.lockTimeoutMs === undefined ? {} : { timeoutMs: request.lockTimeoutMs });
  try {
    const git = await ensureMirror(paths, repo);
    await fetchMirror(git, repo);
    await verifyTag(git, repo, tag, sha);
    // Another process may have made it while we waited for the lock.
    const state = await worktreeState(paths.worktree, sha);
    if (state === 'ready') return { dir: paths.worktree, sha, mirror: paths.mirror, action: 'reused' };
    await addWorktree(git, paths.worktree, sha);
    if ((await worktreeState(paths.worktree, sha)) !== 'ready') {
      throw new KsprayError(`the new Kubespray worktree ${paths.worktree} is not at ${sha} or not clean`, { exitCode: ExitCode.failed });
    }
    return { dir: paths.worktree, sha, mirror: paths.mirror, action: 'created' };
  } finally {
    await lock.release();
  }
}

function checkInputs(tag: string, sha: string): void {
  // The tag names a directory under the cache: no separators, no dot-only names.
  if (!/^[A-Za-z0-9][A-Za-z0-9._+-]*$/.test(tag)) throw new UsageError(`not a usable Kubespray tag name: ${JSON.stringify(tag)}`);
  if (!/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(sha)) {
    throw new UsageError(`the commit pinned for Kubespray ${tag} is not a full git sha: ${JSON.stringify(sha)}`, 'Pins are full 40-character shas (catalog or lock file).');
  }
}

type WorktreeState = 'missing' | 'ready' | 'wrong-sha' | 'dirty' | 'broken';

/** Whether the directory is a worktree at `sha` with no changed, deleted or untracked files. */
export async function worktreeState(dir: string, sha: string): Promise<WorktreeState> {
  if (!existsSync(dir)) return 'missing';
  if (!existsSync(join(dir, '.git'))) return 'broken';
  const git = kubesprayGit(dir);
  try {
    const head = (await git.raw(['rev-parse', '--verify', 'HEAD'])).trim();
    if (head !== sha) return 'wrong-sha';
    // A crash during `worktree add` leaves files missing: they show as deleted here.
    const status = await git.raw(['status', '--porcelain', '--untracked-files=normal', '--ignore-submodules=none']);
    return status.trim() === '' ? 'ready' : 'dirty';
  } catch {
    return 'broken';
  }
}

/** The mirror, cloned the first time (into a temp dir, renamed when complete) and pointed at `repo`. */
async function ensureMirror(paths: KubesprayCachePaths, repo: string): Promise<SimpleGit> {
  await mkdir(paths.root, { recursive: true });
  if (existsSync(paths.mirror) && !(await isBareRepo(paths.mirror))) {
    // Not a repository we can use (a crash mid-clone predates the temp-dir scheme, or someone's edit): start over.
    await rm(paths.mirror, { recursive: true, force: true });
  }
  if (!existsSync(paths.mirror)) {
    const staging = `${paths.mirror}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await kubesprayGit(paths.root).clone(repo, staging, ['--mirror', '--quiet']);
      await rename(staging, paths.mirror);
    } catch (error) {
      throw gitFailure(`could not clone Kubespray from ${repo}`, error);
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }
  const git = kubesprayGit(paths.mirror);
  const current = (await git.raw(['config', '--get', 'remote.origin.url'])).trim();
  if (current !== repo) await git.raw(['remote', 'set-url', 'origin', repo]);
  return git;
}

async function isBareRepo(dir: string): Promise<boolean> {
  try {
    return (await kubesprayGit(dir).raw(['rev-parse', '--is-bare-repository'])).trim() === 'true';
  } catch {
    return false;
  }
}

/**
 * The mirror's refspec (+refs/*:refs/*) makes a fetch follow upstream exactly,
 * moved tags included: verifyTag compares afterwards and refuses a move, so
 * from then on every use of that tag is refused until it is re-pinned.
 */
async function fetchMirror(git: SimpleGit, repo: string): Promise<void> {
  try {
    await git.raw(['fetch', '--tags', '--prune', '--quiet', 'origin']);
  } catch (error) {
    throw gitFailure(`could not fetch Kubespray from ${repo}`, error);
  }
}

async function verifyTag(git: SimpleGit, repo: string, tag: string, sha: string): Promise<void> {
  const actual = await peeledSha(git, tag);
  if (actual === '') {
    throw new UsageError(
      `Kubespray tag ${tag} does not exist in ${repo}`,
      'Check the repository (cluster file kubespray.repo) or the tag; a mirror without release tags cannot be used.',
    );
  }
  if (actual !== sha) {
    throw new UsageError(
      `Kubespray tag ${tag} in ${repo} points to commit ${actual}, but kspray expects ${sha} (from the catalog or the lock file)`,
      `The tag moved upstream, or the pin is wrong. kspray does not follow a moved tag: review what changed (git log ${sha.slice(0, 12)}..${actual.slice(0, 12)}), ` +
        'then refresh the catalog (`kspray catalog refresh --repo …`) or re-pin the lock file deliberately.',
    );
  }
}

/** A fresh worktree at `sha`, replacing whatever is at `dir` (a wrong sha, local edits, a half-made tree). */
async function addWorktree(git: SimpleGit, dir: string, sha: string): Promise<void> {
  if (existsSync(dir)) {
    try {
      await git.raw(['worktree', 'remove', '--force', '--force', dir]);
    } catch {
      // Not registered (or registered elsewhere): plain removal, then prune below.
    }
    await rm(dir, { recursive: true, force: true });
  }
  // Forget worktrees whose directories are gone, so the path can be registered again.
  await git.raw(['worktree', 'prune']);
  await mkdir(dirname(dir), { recursive: true });
  try {
    await git.raw(['worktree', 'add', '--detach', '--quiet', dir, sha]);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    await git.raw(['worktree', 'prune']).catch(() => undefined);
    throw gitFailure(`could not check out Kubespray ${sha} into ${dir}`, error);
  }
}

function gitFailure(what: string, error: unknown): KsprayError {
  const detail = error instanceof Error ? error.message.trim().split('\n').slice(-5).join('\n') : String(error);
  return new KsprayError(`${what}: ${detail}`, {
    exitCode: ExitCode.failed,
    hint: 'Check the repository URL or path and your network (git runs non-interactively: ssh keys must be in an agent).',
    cause: error,
  });
}
