/**
 * A file kspray was asked to write (or read) could not be: the path and the
 * reason in words, and how to fix it, instead of a Node error code and a
 * stack. Path problems are bad input (exit 2); a full disk or an I/O error is
 * the work failing (exit 1).
 */
import { ExitCode, KsprayError } from './errors.js';

const REASONS: Record<string, string> = {
  ENOTDIR: 'a part of the path is a file, not a directory',
  EEXIST: 'a part of the path is a file, not a directory',
  EISDIR: 'it is a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  ENAMETOOLONG: 'the path (or one of its names) is too long',
  ENOENT: 'a directory on the path does not exist',
  ELOOP: 'the path has a symbolic link loop',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exceeded',
  EIO: 'an I/O error',
};

const WORK_FAILED = new Set(['ENOSPC', 'EDQUOT', 'EIO']);

/** The operator-facing error for a failed write of `path`, or the error itself when it is not a file-system one. */
export function writeError(path: string, error: unknown, fix: string): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== 'string' || !(code in REASONS)) return error;
  return new KsprayError(`cannot write ${path}: ${REASONS[code]}`, { exitCode: WORK_FAILED.has(code) ? ExitCode.failed : ExitCode.usage, hint: fix, cause: error });
}
