import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../process/exec.js';
import { grepAt, isAnnotated, kubesprayGit, listReleaseTags, listTagInfo, listTree, peeledSha, showFile } from './git.js';

let dir: string;
const shas: Record<string, string> = {};

async function git(...args: string[]): Promise<string> {
  const env = {
    GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@kspray.invalid', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@kspray.invalid',
    GIT_COMMITTER_DATE: '2020-05-01T07:30:29-07:00', GIT_AUTHOR_DATE: '2020-05-01T07:30:29-07:00',
  };
  return (await run(['git', ...args], { cwd: dir, env })).stdout.trim();
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kspray-git-'));
  await git('init', '--quiet', '--initial-branch=master');
  await mkdir(join(dir, 'roles', 'x'), { recursive: true });
  await writeFile(join(dir, 'roles', 'x', 'main.yml'), 'kube_version: v1.17.5\n');
  await writeFile(join(dir, 'requirements-2.9.txt'), 'ansible==2.9.6\n');
  await symlink('requirements-2.9.txt', join(dir, 'requirements.txt'));
  await git('add', '--all');
  await git('commit', '--quiet', '-m', 'one');
  await git('tag', 'v2.13.0');
  await git('tag', '--annotate', '-m', 'annotated', 'v2.9.1');
  await git('tag', '1.3.0_k1.1.3');
  await git('tag', 'v2.13.0-rc1');
  await writeFile(join(dir, 'roles', 'x', 'main.yml'), 'kube_version: v1.17.7\n');
  await git('commit', '--quiet', '--all', '-m', 'two');
  await git('tag', 'v2.13.10');
  for (const tag of ['v2.13.0', 'v2.13.10', 'v2.9.1']) shas[tag] = await git('rev-parse', `${tag}^{commit}`);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('kubespray git helpers', () => {
  it('lists release tags only, in semver order', async () => {
    expect(await listReleaseTags(kubesprayGit(dir))).toEqual(['v2.9.1', 'v2.13.0', 'v2.13.10']);
  });

  it('reads files at a tag without checking out, undefined when absent', async () => {
    const repo = kubesprayGit(dir);
    expect(await showFile(repo, 'v2.13.0', 'roles/x/main.yml')).toBe('kube_version: v1.17.5\n');
    expect(await showFile(repo, 'v2.13.10', 'roles/x/main.yml')).toBe('kube_version: v1.17.7\n');
    expect(await showFile(repo, 'v2.13.0', 'no/such/file.yml')).toBeUndefined();
    expect(await showFile(repo, 'v9.9.9', 'roles/x/main.yml')).toBeUndefined();
    // A symlink's blob is its target.
    expect(await showFile(repo, 'v2.13.0', 'requirements.txt')).toBe('requirements-2.9.txt');
  });

  it('peels tags and tells annotated from lightweight ones', async () => {
    const repo = kubesprayGit(dir);
    expect(await peeledSha(repo, 'v2.9.1')).toBe(shas['v2.9.1']);
    expect(await isAnnotated(repo, 'v2.9.1')).toBe(true);
    expect(await isAnnotated(repo, 'v2.13.0')).toBe(false);
    const infos = await listTagInfo(repo);
    expect(infos.find((info) => info.tag === 'v2.9.1')).toMatchObject({ sha: shas['v2.9.1'], annotated: true, commitDate: '2020-05-01T07:30:29-07:00' });
    expect(infos.find((info) => info.tag === 'v2.13.10')).toMatchObject({ sha: shas['v2.13.10'], annotated: false, taggerDate: undefined });
  });

  it('lists a tree with modes and greps at a tag', async () => {
    const repo = kubesprayGit(dir);
    const tree = await listTree(repo, 'v2.13.0');
    expect(tree.find((entry) => entry.path === 'requirements.txt')?.mode).toBe('120000');
    expect(await grepAt(repo, 'v2.13.10', '^kube_version: v1\\.17\\.7', ['roles'])).toEqual(['roles/x/main.yml']);
    expect(await grepAt(repo, 'v2.13.0', '^kube_version: v1\\.17\\.7', ['roles'])).toEqual([]);
  });
});
