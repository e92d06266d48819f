import type { Command } from 'commander';
import { printStderr, printStdout } from './output.js';

export function register(program: Command): void {
  program
    .command('import')
    .description('read an existing Kubespray inventory (either dialect) and print the equivalent cluster YAML')
    .requiredOption('--inventory <ini>', 'inventory file, read through ansible-inventory')
    .option('--extra-vars <yml>', 'the extra-vars file passed to ansible-playbook with -e @FILE')
    .option('--name <name>', 'cluster name (default: the inventory directory name)')
    .option('--kube-version <version>', 'the Kubernetes version the cluster runs (default: the version the variables set)')
    .action(async (options: { inventory: string; extraVars?: string; name?: string; kubeVersion?: string }) => {
      const { basename, dirname, resolve } = await import('node:path');
      const { readFile } = await import('node:fs/promises');
      const { parse, stringify } = await import('yaml');
      const { inventoryList } = await import('../ansible/inventory.js');
      const { importCluster } = await import('../model/import.js');
      const { parseCluster } = await import('../model/load.js');
      const { formatProblem } = await import('../model/problems.js');
      const { UsageError } = await import('../util/errors.js');

      const inventory = await inventoryList(options.inventory, { exportVars: true });
      const extraVars = options.extraVars ? ((parse(await readFile(options.extraVars, 'utf8')) ?? {}) as Record<string, unknown>) : {};
      const name = options.name ?? basename(dirname(resolve(options.inventory))).toLowerCase().replace(/[^a-z0-9_-]/g, '-');
      const { cluster, notes } = importCluster({ inventory, extraVars, name, ...(options.kubeVersion ? { kubeVersion: options.kubeVersion } : {}) });
      const { relative, join } = await import('node:path');
      const { packageRoot } = await import('../util/paths.js');
      const schemaPath = relative(process.cwd(), join(packageRoot, 'schema', 'cluster.schema.json'));
      const yaml = `# yaml-language-server: $schema=${schemaPath}\n# Imported by kspray from ${basename(options.inventory)}${options.extraVars ? ` and ${basename(options.extraVars)}` : ''}.\n${stringify(cluster, { lineWidth: 0 })}`;
      // The result must load as a cluster file: check it the way `validate` would.
      const check = await parseCluster(yaml, 'imported.yaml', { baseDir: process.cwd() });
      for (const note of notes) printStderr(`note: ${note}`);
      if (!check.ok) {
        for (const problem of check.problems) printStderr(formatProblem(problem));
        throw new UsageError('the imported cluster is not valid yet', 'fix the problems above (or pass --kube-version / --name), then import again');
      }
      printStdout(yaml);
    });
}
