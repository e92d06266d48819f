import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadClusterFile } from './load.js';

describe('loadClusterFile', () => {
  it('names the file and its directory from where it was given, relative paths included', async () => {
    const loaded = await loadClusterFile('inventories/k1/cluster.yaml');
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    expect(loaded.file).toBe(resolve('inventories/k1/cluster.yaml'));
    expect(loaded.baseDir).toBe(resolve('inventories/k1'));
    expect(loaded.cluster.kubernetes.version).toBe('v1.16.3');
  });
});
