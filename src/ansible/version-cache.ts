/**
 * `ansible-playbook --version` starts Python and costs most of a second;
 * `kspray plan` must stay fast. The answer is cached per executable path and
 * modification time, so an upgrade of Ansible is noticed at once.
 *
 * The cache file is kspray's own and tiny: a hand check of its shape (any
 * doubt reads as an empty cache) keeps zod off plan's start-up, and what only
 * a miss needs (detectAnsible and the process chokepoint, the atomic write
 * and node:crypto) is loaded on a miss.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { findOnPath } from '../util/which.js';
import type { AnsibleInstall } from './version.js';

interface CacheEntry {
  path: string;
  mtimeMs: number;
  version: string;
  kind: 'core' | 'classic';
}

export async function detectAnsibleCached(cacheDir: string, executable = 'ansible-playbook'): Promise<Pick<AnsibleInstall, 'version' | 'kind' | 'executable'> | undefined> {
  const path = findOnPath(executable);
  if (path === undefined) return undefined;
  const mtimeMs = statSync(path).mtimeMs;
  const file = join(cacheDir, 'ansible-versions.json');
  const entries = readCache(file);
  const hit = entries[path];
  if (hit && hit.mtimeMs === mtimeMs) return { version: hit.version, kind: hit.kind, executable: path };
  let install: AnsibleInstall;
  try {
    const { detectAnsible } = await import('./version.js');
    install = await detectAnsible(path, { timeoutMs: 30_000 });
  } catch {
    return undefined;
  }
  entries[path] = { path, mtimeMs, version: install.version, kind: install.kind };
  const { writeFileAtomic } = await import('../util/atomic-write.js');
  await writeFileAtomic(file, `${JSON.stringify(entries, null, 2)}\n`).catch(() => undefined);
  return { version: install.version, kind: install.kind, executable: path };
}

function readCache(file: string): Record<string, CacheEntry> {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (!isRecord(parsed)) return {};
    const entries: Record<string, CacheEntry> = {};
    // Any entry of another shape voids the whole file (it is rewritten on the next detection).
    for (const [key, value] of Object.entries(parsed)) {
      if (!isEntry(value)) return {};
      entries[key] = { path: value.path, mtimeMs: value.mtimeMs, version: value.version, kind: value.kind };
    }
    return entries;
  } catch {
    return {};
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isEntry(value: unknown): value is CacheEntry {
  return isRecord(value) && typeof value.path === 'string' && typeof value.mtimeMs === 'number' && Number.isFinite(value.mtimeMs)
    && typeof value.version === 'string' && (value.kind === 'core' || value.kind === 'classic');
}
