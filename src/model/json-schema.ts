import { z } from 'zod';
import { cluster } from './schema.js';

/** The JSON Schema of the cluster file, derived from the zod model (what users write: the input side). */
export function clusterJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(cluster, { io: 'input', target: 'draft-2020-12', unrepresentable: 'any' }) as Record<string, unknown>;
  return {
    $schema: schema.$schema,
    title: 'kspray cluster file',
    description: 'A Kubespray cluster as kspray models it: nodes, network and addon settings, secrets by reference.',
    ...Object.fromEntries(Object.entries(schema).filter(([key]) => key !== '$schema')),
  };
}
