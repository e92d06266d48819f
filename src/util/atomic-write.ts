import { randomBytes } from 'node:crypto';
import { copyFile, link, lstat, mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';
import { fileError } from './fs-errors.js';

export interface AtomicWriteOptions {
  /** File mode, e.g. 0o600 for files holding secrets. Default 0o644. */
  mode?: number;
}

/**
 * Writes a file so that readers see either the old content or the new, never
 * half of it: write a sibling temp file, fsync it, rename it over the target.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  try {
    await writeAtomically(path, data, options);
  } catch (error) {
    throw fileError(error, path, 'write');
  }
}

async function writeAtomically(path: string, data: string | Uint8Array, options: AtomicWriteOptions): Promise<void> {
  await refuseDirectory(path);
  const { tmp } = await writeTemp(path, data, options.mode ?? 0o644);
  try {
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}

export interface FileToWrite {
  path: string;
  data: string | Uint8Array;
  mode?: number;
}

/**
 * Writes several files all or none: every file goes to a synced temp beside
 * its target first (a failure there removes the temps and leaves every target
 * as it was), then each temp is renamed over its target. A rename that fails
 * part-way (a target turned into a directory meanwhile) puts back the targets
 * already replaced, from hard links made before.
 */
export async function writeFilesAtomic(files: readonly FileToWrite[]): Promise<void> {
  const temps: Array<{ tmp: string; path: string }> = [];
  const madeDirs: string[] = [];
  const removeTemps = async (): Promise<void> => {
    await Promise.all(temps.map(({ tmp }) => rm(tmp, { force: true })));
    // Directories this call made hold nothing else: none is left behind either.
    for (const dir of madeDirs.reverse()) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  };
  try {
    for (const file of files) {
      await refuseDirectory(file.path);
      const { tmp, madeDir } = await writeTemp(file.path, file.data, file.mode ?? 0o644);
      if (madeDir) madeDirs.push(madeDir);
      temps.push({ tmp, path: file.path });
    }
  } catch (error) {
    await removeTemps();
    throw error;
  }
  const replaced: Array<{ path: string; backup: string | undefined }> = [];
  try {
    for (const { tmp, path } of temps) {
      const backup = await keepCopy(path);
      replaced.push({ path, backup });
      await rename(tmp, path);
    }
  } catch (error) {
    for (const { path, backup } of replaced.reverse()) {
      if (backup) await rename(backup, path).catch(() => undefined);
      else await rm(path, { force: true }).catch(() => undefined);
    }
    await removeTemps();
    throw error;
  }
  await Promise.all(replaced.map(({ backup }) => (backup ? rm(backup, { force: true }) : undefined)));
}

/** A synced temp file beside `path` (its directory made first); the temp's path, and the first directory made for it. */
async function writeTemp(path: string, data: string | Uint8Array, mode: number): Promise<{ tmp: string; madeDir: string | undefined }> {
  const dir = dirname(path);
  const madeDir = await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await open(tmp, 'w', mode).catch(async (error: unknown) => {
    if (madeDir) await rm(madeDir, { recursive: true, force: true }).catch(() => undefined);
    throw error;
  });
  try {
    await handle.writeFile(data);
    await handle.chmod(mode); // the umask may have narrowed the mode given to open()
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(tmp, { force: true });
    throw error;
  }
  await handle.close();
  return { tmp, madeDir };
}

/** rename() would fail on a directory only after other files were replaced: refuse it up front, as rename would (EISDIR). */
async function refuseDirectory(path: string): Promise<void> {
  const info = await lstat(path).catch(() => undefined);
  if (info?.isDirectory()) throw Object.assign(new Error(`EISDIR: illegal operation on a directory, rename '${path}'`), { code: 'EISDIR', path });
}

/** A hard link (or a copy) of an existing target, to put back if a later rename fails; undefined when there is none. */
async function keepCopy(path: string): Promise<string | undefined> {
  const info = await lstat(path).catch(() => undefined);
  if (!info) return undefined;
  const backup = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.bak`);
  await link(path, backup).catch(() => copyFile(path, backup));
  return backup;
}

/**
 * Creates the file only if it does not exist (O_EXCL): false when it does.
 * The content is synced before the file is closed. What lock files are made with.
 */
export async function createFileExclusive(path: string, body: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'wx', 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    await handle.writeFile(body);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return true;
}
