/**
 * `ansible-playbook --version` starts Python and costs most of a second;
 * `kspray plan` must stay fast. The answer is cached per executable path and
 * modification time, so an upgrade of Ansible is noticed at once.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../util/atomic-write.js';
import { findOnPath } from '../util/which.js';
import { detectAnsible, type AnsibleInstall } from './version.js';

const cacheEntry = z.object({ path: z.string(), mtimeMs: z.number(), version: z.string(), kind: z.enum(['core', 'classic']) });
const cacheFile = z.record(z.string(), cacheEntry);

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
    install = await detectAnsible(path, { timeoutMs: 30_000 });
  } catch {
    return undefined;
  }
  entries[path] = { path, mtimeMs, version: install.version, kind: install.kind };
  await writeFileAtomic(file, `${JSON.stringify(entries, null, 2)}\n`).catch(() => undefined);
  return { version: install.version, kind: install.kind, executable: path };
}

function readCache(file: string): z.infer<typeof cacheFile> {
  try {
    return cacheFile.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    return {};
  }
}
