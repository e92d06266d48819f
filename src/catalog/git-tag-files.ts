/**
 * TagFiles over git objects, nothing ever checked out. Per tag: one
 * `ls-tree` for the file list, and one `git grep -e ''` (every line of every
 * file under the directories the extractors read) to fetch those files' text
 * in a single process: spawning git per file made a 60-tag refresh slow.
 * Anything outside that set (symlink targets, other files) falls back to
 * `cat-file` by blob id, memoized across tags.
 */
import type { SimpleGit } from 'simple-git';
import { grepAt, listTree } from '../kubespray/git.js';
import { type TagFiles, resolveRelative } from './extract/tag-files.js';

const SYMLINK_MODE = '120000';
const LARGE_BLOB = 256 * 1024;

/**
 * What the extractors read: the roles (defaults, checksums, and every task and
 * template for the variable facts), playbooks, sample inventory, root files.
 */
const PREFETCH_DIRS = ['roles', 'inventory/sample', 'playbooks'];
const PREFETCH_ROOT_GLOBS = [':(glob)*.yml', ':(glob)*.yaml', ':(glob)*.txt'];

/** Blob contents shared across tags of one refresh, keyed by blob id. */
export type BlobCache = Map<string, Promise<string>>;

export async function gitTagFiles(git: SimpleGit, tag: string, blobs: BlobCache = new Map()): Promise<TagFiles> {
  const ref = `refs/tags/${tag}`;
  const [entries, prefetched] = await Promise.all([listTree(git, ref), prefetch(git, ref)]);
  const byPath = new Map(entries.filter((e) => e.type === 'blob').map((e) => [e.path, e]));
  const sortedPaths = [...byPath.keys()].sort();

  const blob = (object: string): Promise<string> => {
    let content = blobs.get(object);
    if (!content) {
      content = git.raw(['cat-file', 'blob', object]).then((text) => {
        // Large blobs (checksum files) change with nearly every tag: sharing them buys nothing.
        if (text.length > LARGE_BLOB) blobs.delete(object);
        return text;
      });
      blobs.set(object, content);
    }
    return content;
  };
  const text = async (path: string): Promise<string | undefined> => {
    const entry = byPath.get(path);
    if (!entry) return undefined;
    return prefetched.get(path) ?? blob(entry.object);
  };

  return {
    tag,
    paths: () => sortedPaths,
    has: (path) => byPath.has(path),
    isSymlink: (path) => byPath.get(path)?.mode === SYMLINK_MODE,
    readLink: async (path) => (byPath.get(path)?.mode === SYMLINK_MODE ? (await text(path))?.trim() : undefined),
    read: async (path) => {
      let current = path;
      // Follow symlinks within the tree (requirements.txt → requirements-2.12.txt), a few hops at most.
      for (let hop = 0; hop < 8; hop += 1) {
        const entry = byPath.get(current);
        if (!entry) return undefined;
        if (entry.mode !== SYMLINK_MODE) return text(current);
        current = resolveRelative(current, ((await text(current)) ?? '').trim());
      }
      return undefined;
    },
    grep: async (pattern, prefixes) => {
      if (!prefixes.every(isPrefetched)) return grepAt(git, ref, pattern, prefixes);
      const regex = new RegExp(pattern, 'm');
      const under = (path: string) => prefixes.some((prefix) => path.startsWith(`${prefix.replace(/\/$/, '')}/`));
      return [...prefetched.entries()].filter(([path, content]) => under(path) && regex.test(content)).map(([path]) => path).sort();
    },
  };
}

function isPrefetched(prefix: string): boolean {
  const dir = prefix.replace(/\/$/, '');
  return PREFETCH_DIRS.some((root) => dir === root || dir.startsWith(`${root}/`));
}

/**
 * The text of every (non-binary, non-symlink) file under PREFETCH_DIRS and at
 * the root, in one process: `git grep -z -n -e ''` prints every line as
 * `ref:path NUL lineno NUL text`. Empty files print nothing (read falls back).
 */
async function prefetch(git: SimpleGit, ref: string): Promise<Map<string, string>> {
  const output = await git.raw(['grep', '-z', '-n', '--no-color', '-I', '--no-textconv', '-e', '', ref, '--', ...PREFETCH_DIRS, ...PREFETCH_ROOT_GLOBS]);
  const lines = new Map<string, string[]>();
  const prefix = `${ref}:`;
  let start = 0;
  while (start < output.length) {
    let end = output.indexOf('\n', start);
    if (end === -1) end = output.length;
    const record = output.slice(start, end);
    start = end + 1;
    const nameEnd = record.indexOf('\0');
    const numberEnd = nameEnd === -1 ? -1 : record.indexOf('\0', nameEnd + 1);
    if (numberEnd === -1 || !record.startsWith(prefix)) continue;
    const path = record.slice(prefix.length, nameEnd);
    let fileLines = lines.get(path);
    if (!fileLines) {
      fileLines = [];
      lines.set(path, fileLines);
    }
    fileLines.push(record.slice(numberEnd + 1));
  }
  return new Map([...lines].map(([path, fileLines]) => [path, `${fileLines.join('\n')}\n`]));
}
