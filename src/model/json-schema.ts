import { z } from 'zod';
import { schemaDescriptions } from '../vars/docs.js';
import { cluster } from './schema.js';

/**
 * The JSON Schema of the cluster file, derived from the zod model (what users
 * write: the input side). A key that becomes a Kubespray variable is
 * described from the variable table (src/vars/table.ts): its meaning, then
 * the variable each tag reads it as.
 */
export function clusterJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(cluster, { io: 'input', target: 'draft-2020-12', unrepresentable: 'any' }) as Record<string, unknown>;
  for (const [field, description] of schemaDescriptions()) {
    const node = nodeAt(schema, field);
    if (!node) throw new Error(`the variable table names ${field}, which the cluster schema does not have`);
    node.description = description;
  }
  return {
    $schema: schema.$schema,
    title: 'kspray cluster file',
    description: 'A Kubespray cluster as kspray models it: nodes, network and addon settings, secrets by reference.',
    ...Object.fromEntries(Object.entries(schema).filter(([key]) => key !== '$schema')),
  };
}

type JsonNode = Record<string, unknown>;

/** The schema node of a dotted field path (`nodes[].ip` goes through the array's items). */
function nodeAt(root: JsonNode, field: string): JsonNode | undefined {
  let node: JsonNode | undefined = root;
  for (const key of field.replace('[]', '.[]').split('.')) {
    node = node && resolve(root, node);
    if (!node) return undefined;
    node = key === '[]' ? (node.items as JsonNode | undefined) : ((node.properties as Record<string, JsonNode> | undefined)?.[key]);
  }
  return node;
}

/** Follows $ref and a single object branch of anyOf/allOf, as zod writes defaults and optionals. */
function resolve(root: JsonNode, node: JsonNode): JsonNode | undefined {
  if (typeof node.$ref === 'string') {
    const path = node.$ref.replace(/^#\//, '').split('/');
    return path.reduce<JsonNode | undefined>((n, key) => n?.[key] as JsonNode | undefined, root);
  }
  for (const key of ['anyOf', 'allOf', 'oneOf']) {
    const branches = node[key];
    if (Array.isArray(branches)) {
      const object = (branches as JsonNode[]).map((b) => resolve(root, b)).find((b) => b?.properties !== undefined || b?.items !== undefined);
      if (object) return object;
    }
  }
  return node;
}
