import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findOnPath } from '../util/which.js';
import { detectAnsibleCached } from './version-cache.js';

// Real ansible-playbook (ansible-core, installed on every machine that runs the suite).
const executable = findOnPath('ansible-playbook');

describe.skipIf(executable === undefined)('detectAnsibleCached', () => {
  let cache: string;
  beforeEach(async () => {
    cache = await mkdtemp(join(tmpdir(), 'kspray-version-cache-'));
  });
  afterEach(async () => {
    await rm(cache, { recursive: true, force: true });
  });

  it('answers from the cache file while the executable is unchanged', async () => {
    const path = executable!;
    const entry = { path, mtimeMs: statSync(path).mtimeMs, version: '9.9.9', kind: 'core' };
    await writeFile(join(cache, 'ansible-versions.json'), JSON.stringify({ [path]: entry }));

    const found = await detectAnsibleCached(cache);

    expect(found).toEqual({ version: '9.9.9', kind: 'core', executable: path });
  });

  it('runs the executable and rewrites the cache when the file holds an entry of another shape', async () => {
    const path = executable!;
    const file = join(cache, 'ansible-versions.json');
    await writeFile(file, JSON.stringify({ [path]: { path, mtimeMs: statSync(path).mtimeMs, version: '9.9.9', kind: 'nightly' } }));

    const found = await detectAnsibleCached(cache);

    expect(found?.version).toMatch(/^2\.\d+\.\d+/);
    expect(found?.kind).toBe('core');
    const written = JSON.parse(await readFile(file, 'utf8')) as Record<string, { version: string }>;
    expect(written[path]?.version).toBe(found?.version);
  });

  it('runs the executable when the entry is for another modification time', async () => {
    const path = executable!;
    await writeFile(join(cache, 'ansible-versions.json'), JSON.stringify({ [path]: { path, mtimeMs: 1, version: '9.9.9', kind: 'core' } }));

    expect((await detectAnsibleCached(cache))?.version).not.toBe('9.9.9');
  });
});
