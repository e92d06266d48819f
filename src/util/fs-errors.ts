/**
 * A file that cannot be written (or read) is the operator's to fix, not a
 * kspray bug: the error names the path, what kspray was doing, and what to
 * do, with the exit code of the contract (1 when the work could not go on,
 * 2 when the path was bad input). Anything else stays as it was: an
 * unexpected error, which is kspray's own.
 */
import { ExitCode, KsprayError } from './errors.js';

const CAUSES: Record<string, { what: string; fix: string }> = {
  ENOSPC: { what: 'no space left on the device', fix: 'free some space there (df -h shows the device), then run the same command again' },
  EDQUOT: { what: 'the disk quota is exceeded', fix: 'free some space within the quota, then run the same command again' },
  EROFS: { what: 'the file system is read-only', fix: 'run from a writable copy of the cluster directory, or remount it writable' },
  EACCES: { what: 'permission denied', fix: 'check the owner and mode of the directory (ls -ld), or run as the user who owns it' },
  EPERM: { what: 'operation not permitted', fix: 'check the owner and mode of the directory (ls -ld), or run as the user who owns it' },
  EISDIR: { what: 'it is a directory', fix: 'name a file, not a directory' },
  ENOTDIR: { what: 'a part of the path is a file, not a directory', fix: 'check the path: a file stands where a directory should be' },
  ENAMETOOLONG: { what: 'the path is too long', fix: 'use a shorter path' },
  EMFILE: { what: 'too many open files', fix: 'raise the open-files limit (ulimit -n), then run the same command again' },
  EIO: { what: 'an input/output error on the device', fix: 'check the disk (dmesg), then run the same command again' },
};

/** A file kspray needed could not be written or read: the path, the cause, the fix. */
export class FileError extends KsprayError {
  readonly path: string;

  constructor(message: string, path: string, options: { exitCode: ExitCode; hint: string; cause: unknown }) {
    super(message, options);
    this.name = 'FileError';
    this.path = path;
  }
}

/** The operator's error for a file-system failure at `path` while `doing`; other errors come back unchanged. */
export function fileError(error: unknown, path: string, doing: string, exitCode: ExitCode = ExitCode.failed): unknown {
  if (error instanceof KsprayError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const cause = code === undefined ? undefined : CAUSES[code];
  if (!cause) return error;
  return new FileError(`cannot ${doing} ${path}: ${cause.what} (${code})`, path, { exitCode, hint: cause.fix, cause: error });
}

/** Whether an error is a file-system failure fileError knows (as opposed to a bug). */
export function isFileError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code !== undefined && code in CAUSES;
}
