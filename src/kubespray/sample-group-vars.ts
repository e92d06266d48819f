/**
 * A tag's inventory/sample/group_vars as a directory: given (--sample), the
 * sample beside the operator's inventory in their Kubespray checkout, or
 * written out of a tag of a Kubespray git repository (git objects, nothing
 * checked out) into a temp dir the caller cleans up.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from '../util/errors.js';

export interface SampleSource {
  /** --sample DIR: a sample group_vars directory. */
  dir?: string | undefined;
  /** --tag with --kubespray: the tag's sample from a repository (path, URL or bundle). */
  tag?: string | undefined;
  repo?: string | undefined;
  /** The operator's group_vars: in a Kubespray checkout, the sample sits at ../../sample/group_vars. */
  besides: string;
}

export interface SampleDir {
  dir: string;
  from: string;
  cleanup(): Promise<void>;
}

const keep = async (): Promise<void> => undefined;

export async function sampleGroupVarsDir(source: SampleSource): Promise<SampleDir> {
  if (source.dir !== undefined) return { dir: source.dir, from: source.dir, cleanup: keep };
  if (source.tag !== undefined) {
    if (source.repo === undefined) throw new UsageError('--tag needs --kubespray REPO to read that tag\'s sample group_vars from', 'pass --kubespray with a Kubespray clone, URL or bundle, or --sample DIR');
    return fromRepository(source.repo, source.tag);
  }
  const checkout = resolve(source.besides, '..', '..', 'sample', 'group_vars');
  if (existsSync(checkout)) return { dir: checkout, from: checkout, cleanup: keep };
  throw new UsageError(
    `no sample group_vars to compare ${source.besides} with (looked for ${checkout})`,
    'pass --sample DIR (the inventory/sample/group_vars of the tag the cluster runs), or --tag vX.Y.Z --kubespray REPO',
  );
}

async function fromRepository(repo: string, tag: string): Promise<SampleDir> {
  const { openRepository } = await import('../catalog/refresh.js');
  const { gitTagFiles } = await import('../catalog/git-tag-files.js');
  const { git } = await openRepository(repo);
  if ((await git.raw(['tag', '--list', tag])).trim() !== tag) throw new UsageError(`${repo} has no tag ${tag}`, 'pass the tag the cluster runs now (kubespray.tag)');
  const files = await gitTagFiles(git, tag);
  const prefix = 'inventory/sample/group_vars/';
  const dir = await mkdtemp(join(tmpdir(), 'kspray-sample-'));
  try {
    for (const path of files.paths().filter((p) => p.startsWith(prefix))) {
      const target = join(dir, path.slice(prefix.length));
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, (await files.read(path)) ?? '');
    }
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return { dir, from: `${repo} at ${tag}`, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
