import type { Command } from 'commander';
import { printJson } from './output.js';

export function register(program: Command): void {
  program
    .command('schema')
    .description('print the JSON Schema of the cluster file (for editors: yaml-language-server)')
    .action(async () => {
      const { clusterJsonSchema } = await import('../model/json-schema.js');
      printJson(clusterJsonSchema());
    });
}
