/**
 * Secret references are resolved only when rendering, and every resolved
 * value is registered for redaction before it goes anywhere.
 */
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { SecretRef } from './schema.js';
import type { SecretProbe } from './rules.js';
import { registerSecret } from '../util/redact.js';
import { UsageError } from '../util/errors.js';

export function secretPath(ref: { fromFile: string }, baseDir: string): string {
  return isAbsolute(ref.fromFile) ? ref.fromFile : resolve(baseDir, ref.fromFile);
}

/** Checks that a reference resolves, without reading more than needed and without revealing the value. */
export function secretProbe(baseDir: string, env: NodeJS.ProcessEnv = process.env): SecretProbe {
  return (ref) => {
    if ('fromEnv' in ref) {
      const value = env[ref.fromEnv];
      if (value === undefined || value.trim() === '') {
        return { ok: false, message: `environment variable ${ref.fromEnv} is not set`, fix: `export ${ref.fromEnv} (e.g. from your secret store) before running kspray` };
      }
      return { ok: true };
    }
    const path = secretPath(ref, baseDir);
    let stat;
    try {
      stat = statSync(path);
    } catch (error) {
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      return { ok: false, message: `secret file ${path} ${missing ? 'does not exist' : 'cannot be read'}`, fix: 'create it (mode 0600) or fix the fromFile path; relative paths start at the cluster file' };
    }
    if (!stat.isFile()) {
      return { ok: false, message: `secret file ${path} is ${stat.isDirectory() ? 'a directory' : 'not a regular file'}`, fix: 'point fromFile at the file that holds the secret (relative paths start at the cluster file)' };
    }
    const mode = `0${(stat.mode & 0o777).toString(8)}`;
    // As ssh refuses a key file others can write: whoever can write it chooses the secret.
    if (stat.mode & 0o022) {
      return { ok: false, message: `secret file ${path} is writable by ${whom(stat.mode, 0o020, 0o002)} (mode ${mode})`, fix: `chmod 600 ${path}` };
    }
    try {
      accessSync(path, constants.R_OK);
    } catch {
      return { ok: false, message: `secret file ${path} cannot be read (mode ${mode})`, fix: 'run kspray as the user who owns the file, or fix its mode' };
    }
    if (stat.size === 0) return { ok: false, message: `secret file ${path} is empty`, fix: 'put the secret in that file, or point fromFile elsewhere' };
    if (stat.mode & 0o044) {
      return { ok: true, warning: { message: `secret file ${path} is readable by ${whom(stat.mode, 0o040, 0o004)} (mode ${mode})`, fix: `chmod 600 ${path}` } };
    }
    return { ok: true };
  };
}

function whom(mode: number, group: number, others: number): string {
  return [mode & group ? 'its group' : '', mode & others ? 'everyone' : ''].filter(Boolean).join(' and ');
}

/** Reads a secret's value and registers it for redaction. */
export function resolveSecret(ref: SecretRef, baseDir: string, env: NodeJS.ProcessEnv = process.env): string {
  const probe = secretProbe(baseDir, env)(ref);
  if (!probe.ok) throw new UsageError(probe.message, probe.fix);
  const value = 'fromEnv' in ref ? env[ref.fromEnv]! : readFileSync(secretPath(ref, baseDir), 'utf8').trim();
  registerSecret(value);
  return value;
}
