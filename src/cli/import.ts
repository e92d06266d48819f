import type { Command } from 'commander';
import { printStderr, printStdout } from './output.js';

export function register(program: Command): void {
  program
    .command('import')
    .description('read an existing Kubespray inventory (either dialect) and print the equivalent cluster YAML')
    .requiredOption('--inventory <ini>', 'inventory file, read through ansible-inventory')
    .option('--extra-vars <yml>', 'the extra-vars file passed to ansible-playbook with -e @FILE (read as Ansible reads it: YAML 1.1)')
    .option('--name <name>', 'cluster name (default: the inventory directory name)')
    .option('--kube-version <version>', 'the Kubernetes version the cluster runs (default: the version the variables set)')
    .option('--group-vars <dir>', 'the inventory\'s group_vars: carry what differs from the tag\'s sample (typed fields, extraVars, node vars), drop what equals it')
    .option('--sample <dir>', 'with --group-vars: the sample group_vars of the tag the cluster runs (default: ../../sample/group_vars of a Kubespray checkout)')
    .option('--tag <tag>', 'with --group-vars and --kubespray: read that tag\'s sample group_vars from the repository')
    .option('--kubespray <repo>', 'with --tag: a Kubespray clone, git URL or bundle')
    .action(async (options: { inventory: string; extraVars?: string; name?: string; kubeVersion?: string; groupVars?: string; sample?: string; tag?: string; kubespray?: string }) => {
      const { basename, dirname, resolve, relative, join } = await import('node:path');
      const { stringify } = await import('yaml');
      const { importCluster } = await import('../model/import.js');
      const { parseCluster } = await import('../model/load.js');
      const { formatProblem } = await import('../model/problems.js');
      const { UsageError } = await import('../util/errors.js');
      const { packageRoot } = await import('../util/paths.js');
      const { readImportInventory, readImportExtraVars } = await import('./import-inputs.js');

      let inventory;
      let groupVars;
      if (options.groupVars !== undefined) {
        const { readGroupVarsImport } = await import('./import-group-vars.js');
        ({ inventory, diff: groupVars } = await readGroupVarsImport(options.inventory, options.groupVars, options));
      } else {
        inventory = await readImportInventory(options.inventory);
      }
      const { vars: extraVars, notes: readNotes } = options.extraVars ? await readImportExtraVars(options.extraVars) : { vars: {}, notes: [] };
      const name = options.name ?? basename(dirname(resolve(options.inventory))).toLowerCase().replace(/[^a-z0-9_-]/g, '-');
      const { cluster, notes, secretEnv } = importCluster({ inventory, extraVars, name, ...(groupVars ? { groupVars } : {}), ...(options.kubeVersion ? { kubeVersion: options.kubeVersion } : {}) });
      if (cluster.nodes.length === 0) {
        throw new UsageError(
          `${options.inventory}: no host is in a Kubernetes group (kube_control_plane / kube-master, etcd, kube_node / kube-node)`,
          'import reads a Kubespray inventory: check the file, or the group names in it',
        );
      }
      const schemaPath = relative(process.cwd(), join(packageRoot, 'schema', 'cluster.schema.json'));
      const { yamlCommentLine } = await import('../util/comment-line.js');
      // File names go in comments: a line break in one must not end its comment line.
      const comments = [`# yaml-language-server: $schema=${schemaPath}`, `# Imported by kspray from ${basename(options.inventory)}${options.extraVars ? ` and ${basename(options.extraVars)}` : ''}.`];
      const yaml = `${comments.map(yamlCommentLine).join('\n')}\n${stringify(cluster, { lineWidth: 0 })}`;
      // The result must load as a cluster file: check it the way `validate` would.
      const check = await parseCluster(yaml, 'imported.yaml', { baseDir: process.cwd() });
      for (const note of [...readNotes, ...notes]) printStderr(`note: ${note}`);
      if (!check.ok) {
        for (const problem of check.problems) printStderr(formatProblem(problem));
        throw new UsageError('the imported cluster is not valid yet', 'fix the problems above in the inventory or extra-vars (or pass --kube-version / --name), then import again');
      }
      printStdout(yaml);
      if (secretEnv.length > 0) printStderr(`set these environment variables (the secrets' values) before render or apply: ${secretEnv.join(' ')}`);
    });
}
