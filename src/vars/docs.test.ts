import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clusterJsonSchema } from '../model/json-schema.js';
import { packageRoot } from '../util/paths.js';
import { withClusterFileTable } from './docs.js';

describe('the docs derived from the variable table', () => {
  it('README.md holds the generated cluster-file table (run `npm run docs` after changing the table)', () => {
    const readme = readFileSync(join(packageRoot, 'README.md'), 'utf8');
    expect(withClusterFileTable(readme)).toBe(readme);
  });

  it('describes a typed key with the variable each tag reads it as', () => {
    const schema = clusterJsonSchema() as { properties: Record<string, { properties?: Record<string, { properties?: Record<string, { description?: string }> }> }> };
    expect(schema.properties.network?.properties?.calico?.properties?.ipipMode?.description).toBe('Calico IP-in-IP mode. Kubespray: ipip_mode (< v2.13.0), calico_ipip_mode (v2.13.0+)');
    expect(schema.properties.addons?.properties?.dashboard).toMatchObject({ description: 'Deploy the Kubernetes dashboard. Kubespray: dashboard_enabled (< v2.31.0)' });
  });
});
