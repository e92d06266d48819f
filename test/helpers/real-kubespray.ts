/**
 * The real Kubespray, from the git bundle of its 60 release tags beside the
 * checkout (../shared/kubespray/, or KSPRAY_KUBESPRAY_BUNDLE): cloned bare
 * once, and each tag's tree (what ansible-playbook reads: roles, playbooks,
 * the sample inventory, plugins and the root files) extracted once, under a
 * cache keyed by the bundle's size and mtime (KSPRAY_REAL_KUBESPRAY_CACHE,
 * default <tmp>/kspray-real-kubespray). A run, or a CI job that keeps the
 * cache, clones and extracts once; concurrent test files share it (every
 * entry appears by an atomic rename).
 */
import { existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { run } from '../../src/process/exec.js';
import { repoRoot } from './cli.js';

const BUNDLE_NAME = 'kubespray-v2.10.0-v2.31.0.bundle';
/** What ansible-playbook reads of a tag (the rest — docs, contrib, tests — is left out). */
const TREE_DIRS = new Set(['roles', 'playbooks', 'inventory', 'library', 'plugins', 'extra_playbooks']);
const TREE_FILE = /\.(ya?ml|cfg|txt)$/;

export function bundlePath(): string {
  return resolve(process.env.KSPRAY_KUBESPRAY_BUNDLE ?? join(repoRoot, '..', 'shared', 'kubespray', BUNDLE_NAME));
}

/** Fails (never skips) when the bundle is missing: these tests are the proof against the real tags. */
export function requireBundle(): string {
  const path = bundlePath();
  if (!existsSync(path)) {
    throw new Error(`the real Kubespray bundle is missing at ${path}: put it there (CI has it beside the checkout) or set KSPRAY_KUBESPRAY_BUNDLE`);
  }
  return path;
}

function cacheRoot(): string {
  const bundle = requireBundle();
  const stat = statSync(bundle);
  return join(process.env.KSPRAY_REAL_KUBESPRAY_CACHE ?? join(tmpdir(), 'kspray-real-kubespray'), `${stat.size}-${Math.floor(stat.mtimeMs)}`);
}

async function git(args: readonly string[], cwd?: string): Promise<string> {
  return (await run(['git', ...args], { ...(cwd ? { cwd } : {}), env: { GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' }, timeoutMs: 600_000 })).stdout;
}

/** Creates `target` by building it in a temp dir beside it and renaming; a concurrent builder's result is kept. */
async function once(target: string, build: (dir: string) => Promise<void>): Promise<string> {
  if (existsSync(target)) return target;
  await mkdir(join(target, '..'), { recursive: true });
  const staging = await mkdtemp(`${target}.partial-`);
  try {
    await build(staging);
    await rename(staging, target).catch((error: NodeJS.ErrnoException) => {
      if (!existsSync(target)) throw error;
    });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return target;
}

/** The bare clone of the bundle. */
export async function realRepo(): Promise<string> {
  const bundle = requireBundle();
  return once(join(cacheRoot(), 'kubespray.git'), async (dir) => {
    await rm(dir, { recursive: true, force: true });
    await git(['clone', '--quiet', '--bare', bundle, dir]);
  });
}

/** The tag's tree on disk (extracted once). */
export async function realTree(tag: string): Promise<string> {
  const gitDir = await realRepo();
  return once(join(cacheRoot(), 'trees', tag), async (dir) => {
    const top = (await git(['--git-dir', gitDir, 'ls-tree', '--name-only', tag])).split('\n').filter(Boolean);
    const wanted = top.filter((entry) => TREE_DIRS.has(entry) || TREE_FILE.test(entry));
    const archive = join(dir, '..', `${tag}-${process.pid}-${Date.now()}.tar`);
    try {
      await git(['--git-dir', gitDir, 'archive', '--format=tar', '-o', archive, tag, '--', ...wanted]);
      await run(['tar', '-x', '-f', archive, '-C', dir], { timeoutMs: 120_000 });
    } finally {
      await rm(archive, { force: true });
    }
  });
}

/** The commit a tag points to in the bundle. */
export async function realSha(tag: string): Promise<string> {
  return (await git(['--git-dir', await realRepo(), 'rev-parse', `${tag}^{commit}`])).trim();
}
