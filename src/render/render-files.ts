/**
 * The files `kspray render` writes for one cluster and tag, computed in full
 * before anything touches the disk (a bad secret leaves nothing half-written).
 */
import { join } from 'node:path';
import type { Cluster } from '../model/schema.js';
import { renderInventory } from './inventory.js';
import { renderExtraVars, type SecretResolver } from './extra-vars.js';
import type { RenderTarget } from './target.js';

export interface RenderedFile {
  path: string;
  data: string;
  mode: number;
  secret: boolean;
}

/** The paths `kspray render` uses under an output directory. */
export function renderPaths(outDir: string, clusterName: string): { inventory: string; extraVars: string; secrets: string } {
  return {
    inventory: join(outDir, 'inventories', clusterName, 'inventory.ini'),
    extraVars: join(outDir, 'extra-vars', `${clusterName}.yml`),
    secrets: join(outDir, 'extra-vars', `${clusterName}.secrets.yml`),
  };
}

export function renderClusterFiles(cluster: Cluster, target: RenderTarget, resolveSecret: SecretResolver, paths: ReturnType<typeof renderPaths>, kubeVersion?: string): RenderedFile[] {
  const extra = renderExtraVars(cluster, target, resolveSecret, kubeVersion === undefined ? {} : { kubeVersion });
  const files: RenderedFile[] = [
    { path: paths.inventory, data: renderInventory(cluster, target), mode: 0o644, secret: false },
    { path: paths.extraVars, data: extra.vars, mode: 0o644, secret: false },
  ];
  if (extra.secrets !== undefined) files.push({ path: paths.secrets, data: extra.secrets, mode: 0o600, secret: true });
  return files;
}
