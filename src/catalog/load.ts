/**
 * Loads the catalog: the refreshed copy in the cache when there is one, else
 * the snapshot bundled in data/kubespray (snapshot.ts: trusted, not validated
 * at run time). Synchronous and memoized, because every command needs it. A
 * refreshed catalog (it may be corrupt, or from another kspray) is validated
 * whole with zod at load, and a damaged one is an error (exit 2), never passed
 * over for the bundled one: the operator refreshed for a reason (a newer tag,
 * a moved one), and a plan from the older catalog would silently ignore it.
 * `kspray plan` calls snapshot.ts's loadCatalogAsync(), which comes here only
 * when there is a refreshed catalog to validate.
 */
import { readFileSync } from 'node:fs';
import { sha256OfText } from '../util/canonical-json.js';
import { Catalog } from './catalog.js';
import { type CatalogDocument, catalogDocument } from './schema.js';
import { bundledCatalog, bundledCatalogPath, catalogState, forgetCatalog, memoizeCatalog, memoizedCatalog } from './snapshot.js';
import { UsageError } from '../util/errors.js';

export { bundledCatalogPath, refreshedCatalogPath } from './snapshot.js';

let bundledMemo: CatalogDocument | undefined;

export function loadCatalog(): Catalog {
  const { refreshed, mtime, key } = catalogState();
  const known = memoizedCatalog(key);
  if (known) return known;
  if (mtime === undefined) return memoizeCatalog(key, bundledCatalog());
  let bytes: Buffer;
  try {
    bytes = readFileSync(refreshed);
  } catch (error) {
    throw damaged(refreshed, `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  try {
    return memoizeCatalog(key, new Catalog(parseCatalog(bytes.toString('utf8')), { kind: 'refreshed', path: refreshed, sha256: sha256OfText(bytes) }));
  } catch (error) {
    throw damaged(refreshed, error instanceof Error ? error.message.split('\n')[0] ?? String(error) : String(error));
  }
}

/** The bundled catalog whatever is in the cache: what `catalog refresh` compares against when the refreshed one is damaged. */
export function loadCatalogOrBundled(): Catalog {
  try {
    return loadCatalog();
  } catch {
    return bundledCatalog();
  }
}

function damaged(path: string, reason: string): UsageError {
  return new UsageError(
    `the refreshed catalog ${path} is damaged: ${reason}`,
    `run \`kspray catalog refresh --repo URL|PATH\` again, or delete ${path} to use the catalog bundled with kspray`,
  );
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
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const result = catalogDocument.safeParse(json);
  if (result.success) return result.data;
  const problems = result.error.issues.slice(0, 3).map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  throw new Error(`invalid catalog: ${problems.join('; ')}`);
}

/** For tests: forget what was loaded. */
export function resetCatalogMemo(): void {
  forgetCatalog();
}
