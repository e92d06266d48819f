import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundledCatalogPath, loadCatalog, loadCatalogOrBundled, parseCatalog, refreshedCatalogPath, resetCatalogMemo } from './load.js';
import { loadCatalogAsync } from './snapshot.js';

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
    expect(catalog.source).toEqual({ kind: 'bundled', sha256: expect.stringMatching(/^sha256:/), path: bundledCatalogPath });
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
    expect(catalog.source).toEqual({ kind: 'refreshed', sha256: expect.stringMatching(/^sha256:/), path: join(cache, 'catalog.json') });
    expect(catalog.lines()).toEqual(['2.13']);
    expect(catalog.newestTag()).toBe('v2.13.4');
  });

  it('refuses an invalid refreshed catalog, naming it, the reason and the fix, instead of passing it over', async () => {
    await writeFile(refreshedCatalogPath(), JSON.stringify({ tags: [{ tag: 'v2.13.4', line: '2.13' }] }));

    expect(() => loadCatalog()).toThrow(expect.objectContaining({
      exitCode: 2,
      message: expect.stringMatching(new RegExp(`^the refreshed catalog ${escape(refreshedCatalogPath())} is damaged: invalid catalog: tags\\.0\\.`)),
      hint: expect.stringMatching(/kspray catalog refresh --repo .* or delete .*catalog\.json/),
    }));
    expect(loadCatalogOrBundled().source.kind).toBe('bundled');
  });

  it('refuses a refreshed catalog that is not JSON', async () => {
    await writeFile(refreshedCatalogPath(), '{ half a file');
    expect(() => loadCatalog()).toThrow(/is damaged: not JSON/);
  });

  it('trusts the bundled snapshot: its records read raw are what validating them gives', () => {
    const validated = parseCatalog(readFileSync(bundledCatalogPath, 'utf8'));

    const records = loadCatalog().tags();

    expect(records).toHaveLength(validated.tags.length);
    for (const record of records) expect(record).toEqual(validated.tags.find((candidate) => candidate.tag === record.tag));
  });

  it('loadCatalogAsync gives the memoized bundled catalog when nothing was refreshed', async () => {
    const catalog = await loadCatalogAsync();

    expect(catalog.source).toEqual({ kind: 'bundled', sha256: expect.stringMatching(/^sha256:/), path: bundledCatalogPath });
    expect(loadCatalog()).toBe(catalog);
  });

  it('loadCatalogAsync validates a refreshed catalog as loadCatalog does, and refuses it when it is invalid', async () => {
    await writeFile(refreshedCatalogPath(), JSON.stringify({ tags: [{ tag: 'v2.13.4', line: '2.13' }] }));

    await expect(loadCatalogAsync()).rejects.toThrow(/is damaged: invalid catalog: tags\.0\./);
  });

  it('loadCatalogAsync prefers a valid refreshed catalog', async () => {
    const bundled = JSON.parse(readFileSync(bundledCatalogPath, 'utf8')) as { tags: Array<{ tag: string }> };
    await writeFile(refreshedCatalogPath(), JSON.stringify({ tags: bundled.tags.filter((record) => record.tag.startsWith('v2.14.')) }));

    const catalog = await loadCatalogAsync();

    expect(catalog.source.kind).toBe('refreshed');
    expect(catalog.lines()).toEqual(['2.14']);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
