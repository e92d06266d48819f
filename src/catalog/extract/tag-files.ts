/**
 * The files of one Kubespray tag, as the extractors see them. Backed by git
 * objects (`git ls-tree` / `git cat-file` at the tag, never a checkout) in
 * refresh.ts; the extractors only depend on this interface.
 */
export interface TagFiles {
  readonly tag: string;
  /** Every blob path at the tag (symlinks included), sorted. */
  paths(): readonly string[];
  has(path: string): boolean;
  isSymlink(path: string): boolean;
  /** The target a symlink names (relative, as stored), undefined for non-symlinks. */
  readLink(path: string): Promise<string | undefined>;
  /** The text of a file, a symlink followed (within the tree); undefined when absent. */
  read(path: string): Promise<string | undefined>;
  /** Paths under `prefixes` whose text has a line matching the extended regex `pattern`. */
  grep(pattern: string, prefixes: readonly string[]): Promise<string[]>;
}

/** A tag whose files do not hold a fact kspray needs (the tag is skipped, or its bundled record kept). */
export class ExtractionError extends Error {
  override name = 'ExtractionError';
}

/** Paths under any of the directory prefixes, ending in one of the extensions. */
export function pathsUnder(files: TagFiles, prefixes: readonly string[], extensions: readonly string[] = ['.yml', '.yaml']): string[] {
  return files.paths().filter(
    (path) => prefixes.some((prefix) => path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`))
      && extensions.some((extension) => path.endsWith(extension)),
  );
}

/** The first of the candidate paths that exists at the tag. */
export function firstExisting(files: TagFiles, candidates: readonly string[]): string | undefined {
  return candidates.find((path) => files.has(path));
}

/** POSIX join + normalize of a path relative to a file's directory (import_playbook targets). */
export function resolveRelative(fromFile: string, target: string): string {
  const base = fromFile.includes('/') ? fromFile.slice(0, fromFile.lastIndexOf('/')) : '';
  const parts = (target.startsWith('/') ? target : base ? `${base}/${target}` : target).split('/');
  const out: string[] = [];
  for (const part of parts) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return out.join('/');
}
