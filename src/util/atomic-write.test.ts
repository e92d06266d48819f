import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomic, writeFilesAtomic } from './atomic-write.js';

async function tree(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) out.push(join(entry.parentPath, entry.name).slice(dir.length + 1) + (entry.isDirectory() ? '/' : ''));
  return out.sort();
}

describe('writeFilesAtomic', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kspray-atomic-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes every file, each with its mode, replacing what was there', async () => {
    await mkdir(join(dir, 'a'));
    await writeFile(join(dir, 'a', 'one'), 'old');
    await writeFilesAtomic([{ path: join(dir, 'a', 'one'), data: 'new' }, { path: join(dir, 'b', 'two'), data: 'secret', mode: 0o600 }]);
    expect(await readFile(join(dir, 'a', 'one'), 'utf8')).toBe('new');
    expect((await stat(join(dir, 'b', 'two'))).mode & 0o777).toBe(0o600);
    expect(await tree(dir)).toEqual(['a/', 'a/one', 'b/', 'b/two']);
  });

  it('writes none when a later target is a directory: earlier targets keep their content, no temp is left', async () => {
    await mkdir(join(dir, 'a'));
    await writeFile(join(dir, 'a', 'one'), 'old');
    await mkdir(join(dir, 'b', 'two'), { recursive: true });
    await expect(writeFilesAtomic([{ path: join(dir, 'a', 'one'), data: 'new' }, { path: join(dir, 'b', 'two'), data: 'x' }])).rejects.toMatchObject({ code: 'EISDIR' });
    expect(await readFile(join(dir, 'a', 'one'), 'utf8')).toBe('old');
    expect(await tree(dir)).toEqual(['a/', 'a/one', 'b/', 'b/two/']);
  });

  it('writes none, and leaves no directory it made, when a later directory cannot be made', async () => {
    await writeFile(join(dir, 'blocker'), 'a file');
    await expect(writeFilesAtomic([{ path: join(dir, 'new', 'deep', 'one'), data: 'x' }, { path: join(dir, 'blocker', 'two'), data: 'y' }])).rejects.toMatchObject({ code: expect.stringMatching(/ENOTDIR|EEXIST/) });
    expect(await tree(dir)).toEqual(['blocker']);
  });

  it('refuses a directory in writeFileAtomic before writing a temp beside it', async () => {
    await mkdir(join(dir, 'target'));
    await expect(writeFileAtomic(join(dir, 'target'), 'x')).rejects.toMatchObject({ code: 'EISDIR' });
    expect(await tree(dir)).toEqual(['target/']);
  });
});
