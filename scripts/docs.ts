/**
 * `npm run docs`: regenerate what the variable table documents — the README's
 * cluster-file table and schema/cluster.schema.json (what `kspray schema`
 * prints) — and the README's table of preflight checks from their list
 * (src/preflight/checks/index.ts). Tests fail when any drifts.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { clusterJsonSchema } from '../src/model/json-schema.js';
import { replaceChecksTable } from '../src/preflight/readme-table.js';
import { withClusterFileTable } from '../src/vars/docs.js';

const root = join(import.meta.dirname, '..');
const readme = join(root, 'README.md');
writeFileSync(readme, replaceChecksTable(withClusterFileTable(readFileSync(readme, 'utf8'))));
writeFileSync(join(root, 'schema', 'cluster.schema.json'), `${JSON.stringify(clusterJsonSchema(), null, 2)}\n`);
console.error('wrote README.md (cluster-file table, preflight checks) and schema/cluster.schema.json');
