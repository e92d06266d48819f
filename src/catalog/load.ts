/**
 * Loads the catalog: a refreshed copy in the cache when there is a valid one,
 * else the snapshot bundled in data/kubespray (snapshot.ts: trusted, not
 * validated at run time). Synchronous and memoized, because every command
 * needs it. A refreshed catalog (it may be corrupt, or from another kspray)
 * is validated whole with zod at load, and the bundled one is used instead if
 * it fails. `kspray plan` calls snapshot.ts's loadCatalogAsync(), which comes
 * here only when there is a refreshed catalog to validate.
 */
import { readFileSync } from 'node:fs';
import { sha256OfText } from '../util/canonical-json.js';
import { Catalog, type CatalogSource } from './catalog.js';
import { type CatalogDocument, catalogDocument } from './schema.js';
import { bundledCatalog, bundledCatalogPath, catalogState, forgetCatalog, memoizeCatalog, memoizedCatalog } from './snapshot.js';

export { bundledCatalogPath, refreshedCatalogPath } from './snapshot.js';

let bundledMemo: CatalogDocument | undefined;

export function loadCatalog(): Catalog {
  const { refreshed, mtime, key } = catalogState();
  const known = memoizedCatalog(key);
  if (known) return known;
  let catalog: Catalog | undefined;
  let ignored: CatalogSource['ignored'];
  if (mtime !== undefined) {
    try {
      const bytes = readFileSync(refreshed);
      catalog = new Catalog(parseCatalog(bytes.toString('utf8')), { kind: 'refreshed', path: refreshed, sha256: sha256OfText(bytes) });
    } catch (error) {
      ignored = { path: refreshed, reason: error instanceof Error ? error.message.split('\n')[0] ?? String(error) : String(error) };
    }
  }
  return memoizeCatalog(key, catalog ?? bundledCatalog(ignored));
}

/** The bundled snapshot, validated (memoized; refresh uses it to carry over fields it cannot rebuild). */
export function loadBundledDocument(): CatalogDocument {
  bundledMemo ??= parseCatalog(readFileSync(bundledCatalogPath, 'utf8'));
  return bundledMemo;
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
  forgetCatalog();
}
