import envPaths from 'env-paths';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';

/** The package root (holds data/, playbooks/), from src/util or dist/util alike. */
export const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** kspray's bundled facts: data/kubespray and data/kubernetes. */
export const dataDir = join(packageRoot, 'data');

/** kspray's own Ansible playbooks and callback plugin. */
export const playbooksDir = join(packageRoot, 'playbooks');

/**
 * The user's cache directory for kspray (Kubespray clones, venvs, a refreshed
 * catalog). KSPRAY_CACHE_DIR overrides it (tests, CI, shared runners).
 */
export function cacheDir(): string {
  return process.env.KSPRAY_CACHE_DIR ?? envPaths('kspray', { suffix: '' }).cache;
}
