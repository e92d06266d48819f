/**
 * git for Kubespray repositories, through simple-git (the one exception to
 * the process chokepoint). Like Renovate's factory: a fixed locale so output
 * is parseable, ssh that never prompts (BatchMode) and no terminal prompts
 * for credentials, so a missing key fails fast instead of hanging a run.
 */
import { simpleGit, type SimpleGit } from 'simple-git';
import { allowedEnv } from '../process/exec.js';
import { compareTags, isReleaseTag } from '../catalog/versions.js';

export interface KubesprayGitOptions {
  /** Milliseconds a git command may go without output before it is killed. Default: 10 minutes (clones are big). */
  blockTimeoutMs?: number;
  /** Parallel git processes. Default 4. */
  maxConcurrentProcesses?: number;
}

export const GIT_ENV = {
  LANG: 'C.UTF-8',
  LC_ALL: 'C.UTF-8',
  GIT_SSH_COMMAND: 'ssh -o BatchMode=yes',
  GIT_TERMINAL_PROMPT: '0',
} as const;

export function kubesprayGit(baseDir?: string, options: KubesprayGitOptions = {}): SimpleGit {
  const git = simpleGit({
    ...(baseDir === undefined ? {} : { baseDir }),
    maxConcurrentProcesses: options.maxConcurrentProcesses ?? 4,
    trimmed: false,
    timeout: { block: options.blockTimeoutMs ?? 600_000 },
    // Done when git's stdout closes, not 50 ms after it exits (simple-git's default): under load a
    // big output (the catalog refresh's `git grep` of every role file) was cut short.
    completion: { onExit: false, onClose: true },
    // GIT_SSH_COMMAND is one simple-git guards: we set it ourselves, to a fixed value.
    unsafe: { allowUnsafeSshCommand: true },
  });
  // env() replaces the whole environment: start from the house allow-list.
  return git.env({ ...allowedEnv(), ...GIT_ENV });
}

/** Release tags vX.Y.Z, semver ascending (pre-releases and odd names like 1.3.0_k1.1.3 left out). */
export async function listReleaseTags(git: SimpleGit): Promise<string[]> {
  const output = await git.raw(['tag', '--list']);
  return output.split('\n').map((t) => t.trim()).filter(isReleaseTag).sort(compareTags);
}

/** Every tag name, as git lists it. */
export async function listAllTags(git: SimpleGit): Promise<string[]> {
  const output = await git.raw(['tag', '--list']);
  return output.split('\n').map((t) => t.trim()).filter((t) => t !== '');
}

/**
 * A file's content at a ref without checking anything out (`git cat-file`);
 * undefined when the path does not exist there. A symlink yields its target.
 */
export async function showFile(git: SimpleGit, ref: string, path: string): Promise<string | undefined> {
  try {
    return await git.raw(['cat-file', 'blob', `${ref}:${path}`]);
  } catch (error) {
    if (isMissingObject(error)) return undefined;
    throw error;
  }
}

/** The commit a tag points to (annotated tags peeled). */
export async function peeledSha(git: SimpleGit, tag: string): Promise<string> {
  return (await git.raw(['rev-parse', '--verify', '--quiet', `refs/tags/${tag}^{commit}`])).trim();
}

/** Whether the tag is an annotated tag object (rather than a lightweight ref to a commit). */
export async function isAnnotated(git: SimpleGit, tag: string): Promise<boolean> {
  return (await git.raw(['cat-file', '-t', `refs/tags/${tag}`])).trim() === 'tag';
}

export interface TagInfo {
  tag: string;
  /** The commit, peeled. */
  sha: string;
  annotated: boolean;
  /** Committer date of the commit, ISO 8601 with the committer's offset. */
  commitDate: string;
  /** Tagger date of an annotated tag, ISO 8601. */
  taggerDate: string | undefined;
}

/** Every tag with its commit, dates and kind, in one git call. */
export async function listTagInfo(git: SimpleGit): Promise<TagInfo[]> {
  const format = ['%(refname:short)', '%(objecttype)', '%(objectname)', '%(*objectname)', '%(taggerdate:iso-strict)', '%(committerdate:iso-strict)', '%(*committerdate:iso-strict)'].join('%00');
  const output = await git.raw(['for-each-ref', `--format=${format}`, 'refs/tags']);
  const infos: TagInfo[] = [];
  for (const line of output.split('\n')) {
    if (line.trim() === '') continue;
    const [tag = '', type = '', object = '', peeled = '', taggerDate = '', commitDate = '', peeledDate = ''] = line.split('\0');
    if (type !== 'tag' && type !== 'commit') continue; // tags of trees or blobs name no release
    const annotated = type === 'tag';
    infos.push({
      tag,
      sha: annotated ? peeled : object,
      annotated,
      commitDate: annotated ? peeledDate : commitDate,
      taggerDate: annotated && taggerDate ? taggerDate : undefined,
    });
  }
  return infos;
}

export interface TreeEntry {
  mode: string;
  type: string;
  object: string;
  path: string;
}

/** Every blob at a ref (`git ls-tree -r -z`), paths as stored. */
export async function listTree(git: SimpleGit, ref: string): Promise<TreeEntry[]> {
  const output = await git.raw(['ls-tree', '-r', '-z', '--full-tree', ref]);
  const entries: TreeEntry[] = [];
  for (const record of output.split('\0')) {
    const tab = record.indexOf('\t');
    if (tab === -1) continue;
    const [mode = '', type = '', object = ''] = record.slice(0, tab).split(' ');
    entries.push({ mode, type, object, path: record.slice(tab + 1) });
  }
  return entries;
}

/** Paths at a ref, under the given directories, with a line matching the extended regex. */
export async function grepAt(git: SimpleGit, ref: string, pattern: string, prefixes: readonly string[]): Promise<string[]> {
  // Exit code 1 (no match, empty stderr) is not an error for simple-git.
  const output = await git.raw(['grep', '-l', '-I', '-E', '-e', pattern, ref, '--', ...prefixes]);
  return output
    .split('\n')
    .filter((line) => line.startsWith(`${ref}:`))
    .map((line) => line.slice(ref.length + 1));
}

function isMissingObject(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /Not a valid object name|does not exist|invalid object name|exists on disk, but not in|bad revision/i.test(message);
}
