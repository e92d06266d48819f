/**
 * A file kspray was asked to write (or read) could not be: the path and the
 * reason in words, and how to fix it, instead of a Node error code and a
 * stack; "unexpected error" stays for kspray's own bugs. A path that is bad
 * input (a directory where a file goes, a read-only place) is exit 2; a full
 * disk or an I/O error is the work failing (exit 1). During an apply every
 * such failure ends the run as failed (exit 1), the journal at its last good
 * state (apply.ts).
 */
import { ExitCode, KsprayError } from './errors.js';

const CAUSES: Record<string, { what: string; fix: string }> = {
  ENOSPC: { what: 'no space left on the device', fix: 'free some space there (df -h shows the device), then run the same command again' },
  EDQUOT: { what: 'the disk quota is exceeded', fix: 'free some space within the quota, then run the same command again' },
  EIO: { what: 'an I/O error', fix: 'check the disk (dmesg), then run the same command again' },
  EMFILE: { what: 'too many open files', fix: 'raise the open-files limit (ulimit -n), then run the same command again' },
  EROFS: { what: 'the file system is read-only', fix: 'use a writable place, or remount it writable' },
  EACCES: { what: 'permission denied', fix: 'check the owner and mode of the directory (ls -ld), or run as the user who owns it' },
  EPERM: { what: 'permission denied', fix: 'check the owner and mode of the directory (ls -ld), or run as the user who owns it' },
  EISDIR: { what: 'it is a directory', fix: 'name a file, not a directory' },
  ENOTDIR: { what: 'a part of the path is a file, not a directory', fix: 'check the path: a file stands where a directory should be' },
  EEXIST: { what: 'a part of the path is a file, not a directory', fix: 'check the path: a file stands where a directory should be' },
  ENAMETOOLONG: { what: 'the path (or one of its names) is too long', fix: 'use a shorter path' },
  ENOENT: { what: 'a directory on the path does not exist', fix: 'check the path' },
  ELOOP: { what: 'the path has a symbolic link loop', fix: 'check the symbolic links on the path' },
};

/** The device or the system failed, not the path: the work failed (exit 1). */
const WORK_FAILED = new Set(['ENOSPC', 'EDQUOT', 'EIO', 'EMFILE']);

/** A file kspray needed could not be written or read: the path, the cause, the fix. */
export class FileError extends KsprayError {
  readonly path: string;
  readonly code: string;

  constructor(message: string, path: string, code: string, options: { exitCode: ExitCode; hint: string; cause: unknown }) {
    super(message, options);
    this.name = 'FileError';
    this.path = path;
    this.code = code;
  }
}

function codeOf(error: unknown): string | undefined {
  if (error instanceof FileError) return error.code;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * The operator's error for a file-system failure at `path` while `doing`
 * ("write", "create the log directory"); other errors come back unchanged.
 * `fix` replaces the generic advice with the caller's (which option to change).
 */
export function fileError(error: unknown, path: string, doing: string, options: { fix?: string; exitCode?: ExitCode } = {}): unknown {
  const code = codeOf(error);
  const cause = code === undefined ? undefined : CAUSES[code];
  if (code === undefined || !cause) return error;
  const exitCode = options.exitCode ?? (WORK_FAILED.has(code) ? ExitCode.failed : ExitCode.usage);
  const original = error instanceof FileError ? error.cause : error;
  return new FileError(`cannot ${doing} ${path}: ${cause.what}`, path, code, { exitCode, hint: options.fix ?? cause.fix, cause: original });
}

/** fileError for a write the operator asked for (render --out, plan --output, pin), with the fix for that option. */
export function writeError(path: string, error: unknown, fix: string): unknown {
  const code = codeOf(error);
  // A full disk is fixed by freeing space, whatever the option said.
  const advice = code !== undefined && WORK_FAILED.has(code) ? CAUSES[code]!.fix : fix;
  return fileError(error, error instanceof FileError ? error.path : path, 'write', { fix: advice });
}
