/**
 * The catalog without zod: the snapshot bundled in data/kubespray, the paths,
 * and the memo that load.ts shares. The snapshot ships with the package and
 * is trusted at run time — catalog.test.ts validates every record of it with
 * the schema — so only the shape the Catalog needs up front (tag names) is
 * checked. Measured (node 20, this 2-core box): readFileSync + JSON.parse
 * ≈ 5 ms; zod over all 60 records ≈ 35–45 ms cold, and a plan reads every
 * record (Catalog.tags()), so validating on first use saved nothing.
 *
 * loadCatalogAsync() is loadCatalog() for a command whose start-up is
 * measured (`kspray plan`, bench/plan.ts): it loads load.ts, and with it zod
 * and the catalog schema, only when a refreshed catalog in the cache must be
 * validated.
 */
import { isAscii } from 'node:buffer';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, dataDir } from '../util/paths.js';
import { Catalog } from './catalog.js';
import type { CatalogDocument } from './schema.js';
import { isReleaseTag } from './versions.js';
import { sha256OfText } from '../util/canonical-json.js';

export const bundledCatalogPath = join(dataDir, 'kubespray', 'catalog.json');

/** Where `kspray catalog refresh` writes, and where loadCatalog looks first. */
export function refreshedCatalogPath(): string {
  return join(cacheDir(), 'catalog.json');
}

/** The variable facts a refresh writes beside its catalog (src/vars/facts.ts looks there first). */
export function refreshedVariablesPath(): string {
  return join(cacheDir(), 'variables.json');
}

export const bundledVariablesPath = join(dataDir, 'kubespray', 'variables.json');

let memo: { key: string; catalog: Catalog } | undefined;
let rawMemo: { document: CatalogDocument; sha256: string } | undefined;

/** Which catalog loadCatalog would give now: the refreshed file (mtime undefined when there is none) and the memo key. */
export function catalogState(): { refreshed: string; mtime: number | undefined; key: string } {
  const refreshed = refreshedCatalogPath();
  const mtime = mtimeOf(refreshed);
  // Keyed on the cache path and the file's mtime: a refresh (or a test
  // pointing KSPRAY_CACHE_DIR elsewhere) is picked up without a restart.
  return { refreshed, mtime, key: `${refreshed}\0${mtime ?? 'none'}` };
}

export function memoizedCatalog(key: string): Catalog | undefined {
  return memo?.key === key ? memo.catalog : undefined;
}

export function memoizeCatalog(key: string, catalog: Catalog): Catalog {
  memo = { key, catalog };
  return catalog;
}

export function forgetCatalog(): void {
  memo = undefined;
}

/** A Catalog over the bundled snapshot. */
export function bundledCatalog(): Catalog {
  const raw = loadBundledRaw();
  return new Catalog(raw.document, { kind: 'bundled', path: bundledCatalogPath, sha256: raw.sha256 });
}

/** loadCatalog() without zod unless a refreshed catalog must be validated (see above). */
export async function loadCatalogAsync(): Promise<Catalog> {
  const { mtime, key } = catalogState();
  const known = memoizedCatalog(key);
  if (known) return known;
  if (mtime !== undefined) return (await import('./load.js')).loadCatalog();
  return memoizeCatalog(key, bundledCatalog());
}

function loadBundledRaw(): { document: CatalogDocument; sha256: string } {
  if (rawMemo) return rawMemo;
  const bytes = readFileSync(bundledCatalogPath);
  // The snapshot is ASCII, which reads as latin1 ~1.5 ms faster than UTF-8 decodes (the same text); anything else is UTF-8.
  const parsed: unknown = JSON.parse(isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8'));
  const tags = (parsed as { tags?: unknown }).tags;
  if (!Array.isArray(tags) || tags.length === 0 || !tags.every((t) => typeof t?.tag === 'string' && isReleaseTag(t.tag))) {
    throw new Error(`invalid bundled catalog ${bundledCatalogPath}: tags[] must hold records named vX.Y.Z`);
  }
  rawMemo = { document: parsed as CatalogDocument, sha256: sha256OfText(bytes) };
  return rawMemo;
}

function mtimeOf(path: string): number | undefined {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}
