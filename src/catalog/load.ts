/**
 * Loads the catalog: a refreshed copy in the cache when there is a valid one,
 * else the snapshot bundled in data/kubespray. Synchronous and memoized,
 * because every command needs it and start-up time matters (a whole
 * `kspray plan` must stay under 3× `node -e 0`).
 *
 * Measured (node 20, this 2-core box): readFileSync + JSON.parse ≈ 5 ms; a
 * cold zod pass over all 60 records ≈ 35–45 ms, one record ≈ 10 ms cold and
 * < 1 ms warm. So a refreshed catalog (it may be corrupt or from another
 * kspray) is validated whole at load, and we fall back to the bundled one if
 * it fails; the bundled snapshot ships with the package (a unit test
 * validates every record) and is validated record by record on first use,
 * which costs a plan touching 3–4 tags ≈ 12 ms instead of ≈ 40.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, dataDir } from '../util/paths.js';
import { Catalog, type CatalogSource } from './catalog.js';
import { type CatalogDocument, catalogDocument, type TagRecord, tagRecord } from './schema.js';
import { isReleaseTag } from './versions.js';

export const bundledCatalogPath = join(dataDir, 'kubespray', 'catalog.json');

/** Where `kspray catalog refresh` writes, and where loadCatalog looks first. */
export function refreshedCatalogPath(): string {
  return join(cacheDir(), 'catalog.json');
}

let memo: { key: string; catalog: Catalog } | undefined;
let bundledMemo: CatalogDocument | undefined;
let bundledRawMemo: RawDocument | undefined;

interface RawDocument {
  meta?: Record<string, unknown>;
  tags: Array<{ tag: string }>;
}

export function loadCatalog(): Catalog {
  const refreshed = refreshedCatalogPath();
  const mtime = mtimeOf(refreshed);
  // Keyed on the cache path and the file's mtime: a refresh (or a test
  // pointing KSPRAY_CACHE_DIR elsewhere) is picked up without a restart.
  const key = `${refreshed}\0${mtime ?? 'none'}`;
  if (memo?.key === key) return memo.catalog;
  let catalog: Catalog | undefined;
  let ignored: CatalogSource['ignored'];
  if (mtime !== undefined) {
    try {
      catalog = new Catalog(parseCatalog(readFileSync(refreshed, 'utf8')), { kind: 'refreshed', path: refreshed });
    } catch (error) {
      ignored = { path: refreshed, reason: error instanceof Error ? error.message.split('\n')[0] ?? String(error) : String(error) };
    }
  }
  catalog ??= new Catalog(
    loadBundledRaw(),
    { kind: 'bundled', path: bundledCatalogPath, ...(ignored ? { ignored } : {}) },
    { validate: validateRecord },
  );
  memo = { key, catalog };
  return catalog;
}

/** The bundled snapshot, validated (memoized; refresh uses it to carry over fields it cannot rebuild). */
export function loadBundledDocument(): CatalogDocument {
  bundledMemo ??= parseCatalog(readFileSync(bundledCatalogPath, 'utf8'));
  return bundledMemo;
}

function loadBundledRaw(): RawDocument {
  if (bundledRawMemo) return bundledRawMemo;
  const parsed: unknown = JSON.parse(readFileSync(bundledCatalogPath, 'utf8'));
  // The shape the Catalog needs up front (tag names); each record is validated when first used.
  const tags = (parsed as { tags?: unknown }).tags;
  if (!Array.isArray(tags) || tags.length === 0 || !tags.every((t) => typeof t?.tag === 'string' && isReleaseTag(t.tag))) {
    throw new Error(`invalid bundled catalog ${bundledCatalogPath}: tags[] must hold records named vX.Y.Z`);
  }
  bundledRawMemo = parsed as RawDocument;
  return bundledRawMemo;
}

function validateRecord(raw: unknown): TagRecord {
  const result = tagRecord.safeParse(raw);
  if (result.success) return result.data;
  const name = (raw as { tag?: unknown }).tag;
  const problems = result.error.issues.slice(0, 3).map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  throw new Error(`invalid catalog record ${String(name)}: ${problems.join('; ')}`);
}

/** A catalog over an in-memory document (tests, or a freshly refreshed document before it is written). */
export function catalogFromDocument(document: unknown): Catalog {
  return new Catalog(catalogDocument.parse(document), { kind: 'memory', path: undefined });
}

/** Parses and validates catalog JSON; throws with the first problems on invalid content. */
export function parseCatalog(text: string): CatalogDocument {
  const result = catalogDocument.safeParse(JSON.parse(text));
  if (result.success) return result.data;
  const problems = result.error.issues.slice(0, 3).map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  throw new Error(`invalid catalog: ${problems.join('; ')}`);
}

/** For tests: forget what was loaded. */
export function resetCatalogMemo(): void {
  memo = undefined;
}

function mtimeOf(path: string): number | undefined {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}
