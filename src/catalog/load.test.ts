import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundledCatalogPath, loadCatalog, refreshedCatalogPath, resetCatalogMemo } from './load.js';

describe('loadCatalog', () => {
  let cache: string;
  let previous: string | undefined;

  beforeEach(async () => {
    cache = await mkdtemp(join(tmpdir(), 'kspray-load-'));
    previous = process.env.KSPRAY_CACHE_DIR;
    process.env.KSPRAY_CACHE_DIR = cache;
    resetCatalogMemo();
  });

  afterEach(async () => {
    if (previous === undefined) delete process.env.KSPRAY_CACHE_DIR;
    else process.env.KSPRAY_CACHE_DIR = previous;
    resetCatalogMemo();
    await rm(cache, { recursive: true, force: true });
  });

  it('uses the bundled snapshot when nothing was refreshed, and memoizes it', () => {
    const catalog = loadCatalog();
    expect(catalog.source).toEqual({ kind: 'bundled', path: bundledCatalogPath });
    expect(catalog.newestTag()).toBe('v2.31.0');
    expect(loadCatalog()).toBe(catalog);
  });

  it('prefers a valid refreshed catalog in the cache', async () => {
    const bundled = JSON.parse(readFileSync(bundledCatalogPath, 'utf8')) as { tags: Array<{ tag: string }> };
    const refreshed = { meta: { extractor: 'test' }, tags: bundled.tags.filter((record) => record.tag.startsWith('v2.13.')) };
    const bundledCatalog = loadCatalog();
    await writeFile(refreshedCatalogPath(), JSON.stringify(refreshed));

    const catalog = loadCatalog();

    expect(catalog).not.toBe(bundledCatalog);
    expect(catalog.source).toEqual({ kind: 'refreshed', path: join(cache, 'catalog.json') });
    expect(catalog.lines()).toEqual(['2.13']);
    expect(catalog.newestTag()).toBe('v2.13.4');
  });

  it('falls back to the bundled snapshot, saying why, when the refreshed catalog is invalid', async () => {
    await writeFile(refreshedCatalogPath(), JSON.stringify({ tags: [{ tag: 'v2.13.4', line: '2.13' }] }));

    const catalog = loadCatalog();

    expect(catalog.source.kind).toBe('bundled');
    expect(catalog.source.ignored?.path).toBe(refreshedCatalogPath());
    expect(catalog.source.ignored?.reason).toMatch(/^invalid catalog: tags\.0\./);
    expect(catalog.newestTag()).toBe('v2.31.0');
  });

  it('falls back when the refreshed catalog is not JSON', async () => {
    await writeFile(refreshedCatalogPath(), '{ half a file');
    expect(loadCatalog().source.ignored?.reason).toMatch(/JSON/);
  });
});
