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
    try {
      accessSync(path, constants.R_OK);
      if (statSync(path).size === 0) return { ok: false, message: `secret file ${path} is empty`, fix: 'put the secret in that file, or point fromFile elsewhere' };
      return { ok: true };
    } catch {
      return { ok: false, message: `secret file ${path} cannot be read`, fix: 'create it (mode 0600) or fix the fromFile path; relative paths start at the cluster file' };
    }
  };
}

/** Reads a secret's value and registers it for redaction. */
export function resolveSecret(ref: SecretRef, baseDir: string, env: NodeJS.ProcessEnv = process.env): string {
  const probe = secretProbe(baseDir, env)(ref);
  if (!probe.ok) throw new UsageError(probe.message, probe.fix);
  const value = 'fromEnv' in ref ? env[ref.fromEnv]! : readFileSync(secretPath(ref, baseDir), 'utf8').trim();
  registerSecret(value);
  return value;
}
