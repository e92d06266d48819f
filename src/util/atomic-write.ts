import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
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
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const mode = options.mode ?? 0o644;
  const handle = await open(tmp, 'w', mode);
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
  try {
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
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
